"""The ``hopgraph`` command: one module per command group (graph, shell, ingest, ask, train,
evaluate with eval_answers, reembed, backup, serve), wired together in :mod:`hopgraph.cli.app`;
shared pieces in :mod:`hopgraph.cli.common` and :mod:`hopgraph.cli.limits` (exploration limits);
:mod:`hopgraph.cli.synopsis` prints README's command synopsis from the parser."""

from hopgraph.cli.app import main

__all__ = ["main"]
