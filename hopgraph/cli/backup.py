"""``hopgraph dump`` and ``hopgraph restore``: a whole graph to a JSON-lines file and back.

    hopgraph dump graph.jsonl.gz --graph my-graph
    hopgraph restore graph.jsonl.gz --graph moved-graph

The file holds every node and relationship with all properties, embeddings included
(:mod:`hopgraph.kg.io.dump` describes the format); a restore goes into an empty graph only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hopgraph.cli.common import EXIT_OK, graph_to_build, open_graph
from hopgraph.errors import HopGraphError
from hopgraph.util.paths import check_output_file


def cmd_dump(args: argparse.Namespace) -> int:
    out = check_output_file(args.file, "dump")
    if out.exists() and not args.force:
        raise HopGraphError(f"{out} exists; pass --force to overwrite it")
    with open_graph(args) as hg:
        report = hg.dump(out)
    print(
        f"dumped {report.nodes:,} nodes and {report.relationships:,} relationships "
        f"({report.embeddings:,} embeddings) to {report.path} in {report.seconds:.2f} s"
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise HopGraphError(f"no such dump file: {source}")
    with graph_to_build(args) as hg:  # a new graph folder, removed again if the restore fails
        report = hg.restore(source)
    print(
        f"restored {report.nodes:,} nodes and {report.relationships:,} relationships "
        f"({report.embeddings:,} embeddings) from {report.path} in {report.seconds:.2f} s"
    )
    return EXIT_OK


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``dump`` and ``restore`` to the ``hopgraph`` command's subparsers."""
    p = sub.add_parser(
        "dump", parents=common, help="back up the whole graph, embeddings included, as JSON lines"
    )
    p.add_argument("file", metavar="FILE", help="output file (.jsonl; .jsonl.gz compresses)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("restore", parents=common, help="load a dump into an empty graph")
    p.add_argument("file", metavar="FILE", help="a file written by hopgraph dump")
    p.set_defaults(func=cmd_restore)


__all__ = ["register"]
