"""Pieces every ``hopgraph`` subcommand module shares (argument types, opening the graph).

``cli.py`` and the ``cli_*`` modules import this; nothing else imports any of them.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from hopgraph.api import HopGraph

log = logging.getLogger("hopgraph.cli.app")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_threads_option(parser: argparse.ArgumentParser) -> None:
    """``--threads N`` for the commands that run torch (read it with :func:`set_torch_threads`)."""
    parser.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")


def set_torch_threads(n: int) -> None:
    """Run torch on ``n`` threads (the commands' ``--threads``, default 1: on the small tensors of
    one question a second thread costs more in wake-ups than it saves). Imports torch."""
    import torch

    torch.set_num_threads(n)


def open_graph(args: argparse.Namespace) -> HopGraph:
    """The graph the global options name: ``--graph`` folder, ``--url`` and ``--backend`` overrides."""
    overrides: dict[str, Any] = {}
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if getattr(args, "url", None):
        overrides["url"] = args.url
    log.info("opening graph %s %s", args.graph or "", overrides or "")
    return HopGraph.open(args.graph, **overrides)
