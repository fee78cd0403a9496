"""The ``hopgraph`` command: one module per command group (graph, shell, ingest, ask, train,
evaluate), wired together in :mod:`hopgraph.cli.app`; shared pieces in :mod:`hopgraph.cli.common`."""

from hopgraph.cli.app import main

__all__ = ["main"]
