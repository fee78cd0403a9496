"""``hopgraph ingest``, ``hopgraph jobs`` and ``hopgraph delete``: batch extraction jobs on the command line.

    hopgraph ingest docs/ --graph g                      # offline spaCy extractor, resumable
    hopgraph ingest docs/ --graph g --llm openai:gpt-4o-mini --concurrency 16
    hopgraph ingest docs/ --graph g --retry-failed      # again: only new, pending or failed chunks
    hopgraph jobs --graph g [JOB_ID] [--failed]
    hopgraph delete --graph g --doc ID_OR_PATH

The job state (one row per chunk) lives in ``DIR/jobs.sqlite`` (``--state FILE`` elsewhere, e.g.
for a server-backed graph); ``jobs`` reads only that file (:meth:`HopGraph.jobs`, :meth:`HopGraph.job`), so
it works while an ingest holds the graph folder. Registered by :func:`register`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from hopgraph.api import HopGraph
from hopgraph.cli.common import EXIT_OK, EXIT_PROBLEMS, graph_to_build, open_graph, positive_int
from hopgraph.errors import HopGraphError
from hopgraph.extract.jobs.progress import format_duration, format_summary
from hopgraph.extract.jobs.state import STATE_FILE_NAME, JobRow, JobState
from hopgraph.render.table import format_table

MAX_SHOWN_FAILURES = 20


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a price in dollars, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a price cannot be negative, got {value}")
    return value


def _state_path(args: argparse.Namespace) -> Path:
    if args.state:
        if Path(args.state).is_dir():
            raise HopGraphError(f"--state {args.state} is a folder; name the job state file, e.g. "
                                f"{Path(args.state) / STATE_FILE_NAME}")  # fmt: skip
        return Path(args.state)
    if args.graph:
        return Path(args.graph) / STATE_FILE_NAME
    raise HopGraphError("the job state needs a place: pass --graph DIR, or --state FILE with --url/--backend")


def _jobs_command(args: argparse.Namespace, job_id: int) -> str:
    """The ``hopgraph jobs`` command that shows ``job_id``'s failures, runnable as printed."""
    where = [f"--state {shlex.quote(args.state)}"] if args.state else []
    if args.graph and not args.state:
        where.append(f"--graph {shlex.quote(args.graph)}")
    return " ".join(["hopgraph jobs", str(job_id), "--failed", *where])


# -- ingest -------------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from hopgraph.extract.jobs.options import IngestOptions
    from hopgraph.extract.load.files import JsonFields

    fields = JsonFields(
        id=args.json_id_field,
        title=args.json_title_field,
        text=args.json_text_field,
        records=args.json_records,
    )
    options = IngestOptions(
        llm=args.llm or "",
        concurrency=args.concurrency,
        retry_failed=args.retry_failed,
        triples=args.triples,
        json_fields=fields,
        max_tokens=args.max_tokens,
        overlap_tokens=args.overlap_tokens,
        batch_size=args.batch_size,
        embed=not args.no_embed,
        resolve=not args.no_resolve,
        price_per_1k=args.price_per_1k,
    )
    state_path = _state_path(args)
    with graph_to_build(args) as hg:
        summary = hg.ingest(args.sources, options=options, state_path=state_path, progress=sys.stderr)
        if args.sync:
            _sync(hg, state_path, [Path(s) for s in args.sources if Path(s).is_dir()])
    passed_over = [p for p in summary.problems if p["severity"] == "skipped"]
    problems = [p for p in summary.problems if p["severity"] != "skipped"]
    if passed_over:
        print(f"{len(passed_over)} file(s) in the folders are not documents, skipped:", file=sys.stderr)
        for problem in passed_over[:MAX_SHOWN_FAILURES]:
            print(f"  {problem['path']}: {problem['reason']}", file=sys.stderr)
        if len(passed_over) > MAX_SHOWN_FAILURES:
            print(f"  ... and {len(passed_over) - MAX_SHOWN_FAILURES} more", file=sys.stderr)
    if problems:
        print(f"{len(problems)} input problem(s):", file=sys.stderr)
        for problem in problems:
            kept = "skipped" if problem["severity"] == "error" else "loaded anyway"
            print(f"  {problem['path']}: {problem['reason']} ({kept})", file=sys.stderr)
    failed = summary.chunks_failed + summary.chunks_failed_before
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(format_summary(summary.to_dict()))
        if failed:
            print(
                f"{failed} chunk(s) failed: '{_jobs_command(args, summary.job_id)}' shows why; "
                "run the same ingest with --retry-failed to try them again"
            )
    skipped = any(problem["severity"] == "error" for problem in summary.problems)
    # Everything that could be stored was stored; a script still learns that something was not.
    return EXIT_PROBLEMS if failed or skipped else EXIT_OK


def _sync(hg: HopGraph, state_path: Path, folders: list[Path]) -> None:
    """``--sync``: remove the documents ingested from ``folders`` whose files are gone, and say which."""
    roots = [str(f.resolve()) + os.sep for f in folders]
    with JobState.open(state_path) as state:
        rows = state.documents()
    gone = [
        (r.doc_id, r.source)
        for r in rows
        if any(r.source.startswith(root) for root in roots) and not Path(r.source.split("#", 1)[0]).exists()
    ]
    for doc_id, source in gone:  # the graph's part and the job state's rows, as `hopgraph delete` does
        counts = hg.delete_document(doc_id, state_path=state_path)
        print(f"removed {source} (gone from the folder): document {doc_id}, {counts.chunks} chunks, "
              f"{counts.relations} relations", file=sys.stderr)  # fmt: skip
    print(f"--sync: {len(gone)} document(s) whose files are gone removed", file=sys.stderr)


# -- jobs ---------------------------------------------------------------------------------------
def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


def _wall(job: JobRow) -> str:
    """A job's wall time, the same in the list and the detail: what the job measured when it ended,
    else the time it has run so far; ``-`` for a job killed before it could measure (unknown)."""
    seconds = float(job.counters.get("seconds") or 0.0)
    if not seconds and job.live_status == "running":
        seconds = time.time() - job.started
    elif not seconds and job.status != "interrupted" and job.live_status != "interrupted" and job.finished:
        seconds = job.finished - job.started
    elif not seconds:
        return "-"
    return format_duration(seconds)


def _job_line(job: JobRow) -> dict[str, Any]:
    c = job.counters
    return {
        "id": job.id,
        "started": _when(job.started),
        "status": job.live_status,
        "documents": c.get("documents", 0),
        "chunks": c.get("chunks", 0),
        "extracted": c.get("chunks_extracted", 0),
        "failed": c.get("chunks_failed", 0),
        "triples": c.get("triples", 0),
        "tokens": c.get("tokens", 0),
        "wall": _wall(job),
    }


def cmd_jobs(args: argparse.Namespace) -> int:
    path = _state_path(args)
    if args.job_id is None:
        return _list_jobs(path, args)
    report = HopGraph.job(path, args.job_id)
    job, failures, problems = report.job, report.failures, report.problems
    if args.json:
        out = {
            "job": _job_line(job) | {"args": job.args, "summary": job.counters},
            "chunks": report.chunks,
            "problems": [{"path": p, "reason": r} for p, r in problems],
            "failures": [{"chunk_id": f.chunk_id, "doc_id": f.doc_id, "attempts": f.attempts,
                          "error": f.error} for f in failures],
        }  # fmt: skip
        print(json.dumps(out, indent=2))
        return EXIT_OK
    summary = format_summary(job.counters | {"job_id": job.id, "status": job.live_status}).splitlines()
    print("\n".join(f"{'wall time':<30} {_wall(job):>12}" if line.startswith("wall time") else line
                    for line in summary))  # fmt: skip
    print(f"started {_when(job.started)}, finished {_when(job.finished) or '-'}")
    print("arguments " + json.dumps(job.args))
    counts = report.chunks
    print("chunk state (last processed by this job): " + (json.dumps(counts) if counts else "none"))
    if problems:
        print(f"\n{len(problems)} input(s) with problems:")
        for p, r in problems:
            print(f"  {p}: {r}")
    shown = failures if args.failed else failures[:MAX_SHOWN_FAILURES]
    if failures:
        print(f"\n{len(failures)} failed chunk(s):")
        for f in shown:  # whole errors, one chunk a line: a table cell would cut them
            print(f"  chunk {f.chunk_id} (document {f.doc_id}, {f.attempts} attempt(s)): {f.error}")
        if len(shown) < len(failures):
            print(f"(add --failed to show all {len(failures)})")
    return EXIT_OK


def _list_jobs(path: Path, args: argparse.Namespace) -> int:
    if args.failed:
        failures = HopGraph.failed_chunks(path)
        rows = [{"job": f.job_id, "chunk": f.chunk_id, "document": f.doc_id, "attempts": f.attempts,
                 "error": f.error} for f in failures]  # fmt: skip
        print(json.dumps(rows, indent=2) if args.json else format_table(rows, max_width=100))
        return EXIT_OK
    jobs = [_job_line(j) for j in HopGraph.jobs(path)]
    print(json.dumps(jobs, indent=2) if args.json else format_table(jobs))
    return EXIT_OK


# -- delete -------------------------------------------------------------------------------------
def cmd_delete(args: argparse.Namespace) -> int:
    state_file = _state_path(args)
    with open_graph(args) as hg:
        for given in args.doc:  # an unknown id or path: DocumentNotFoundError, exit 2
            deleted = hg.delete_documents(given, state_path=state_file)
            for d in deleted:
                c = d.counts
                print(
                    f"deleted document {d.doc_id}: {c.chunks} chunks, {c.entities} entities, "
                    f"{c.relations} relations; {d.state_rows} chunk state rows"
                )
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------------
def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``ingest``, ``jobs`` and ``delete`` to the ``hopgraph`` command's subparsers."""
    p = sub.add_parser(
        "ingest",
        parents=common,
        help="load documents, extract triples, build the graph (resumable batch job)",
        description="Load documents (files, folders, globs; in folders only .txt .md .markdown .html .htm "
        ".xhtml .pdf .json .jsonl, other files are reported and skipped), chunk them, "
        "extract triples (with --llm, else offline with spaCy), resolve entities, store and embed. "
        "Rerunning skips what is done; a killed job resumes where it stopped.",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="files, folders or globs")
    p.add_argument("--llm", metavar="SPEC", help="e.g. openai:gpt-4o-mini or openai:MODEL@http://host/v1")
    p.add_argument("--concurrency", metavar="N", type=positive_int, help="LLM calls in flight")
    p.add_argument("--retry-failed", action="store_true", help="extract chunks that failed before again")
    p.add_argument("--triples", metavar="OPENIE_JSON", help="import HippoRAG OpenIE triples for the corpus")
    p.add_argument("--json-id-field", default="id", metavar="NAME", help="JSON corpus: id field")
    p.add_argument("--json-title-field", default="title", metavar="NAME", help="JSON corpus: title field")
    p.add_argument("--json-text-field", default="text", metavar="NAME", help="JSON corpus: text field")
    p.add_argument("--json-records", metavar="NAME", help="JSON corpus: the key of the record list")
    p.add_argument("--max-tokens", type=positive_int, default=256, metavar="N", help="chunk size")
    p.add_argument("--overlap-tokens", type=int, default=32, metavar="N", help="chunk overlap")
    p.add_argument("--batch-size", type=positive_int, default=64, metavar="N", help="chunks per commit")
    p.add_argument("--no-embed", action="store_true", help="do not embed new chunks and entities")
    p.add_argument("--no-resolve", action="store_true", help="do not merge entity name variants")
    p.add_argument("--price-per-1k", type=_price, metavar="USD", help="LLM price per 1,000 tokens")
    p.add_argument("--state", metavar="FILE", help=f"job state database (default DIR/{STATE_FILE_NAME})")
    p.add_argument(
        "--sync", action="store_true", help="remove documents whose files are gone from the folders given"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("jobs", parents=common, help="list ingest jobs, or show one with its failures")
    p.add_argument("job_id", nargs="?", type=int, metavar="JOB_ID", help="the job to show")
    p.add_argument("--failed", action="store_true", help="list every failed chunk with its error")
    p.add_argument("--state", metavar="FILE", help=f"job state database (default DIR/{STATE_FILE_NAME})")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("delete", parents=common, help="remove a document's contribution to the graph")
    p.add_argument(
        "--doc", action="append", required=True, metavar="ID_OR_PATH", help="document id or source path"
    )
    p.add_argument("--state", metavar="FILE", help=f"job state database (default DIR/{STATE_FILE_NAME})")
    p.set_defaults(func=cmd_delete)


__all__ = ["cmd_delete", "cmd_ingest", "cmd_jobs", "register"]
