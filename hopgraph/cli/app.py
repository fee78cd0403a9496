"""The ``hopgraph`` command: import triples, look at a graph's stats, query it in Cypher.

    hopgraph import data/demo/science.tsv --graph my-graph
    hopgraph stats --graph my-graph
    hopgraph cypher --graph my-graph "MATCH (e:Entity {name: $name}) RETURN e.name" --param name=Copenhagen
    hopgraph shell --graph my-graph

Every command takes ``--graph DIR`` (a graph folder, served by an embedded FalkorDB), ``--url URL``
(a running FalkorDB) or ``--backend neo4j`` (a Neo4j server named by NEO4J_URI). Exit codes:
0 done, 2 a usage error or an error hopgraph reports, 130 interrupted, 141 output pipe closed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from hopgraph import __version__
from hopgraph.cli.common import open_graph, positive_int
from hopgraph.cli.shell import CypherShell, read_only_message
from hopgraph.errors import HopGraphError, ReadOnlyError
from hopgraph.render.table import DEFAULT_MAX_WIDTH, format_table, to_json
from hopgraph.types import GraphStats

log = logging.getLogger("hopgraph.cli.app")

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe
HISTORY_FILE_NAME = ".cypher_history"


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


# -- commands -----------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise HopGraphError(f"no such file: {path}")
    fmt = args.format or guess_format(path)
    progress = Progress(sys.stderr)
    with open_graph(args) as hg:
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
            rows = hg.cypher(args.query, params, write=args.write)
        except ReadOnlyError as exc:
            raise HopGraphError(read_only_message(exc, "add --write to allow writes")) from exc
    total = len(rows)
    if args.limit is not None:
        rows = rows[: args.limit]
    if args.json:
        print(to_json(rows, indent=2))
    else:
        print(format_table(rows, max_width=args.max_width, total=total))
    return EXIT_OK


def cmd_shell(args: argparse.Namespace) -> int:
    history = Path(args.graph) / HISTORY_FILE_NAME if args.graph else Path.home() / ".hopgraph_history"
    interactive = sys.stdin.isatty()
    with open_graph(args) as hg:

        def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
            return hg.cypher(query, params, write=args.write)

        if interactive:
            mode = "read-write" if args.write else "read-only (start with --write to allow writes)"
            where = args.url or args.graph or "the configured store"
            print(f"hopgraph {__version__} Cypher shell on {where}, {mode}")
            print("End a statement with ; or a blank line. :help for commands, :quit to leave.")
        shell = CypherShell(
            run,
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            interactive=interactive,
            history_file=history,
            max_width=args.max_width,
        )
        return shell.loop()


# -- parser -------------------------------------------------------------------------------------
EXPORT_FORMATS = ("turtle", "nt", "xml", "json-ld", "graphml")


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = args.format or ("graphml" if out.suffix == ".graphml" else None)
    with open_graph(args) as hg:
        if fmt == "graphml":
            import networkx as nx

            from hopgraph.kg.io.export import to_networkx

            graph = to_networkx(hg.store)
            for _, _, data in graph.edges(data=True):  # GraphML holds scalars only
                data["chunk_ids"] = " ".join(data["chunk_ids"])
                data["doc_ids"] = " ".join(data["doc_ids"])
            for _, data in graph.nodes(data=True):
                data["aliases"] = "|".join(data["aliases"])
            nx.write_graphml(graph, out)
            nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
        else:
            from hopgraph.kg.io.rdf import RDF_FORMATS, write_rdf

            fmt = fmt or RDF_FORMATS.get(out.suffix.lower(), "turtle")
            write_rdf(hg.store, out, format=fmt)
            stats = hg.stats()
            nodes, edges = stats.entities, stats.relations
    print(f"wrote {nodes:,} entities and {edges:,} relations to {out} ({fmt})")
    return EXIT_OK


def _graph_options() -> argparse.ArgumentParser:
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
    # SUPPRESS: a -v before the subcommand is not reset by the subcommand's default.
    parent.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log more (-vv: debug)"
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hopgraph",
        description="Knowledge graphs with multi-hop, checkable answers.",
        epilog="Run 'hopgraph COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"hopgraph {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = [_graph_options()]

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
    p.add_argument("--limit", metavar="N", type=positive_int, help="print at most N rows")
    p.add_argument(
        "--max-width", metavar="N", type=positive_int, default=DEFAULT_MAX_WIDTH, help="cell width"
    )
    p.set_defaults(func=cmd_cypher)

    p = sub.add_parser("shell", parents=common, help="interactive Cypher prompt (read-only unless --write)")
    p.add_argument("--write", action="store_true", help="allow statements to change the graph")
    p.add_argument(
        "--max-width", metavar="N", type=positive_int, default=DEFAULT_MAX_WIDTH, help="cell width"
    )
    p.set_defaults(func=cmd_shell)

    p = sub.add_parser("export", parents=common, help="write the graph as RDF or GraphML")
    p.add_argument("out", metavar="OUT", help="output file; the suffix picks the format unless --format")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="turtle (default), nt, xml, json-ld or graphml")
    p.set_defaults(func=cmd_export)

    from hopgraph.cli.ingest import register as register_ingest

    register_ingest(sub, common)  # ingest, jobs, delete

    from hopgraph.cli.kbqa import register as register_kbqa

    register_kbqa(sub, common)  # train metaqa, eval metaqa
    from hopgraph.cli.qa import register as register_qa

    register_qa(sub, common)  # train qa
    from hopgraph.cli.evaluate import register as register_eval

    register_eval(sub, common)  # eval retrieval
    from hopgraph.cli.eval_answers import register as register_eval_answers

    register_eval_answers(sub, common)  # eval answers
    from hopgraph.cli.ask import register as register_ask

    register_ask(sub, common)  # ask
    return parser


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("hopgraph").setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hopgraph`` command; returns the exit code (argparse usage errors: 2)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except HopGraphError as exc:
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python from
        # complaining again while flushing stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
