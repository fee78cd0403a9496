"""``hopgraph eval``: ``eval retrieval`` (passage recall, answer EM/F1 and latency of the QA
pipeline's methods) and ``eval metaqa`` (Hits@1 of the KB reasoner on MetaQA-format questions).

    hopgraph eval metaqa --graph mqa --questions ../shared/data/metaqa/2-hop/dev.txt --split val \\
        --json out.json
    hopgraph eval retrieval --graph mq --questions ../shared/data/musique100/questions.json \\
        --format musique --methods dense,hybrid,ppr,full --json out.json
    hopgraph eval retrieval --graph hp --questions hotpotqa.json --format hotpotqa \\
        --corpus hotpotqa_corpus.json --limit 50

The retriever comes from a factory, ``make_retriever(hg, args) -> Retriever``, given to
:func:`register` (or :func:`add_retrieval_parser`); the default, :func:`hopgraph_retriever`, asks
through the public :meth:`HopGraph.ask` with each method (so every method answers: with ``--llm``,
else extractively) and scores the chunks that answer came with. This module imports nothing heavy
at import time. ``eval metaqa`` uses the bundled weights (hopgraph/reason/kb/weights/metaqa.pt)
unless ``--weights FILE`` names others.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hopgraph.api import HopGraph
from hopgraph.cli.common import (
    EXIT_OK,
    add_threads_option,
    metaqa_data_option,
    open_graph,
    positive_int,
    set_torch_threads,
)
from hopgraph.errors import ConfigError
from hopgraph.render.table import format_table
from hopgraph.retrieval.base import RetrievalOutput
from hopgraph.util.paths import check_output_file

if TYPE_CHECKING:
    from hopgraph.eval.metaqa import EvalResult
    from hopgraph.eval.retrieval import RetrievalReport
    from hopgraph.retrieval.base import Retriever

RetrieverFactory = Callable[[HopGraph, argparse.Namespace], "Retriever"]
"""Builds the retriever for a run from the open graph and the parsed options (``--llm`` ...)."""


class HopGraphRetriever:
    """A :class:`~hopgraph.retrieval.base.Retriever` over :meth:`HopGraph.ask`: ranked chunks,
    their documents and the answer text of each method; the time measured is the whole ``ask``."""

    def __init__(self, hg: HopGraph, *, llm: str | None = None, weights: str | None = None) -> None:
        self.hg, self.llm, self.weights = hg, llm, weights

    @property
    def methods(self) -> tuple[str, ...]:
        from hopgraph.reason.doc.options import METHODS

        return tuple(METHODS)

    @property
    def default_method(self) -> str:
        """The method a plain ``hopgraph ask`` uses (named in the report)."""
        from hopgraph.reason.doc.options import DEFAULT_METHOD

        return DEFAULT_METHOD

    def warm_up(self) -> None:
        """Load the pipeline (index, models, each method's parts) before anything is timed."""
        for method in self.methods:
            self.hg.ask("warm-up question", method=method, llm=self.llm, weights=self.weights)

    def retrieve(self, question: str, method: str, k: int) -> RetrievalOutput:
        answer = self.hg.ask(question, method=method, k=k, llm=self.llm, weights=self.weights)
        return RetrievalOutput(
            chunk_ids=tuple(c.id for c in answer.chunks),
            doc_ids=tuple(dict.fromkeys(c.doc_id for c in answer.chunks)),
            answer_text=answer.best_guess or answer.text,
            confidence=answer.confidence,
            abstained=answer.abstained,
        )


def hopgraph_retriever(hg: HopGraph, args: argparse.Namespace) -> Retriever:
    """The default factory: :class:`HopGraphRetriever` with ``--llm`` and ``--weights``."""
    return HopGraphRetriever(hg, llm=args.llm or None, weights=args.weights or None)


class QuestionProgress:
    """``questions i/n`` (or another ``unit``) on ``stream``: rewritten in place on a terminal,
    else a line every ``every`` s."""

    def __init__(
        self,
        stream: TextIO,
        *,
        every: float | None = None,
        tty: bool | None = None,
        unit: str = "questions",
    ) -> None:
        self.stream, self.unit = stream, unit
        self.tty = stream.isatty() if tty is None else tty
        self.every = every if every is not None else (0.2 if self.tty else 10.0)
        self.start = self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every and done < total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0.0
        line = f"{self.unit} {done:,}/{total:,} ({rate:.1f}/s, ETA {eta:.0f} s)"
        self.stream.write(("\r\x1b[K" + line + ("\n" if done >= total else "")) if self.tty else line + "\n")
        self.stream.flush()


def _methods(text: str) -> list[str]:
    names = [m.strip() for m in text.split(",") if m.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected method names separated by commas, e.g. dense,full")
    return names


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_report(report: RetrievalReport) -> str:
    """The per-method table, the latency line and what became of the gold passages."""
    rows = []
    for name, m in report.methods.items():
        latency = m.to_json()["latency_ms"]
        rows.append(
            {
                "method": name,
                "recall@2": _fmt(m.recall.get(2)),
                "recall@5": _fmt(m.recall.get(5)),
                "all_gold@5": _fmt(m.all_gold_at_5),
                "EM": _fmt(m.em),
                "F1": _fmt(m.f1),
                "p50 ms": f"{latency['p50']:.1f}",
                "p95 ms": f"{latency['p95']:.1f}",
                "errors": m.errors,
            }
        )
    data = report.to_json()
    gold = data["gold"]
    lines = [
        format_table(rows),
        f"{report.questions:,} questions in {report.seconds:.1f} s; latency of "
        f"{data['latency_ms']['method']}: p50 {data['latency_ms']['p50']:.1f} ms, "
        f"p95 {data['latency_ms']['p95']:.1f} ms",
        f"gold passages: {gold['passages']:,}, {gold['missing_from_graph']:,} not in the graph "
        f"({gold['questions_with_missing_gold']:,} questions affected; counted as misses)",
    ]
    if gold["questions_without_gold"]:
        lines.append(f"{gold['questions_without_gold']:,} questions have no gold passage (no recall)")
    if gold["missing_examples"]:
        shown = ", ".join(f"{e['question']}: {e['title']!r}" for e in gold["missing_examples"][:5])
        lines.append(f"missing, e.g. {shown}")
    for name, m in report.methods.items():
        if m.abstention and m.abstention["answered_precision"] is not None:
            curve = ", ".join(
                f"{row['coverage']:.0%} {row['precision']:.2f}"
                for row in m.abstention["precision_at_coverage"]
            )
            lines.append(
                f"{name}: answered {m.abstention['answered']:.0%} at its confidence threshold, precision "
                f"{m.abstention['answered_precision']:.3f}; precision by coverage: {curve}"
            )
        if m.error_examples:
            lines.append(f"{name}: {m.errors} error(s), first: {m.error_examples[0]}")
    return "\n".join(lines)


def cmd_eval_retrieval(
    args: argparse.Namespace, make_retriever: RetrieverFactory = hopgraph_retriever
) -> int:
    from hopgraph.eval.gold import StoreGoldResolver
    from hopgraph.eval.qa_data import load_questions
    from hopgraph.eval.retrieval import evaluate_retrieval

    set_torch_threads(args.threads)
    if args.json:
        check_output_file(args.json, "--json")
    if args.corpus and args.format != "hotpotqa":
        raise ConfigError("--corpus is for --format hotpotqa (MuSiQue questions carry their passages)")
    items = load_questions(args.questions, args.format, corpus=args.corpus)
    if args.limit is not None:
        items = items[: args.limit]
    with open_graph(args) as hg:
        started = time.perf_counter()
        resolver = StoreGoldResolver.from_store(hg.store)
        retriever = make_retriever(hg, args)
        warm_up = getattr(retriever, "warm_up", None)
        if callable(warm_up):
            warm_up()
        print(
            f"{len(items):,} questions; graph, gold and retriever ready in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        try:
            report = evaluate_retrieval(
                retriever,
                items,
                resolver,
                args.methods,
                args.k,
                progress=QuestionProgress(sys.stderr, unit="asks (questions x methods)"),
            )
        finally:
            close = getattr(retriever, "close", None)
            if callable(close):
                close()
    print(format_report(report))
    if args.json:
        out: dict[str, Any] = report.to_json(details=args.details)
        out["questions_file"], out["format"] = str(args.questions), args.format
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return EXIT_OK


def print_metaqa_table(result: EvalResult) -> None:
    """Hits@1 (all and covered) per hop count, the total and the throughput of a MetaQA run."""
    print(f"{'hops':>4} {'questions':>9} {'covered':>8} {'Hits@1 all':>11} {'Hits@1 covered':>15}")
    for hops, row in result.per_hop.items():
        name = str(hops) if hops else "?"
        print(
            f"{name:>4} {int(row['questions']):>9} {int(row['covered_questions']):>8} "
            f"{row['hits@1_all']:>11.4f} {row['hits@1_covered']:>15.4f}"
        )
    print(
        f"{'all':>4} {result.questions:>9} {result.covered_questions:>8} {result.hits_all:>11.4f} "
        f"{result.hits_covered:>15.4f}"
    )
    print(f"{result.questions_per_s:,.0f} questions/s")


def cmd_eval_metaqa(args: argparse.Namespace) -> int:
    from hopgraph.eval.metaqa import default_data_dir, evaluate, read_questions
    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.questions import split_questions

    set_torch_threads(args.threads)
    if args.json:
        check_output_file(args.json, "--json")
    data = Path(args.data) if args.data else None
    files = (
        [Path(f) for f in args.questions]
        if args.questions
        else [(data or default_data_dir()) / f"{n}-hop" / "dev.txt" for n in (1, 2, 3)]
    )
    questions = [q for f in files for q in read_questions(f, args.hops)]
    questions = [q if q.hops else type(q)(q.text, q.topic, q.answers, 3) for q in questions]
    if args.split != "all":
        train, valid = split_questions(questions, args.seed)
        questions = valid if args.split == "val" else train
    with open_graph(args) as hg:
        started = time.perf_counter()
        graph = hg.kb_graph()
        reasoner = KBReasoner.load(graph, args.weights)
        print(f"graph and weights loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        result = evaluate(reasoner, questions, batch_size=args.batch_size)
    print_metaqa_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------------
def add_metaqa_parser(eval_subparsers: Any, common: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``metaqa`` to an ``eval`` subparsers group."""
    threads = argparse.ArgumentParser(add_help=False)
    add_threads_option(threads)
    p: argparse.ArgumentParser = eval_subparsers.add_parser(
        "metaqa",
        parents=[*common, metaqa_data_option(), threads],
        help="Hits@1 (all and covered) on MetaQA-format questions",
    )
    p.add_argument(
        "--questions",
        metavar="FILE",
        action="append",
        help="MetaQA-format file (repeatable; default the three dev files)",
    )
    p.add_argument(
        "--hops", type=positive_int, help="hop count for coverage (default: N of an N-hop path, else 3)"
    )
    p.add_argument("--weights", metavar="FILE", help="weights (default: the bundled MetaQA weights)")
    p.add_argument(
        "--split",
        choices=["all", "train", "val"],
        default="all",
        help="only the training or validation part of the seeded 80/20 split",
    )
    p.add_argument("--seed", type=int, default=0, help="split seed (as in training)")
    p.add_argument("--batch-size", type=positive_int, default=256)
    p.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    p.set_defaults(func=cmd_eval_metaqa)
    return p


def add_retrieval_parser(
    eval_subparsers: Any,
    common: list[argparse.ArgumentParser],
    make_retriever: RetrieverFactory = hopgraph_retriever,
) -> argparse.ArgumentParser:
    """Add ``retrieval`` to an ``eval`` subparsers group."""
    p: argparse.ArgumentParser = eval_subparsers.add_parser(
        "retrieval",
        parents=common,
        help="passage recall@2/@5, answer EM/F1 and latency on MuSiQue or HotpotQA questions",
    )
    p.add_argument("--questions", required=True, metavar="FILE", help="questions file (.json or .jsonl)")
    p.add_argument("--format", required=True, choices=["musique", "hotpotqa"], help="questions format")
    p.add_argument("--corpus", metavar="FILE", help="HotpotQA corpus ({title: [sentences]}) for gold texts")
    p.add_argument(
        "--methods", type=_methods, metavar="A,B", help="methods to run, comma-separated (default: all)"
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N questions")
    p.add_argument("--k", type=positive_int, default=5, metavar="N", help="passages to retrieve (min 5)")
    p.add_argument("--llm", metavar="SPEC", help="answer generator, e.g. openai:gpt-4o-mini")
    p.add_argument("--weights", metavar="FILE", help="GNN scorer weights (default: zero-shot)")
    p.add_argument("--json", metavar="OUT", help="write the scores as JSON")
    p.add_argument("--details", action="store_true", help="with --json: add per-question results")
    add_threads_option(p)
    p.set_defaults(func=lambda args: cmd_eval_retrieval(args, make_retriever))
    return p


def register(
    sub: Any, common: list[argparse.ArgumentParser], make_retriever: RetrieverFactory = hopgraph_retriever
) -> None:
    """Add the ``eval`` command with its ``metaqa``, ``retrieval`` and ``answers`` subcommands."""
    from hopgraph.cli.eval_answers import add_answers_parser

    group = sub.add_parser("eval", help="evaluate a reasoner").add_subparsers(dest="dataset", required=True)
    add_metaqa_parser(group, common)
    add_retrieval_parser(group, common, make_retriever)
    add_answers_parser(group, common)


__all__ = [
    "HopGraphRetriever",
    "QuestionProgress",
    "RetrieverFactory",
    "add_metaqa_parser",
    "add_retrieval_parser",
    "cmd_eval_metaqa",
    "cmd_eval_retrieval",
    "format_report",
    "hopgraph_retriever",
    "print_metaqa_table",
    "register",
]
