"""The ``hopgraph`` command: the parser, logging, and the mapping of errors to exit codes.

    hopgraph import data/demo/science.tsv --graph my-graph
    hopgraph stats --graph my-graph
    hopgraph cypher --graph my-graph "MATCH (e:Entity {name: $name}) RETURN e.name" --param name=Copenhagen
    hopgraph shell --graph my-graph

Every command takes ``--graph DIR`` (a graph folder, served by an embedded FalkorDB), ``--url URL``
(a running FalkorDB) or ``--backend neo4j`` (a Neo4j server named by NEO4J_URI). Exit codes
(:mod:`hopgraph.cli.common`): 0 done, 1 ingest skipped input or failed chunks, 2 a usage error or
an error hopgraph reports, 130 interrupted, 141 output pipe closed. Each command group lives in
its own module (graph, shell, ingest, train, evaluate, ask), which adds its commands with
``register(subparsers, common_parents)``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from hopgraph import __version__
from hopgraph.cli import ask, backup, evaluate, graph, ingest, reembed, serve, shell, train
from hopgraph.cli.common import EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED, graph_options
from hopgraph.errors import HopGraphError

log = logging.getLogger("hopgraph.cli.app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hopgraph",
        description="Knowledge graphs with multi-hop, checkable answers.",
        epilog="Run 'hopgraph COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"hopgraph {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = [graph_options()]
    graph.register(sub, common)  # import, stats, cypher
    shell.register(sub, common)  # shell
    graph.register_export(sub, common)  # export
    ingest.register(sub, common)  # ingest, jobs, delete
    train.register(sub, common)  # train metaqa, train qa
    evaluate.register(sub, common)  # eval metaqa, eval retrieval, eval answers
    ask.register(sub, common)  # ask
    reembed.register(sub, common)  # reembed
    backup.register(sub, common)  # dump, restore
    serve.register(sub, common)  # serve, mcp
    return parser


class _StderrLines(logging.Handler):
    """Each record's message as one line on the current ``sys.stderr`` (looked up per line)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("hopgraph").setLevel(level)
    # progress of one-time work (building a graph's caches on the first question) shows by default
    progress = logging.getLogger("hopgraph.progress")
    if not any(isinstance(h, _StderrLines) for h in progress.handlers):
        progress.addHandler(_StderrLines())
    progress.setLevel(logging.INFO)
    progress.propagate = False


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
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return _broken_pipe()
        # A file a command was pointed at is missing, a folder, unreadable...: one line naming it.
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        print(f"error: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _broken_pipe() -> int:
    # The reader went away (e.g. `| head`): stop quietly, and keep Python from
    # complaining again while flushing stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def os_error_message(exc: OSError) -> str:
    """``OSError`` as one line: what went wrong and the path(s) it concerns."""
    what = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    what = what[:1].lower() + what[1:]
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {what}" if paths else what


def console_main() -> int:
    """The ``hopgraph`` console script: :func:`main`, then ``gc.freeze()`` before the interpreter
    exits. By then every store, file and server handle is closed; what is left is Python's own
    teardown, whose garbage collections walk every object torch and spaCy created (about 0.7 s
    of a 4 s cold ``hopgraph ask``). Frozen objects are skipped by those collections, and exit
    handlers and stream flushes still run. Not for in-process callers: frozen objects are never
    collected, so tests and other programs call :func:`main`."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
