"""The ``hopgraph`` command: one module per command group, wired together in :mod:`.main`."""

from hopgraph.cli.app import main

__all__ = ["main"]
