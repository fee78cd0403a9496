"""``hopgraph import``, ``stats``, ``cypher`` and ``export``: put triples in, look at the graph, get it out.

    hopgraph import data/demo/science.tsv --graph my-graph
    hopgraph stats --graph my-graph
    hopgraph cypher --graph my-graph "MATCH (e:Entity {name: $name}) RETURN e.name" --param name=Copenhagen
    hopgraph export my-graph.graphml --graph my-graph

``cypher`` is read-only unless ``--write``; ``export`` writes through :meth:`HopGraph.export`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from hopgraph.cli.common import (
    EXIT_OK,
    graph_to_build,
    open_graph,
    positive_int,
    read_only_message,
)
from hopgraph.cli.limits import DEFAULT_MAX_ROWS, add_timeout_option
from hopgraph.errors import HopGraphError, ReadOnlyError
from hopgraph.kg.io.formats import EXPORT_FORMATS, EXPORT_SUFFIXES, export_format
from hopgraph.render.table import DEFAULT_MAX_WIDTH, format_table, to_json
from hopgraph.types import GraphStats
from hopgraph.util.paths import check_output_file


# -- helpers ------------------------------------------------------------------------------------
def parse_param(text: str) -> tuple[str, Any]:
    """``key=value`` as a query parameter; the value is JSON when it parses, else the plain string.

    ``n=3`` -> 3, ``names=["a","b"]`` -> a list, ``name=Niels Bohr`` -> "Niels Bohr", ``s="3"`` -> "3".
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    if not key.isidentifier():
        raise argparse.ArgumentTypeError(
            f"parameter name {key!r} must be a valid identifier (used as ${key})"
        )
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def parse_params_json(text: str) -> dict[str, Any]:
    """``--params-json`` text: a JSON object of parameters."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {type(value).__name__}")
    return value


def guess_format(path: Path) -> str:
    """``rdf`` for the usual RDF file suffixes, else ``tsv``."""
    from hopgraph.kg.io.rdf import RDF_FORMATS  # rdflib loads only when an import runs

    # ".json" is JSON-LD to rdflib, but a .json file here is far likelier a corpus: never guessed.
    suffix = path.suffix.lower()
    return "rdf" if suffix in RDF_FORMATS and suffix != ".json" else "tsv"


class Progress:
    """Import progress on ``stream``: one line rewritten in place on a terminal, else a line now and then."""

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every = every if every is not None else (0.1 if self.tty else 5.0)
        self.clock = clock
        self.start = clock()
        self.last_shown = self.start
        self.shown = False

    def line(self, triples: int) -> str:
        elapsed = self.clock() - self.start
        rate = triples / elapsed if elapsed > 0 else 0.0
        return f"imported {triples:,} triples ({rate:,.0f}/s)"

    def __call__(self, triples: int) -> None:
        now = self.clock()
        if now - self.last_shown < self.every:
            return
        self.last_shown = now
        self.shown = True
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(triples))
        else:
            self.stream.write(self.line(triples) + "\n")
        self.stream.flush()

    def done(self) -> None:
        """End the in-place line so what follows starts on a fresh one."""
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def format_stats(stats: GraphStats) -> str:
    lines = [
        f"documents  {stats.documents:>10,}",
        f"chunks     {stats.chunks:>10,}",
        f"entities   {stats.entities:>10,}",
        f"relations  {stats.relations:>10,}",
    ]
    if stats.relation_types:
        width = max(len(t) for t in stats.relation_types)
        lines += ["", "relation types"]
        lines += [f"  {t:<{width}}  {n:>10,}" for t, n in stats.relation_types.items()]
    return "\n".join(lines)


def stats_json(stats: GraphStats) -> dict[str, Any]:
    return dataclasses.asdict(stats)


def query_params(args: argparse.Namespace) -> dict[str, Any]:
    """``--params-json`` first, then each ``--param`` (later ones win)."""
    params = dict(args.params_json or {})
    params.update(dict(args.param or []))
    return params


def _number_param_hint(params: list[tuple[str, Any]]) -> None:
    """A query that matched nothing with a ``--param`` parsed as a number: that may be the reason
    (``--param n=2011`` sends the integer 2011, which matches no entity named "2011")."""
    for key, value in params:
        if isinstance(value, int | float) and not isinstance(value, bool):
            print(
                f"note: --param {key}={json.dumps(value)} was sent as a number; if ${key} should be the "
                f"text {str(value)!r}, quote it: --param '{key}=\"{value}\"'",
                file=sys.stderr,
            )


# -- commands -----------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise HopGraphError(f"no such file: {path}")
    fmt = args.format or guess_format(path)
    progress = Progress(sys.stderr)
    with graph_to_build(args) as hg:
        try:
            report = hg.import_triples(path, format=fmt, progress=progress)
        finally:
            progress.done()
        stats = hg.stats()
    batches = f"{report.batches} batch{'' if report.batches == 1 else 'es'}"
    print(f"imported {report.triples:,} triples from {report.path} ({report.format}, {batches})", end="")
    print(f" in {report.seconds:.2f} s")
    print(f"document id: {report.doc_id}")
    print()
    print(format_stats(stats))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    with open_graph(args) as hg:
        stats = hg.stats()
    print(to_json(stats_json(stats), indent=2) if args.json else format_stats(stats))
    return EXIT_OK


def cmd_cypher(args: argparse.Namespace) -> int:
    params = query_params(args)
    with open_graph(args) as hg:
        try:
            rows = hg.cypher(args.query, params, write=args.write, timeout_s=args.timeout)
        except ReadOnlyError as exc:
            raise HopGraphError(read_only_message(exc, "add --write to allow writes")) from exc
    total = len(rows)
    if not rows:
        _number_param_hint(args.param or [])
    rows = rows[: args.limit or DEFAULT_MAX_ROWS]
    if args.json:
        if total > len(rows):
            print(f"showing {len(rows):,} of {total:,} rows (--limit N to print more)", file=sys.stderr)
        print(to_json(rows, indent=2))
    else:
        print(format_table(rows, max_width=args.max_width, total=total))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    out = check_output_file(args.out, "OUT")
    export_format(out, args.format)  # before the graph opens: a bad name costs nothing
    with open_graph(args) as hg:
        written = hg.export(Path(args.out), format=args.format)
    print(
        f"wrote {written.entities:,} entities and {written.relations:,} relations to {written.path} "
        f"({written.format})"
    )
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------------
def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``import``, ``stats`` and ``cypher`` to the ``hopgraph`` command's subparsers."""
    p = sub.add_parser("import", parents=common, help="import already-extracted triples (TSV or RDF)")
    p.add_argument("file", metavar="FILE", help="triples file: s|r|o or tab-separated lines, or RDF")
    p.add_argument(
        "--format", choices=["tsv", "rdf"], help="file format (default: from the suffix, else tsv)"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("stats", parents=common, help="count documents, chunks, entities and relations")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("cypher", parents=common, help="run one Cypher query (read-only unless --write)")
    p.add_argument("query", metavar="QUERY", help='Cypher, e.g. "MATCH (e:Entity) RETURN e.name LIMIT 5"')
    p.add_argument(
        "--param",
        metavar="KEY=VALUE",
        action="append",
        type=parse_param,
        help="query parameter $KEY (repeatable); VALUE is parsed as JSON when it is JSON, else a string",
    )
    p.add_argument(
        "--params-json", metavar="JSON", type=parse_params_json, help="parameters as a JSON object"
    )
    p.add_argument("--json", action="store_true", help="print a JSON array of row objects")
    p.add_argument("--write", action="store_true", help="allow the query to change the graph")
    p.add_argument(
        "--limit", metavar="N", type=positive_int, help=f"print at most N rows (default {DEFAULT_MAX_ROWS:,})"
    )
    p.add_argument(
        "--max-width", metavar="N", type=positive_int, default=DEFAULT_MAX_WIDTH, help="cell width"
    )
    add_timeout_option(p)
    p.set_defaults(func=cmd_cypher)


def register_export(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``export`` (apart from :func:`register` only to keep ``hopgraph --help``'s order)."""
    p = sub.add_parser("export", parents=common, help="write the graph as RDF or GraphML")
    suffixes = ", ".join(f"{s} {f}" for s, f in EXPORT_SUFFIXES.items())
    p.add_argument("out", metavar="OUT", help=f"output file; its suffix picks the format ({suffixes})")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="check the suffix means this format")
    p.set_defaults(func=cmd_export)


__all__ = [
    "EXPORT_FORMATS",
    "Progress",
    "cmd_cypher",
    "cmd_export",
    "cmd_import",
    "cmd_stats",
    "format_stats",
    "guess_format",
    "parse_param",
    "parse_params_json",
    "query_params",
    "register",
    "register_export",
    "stats_json",
]
