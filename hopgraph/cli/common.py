"""Pieces every ``hopgraph`` subcommand module shares: exit codes, argument types, the graph
options, opening the graph, and the message for a query that tried to write.

The ``hopgraph.cli`` modules import this; nothing outside ``hopgraph.cli`` imports any of them.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hopgraph.api import HopGraph
from hopgraph.config import load_settings
from hopgraph.errors import ReadOnlyError

log = logging.getLogger("hopgraph.cli.app")

EXIT_OK = 0
EXIT_PROBLEMS = 1
"""``hopgraph ingest`` finished, but some input was skipped or some chunks failed."""
EXIT_ERROR = 2
"""A usage error, or an error hopgraph reports (a :class:`~hopgraph.errors.HopGraphError`)."""
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe


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


def graph_options() -> argparse.ArgumentParser:
    """Options every subcommand takes (a parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("graph")
    group.add_argument(
        "--graph", metavar="DIR", help="graph folder (embedded FalkorDB store, created if needed)"
    )
    group.add_argument(
        "--url", metavar="URL", help="a running FalkorDB: redis://host:port or unix:///path.sock"
    )
    group.add_argument(
        "--backend",
        choices=["falkordb", "neo4j"],
        help="graph store (default: from hopgraph.toml, else falkordb); neo4j reads NEO4J_URI, "
        "NEO4J_USER, NEO4J_PASSWORD",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        help="settings file to use instead of DIR/hopgraph.toml (HOPGRAPH_* variables and options still win)",
    )
    # SUPPRESS: a -v before the subcommand is not reset by the subcommand's default.
    parent.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log more (-vv: debug)"
    )
    return parent


def metaqa_data_option() -> argparse.ArgumentParser:
    """``--data DIR``, the MetaQA folder of ``train metaqa`` and ``eval metaqa`` (a parent parser)."""
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data",
        metavar="DIR",
        help="MetaQA folder (default $HOPGRAPH_METAQA_DIR, else ../shared/data/metaqa)",
    )
    return data


def open_graph(args: argparse.Namespace, *, create: bool = False) -> HopGraph:
    """The graph the global options name: ``--graph`` folder, ``--url`` and ``--backend`` overrides.

    Only commands that build a graph (``import``, ``ingest``) pass ``create=True``; for the others a
    missing ``--graph`` folder is an error, so a typo does not leave an empty graph behind. A new
    folder is announced on stderr."""
    overrides: dict[str, Any] = {}
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if getattr(args, "url", None):
        overrides["url"] = args.url
    log.info("opening graph %s %s", args.graph or "", overrides or "")
    config = getattr(args, "config", None)
    if config:  # settings from the file named instead of DIR/hopgraph.toml; options still win
        settings = load_settings(config, overrides={"store": overrides} if overrides else None)
        hg = HopGraph.open(args.graph, settings=settings, create=create)
    else:
        hg = HopGraph.open(args.graph, create=create, **overrides)
    if hg.created:
        print(f"created a new graph in {args.graph}", file=sys.stderr)
    return hg


@contextmanager
def graph_to_build(args: argparse.Namespace) -> Iterator[HopGraph]:
    """:func:`open_graph` with ``create=True`` for a command that builds a graph, closed at the end;
    a graph folder this call made is removed again when the command fails, so a failed
    ``import`` or ``ingest`` leaves no empty graph behind."""
    hg = open_graph(args, create=True)
    try:
        with hg:
            yield hg
    except BaseException:
        if hg.created and hg.folder is not None:
            shutil.rmtree(hg.folder, ignore_errors=True)
            print(f"removed the new graph folder {hg.folder} again", file=sys.stderr)
        raise


def read_only_message(exc: ReadOnlyError, how: str) -> str:
    """What to tell a user whose query tried to write: the query, and ``how`` to allow writes."""
    return f"this query writes to the graph, which is read-only here; {how}\n  query: {exc.query.strip()}"
