"""``hopgraph eval answers``: score the answers on a typed-answer check set (``data/typed/``).

    hopgraph ingest data/typed/docs --graph typed-graph
    hopgraph eval answers --graph typed-graph --questions data/typed/questions.tsv [--json OUT]

Prints exact answers (overall and per answer type), answers whose type contradicts the question,
the answered share and precision at the confidence threshold, and precision at each coverage
level (:mod:`hopgraph.eval.typed_answers`). Self-contained: ``app.py`` registers it in one line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hopgraph.cli.common import add_threads_option, open_graph, set_torch_threads

EXIT_OK = 0


def cmd_eval_answers(args: argparse.Namespace) -> int:
    from hopgraph.eval.typed_answers import evaluate_typed_answers, load_typed_questions

    set_torch_threads(args.threads)
    items = load_typed_questions(args.questions)
    with open_graph(args) as hg:
        report = evaluate_typed_answers(lambda q: hg.ask(q, method=args.method), items)
    for row in report.rows:
        mark = "ok " if row["exact"] else "-- "
        print(f"{mark}[{row['type']}] {row['question']} -> {row['answer']} ({row['confidence']})")
    per_type = ", ".join(f"{k} {v['exact']:.2f} of {v['questions']:.0f}" for k, v in report.by_type.items())
    precision = report.answered_precision
    curve = ", ".join(f"{r['coverage']:.0%} {r['precision']:.2f}" for r in report.precision_at_coverage)
    print(
        f"{report.questions} questions: exact {report.exact:.3f} ({per_type}); "
        f"type contradictions {report.contradictions}; answered {report.answered:.0%} at the "
        f"confidence threshold, precision {'-' if precision is None else f'{precision:.3f}'}; "
        f"precision by coverage: {curve}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(details=True), indent=2) + "\n")
    return EXIT_OK


def add_answers_parser(group: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``eval answers`` to the ``eval`` group (:func:`hopgraph.cli.evaluate.register` owns it)."""
    p = group.add_parser(
        "answers", parents=common, help="score answers on a typed-answer check set (data/typed/)"
    )
    p.add_argument("--questions", metavar="FILE", required=True, help="question<TAB>answers<TAB>type file")
    p.add_argument("--method", default="full", help="retrieval method (default: full)")
    p.add_argument("--json", metavar="OUT", help="write the report with per-question rows as JSON")
    add_threads_option(p)
    p.set_defaults(func=cmd_eval_answers)


__all__ = ["add_answers_parser", "cmd_eval_answers"]
