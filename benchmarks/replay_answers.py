"""Replay the extractive answerer over its stored inputs: a rule change measured in seconds.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/replay_answers.py \\
        --graph COPY_OF_musique --questions ../shared/data/musique100/questions.json \\
        --inputs /tmp/answer-inputs --json /tmp/replay-new.json [--compare /tmp/replay-old.json]

Retrieval is the slow part of a question and an answer rule does not change it, so the answerer's
inputs (paths, passages, seeds, labels, spans) are retrieved once per question and graph and kept
under ``--inputs`` (``fit_answer_ranker.answerer_inputs``: the same pickles); each run then only
calls ``extractive_answer`` with the working tree's rules. It prints the exact-match count per
graph and, with ``--compare`` (an earlier run's ``--json``), every answer that changed, marked
``+`` (now right), ``-`` (now wrong) or ``~`` (another wrong one). A change to retrieval or to the
inputs themselves (the question's type, the labels) needs fresh inputs: another ``--inputs``
folder, or ``hopgraph eval retrieval``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from fit_answer_ranker import answerer_inputs

from hopgraph.eval.answer_metrics import exact_match
from hopgraph.reason.doc.extractive import extractive_answer


def replay(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Question id -> the answer the working tree's rules give over its stored inputs."""
    out = {}
    for row in rows:
        inputs = dict(row["inputs"])
        paths, mentions = inputs.pop("paths"), inputs.pop("mentions")
        answer = extractive_answer(row["question"], paths, row["chunks"], row["seeds"], mentions, **inputs)
        out[row["id"]] = {
            "question": row["question"],
            "gold": row["answers"][0] if row["answers"] else "",
            "answer": answer.text,
            "right": bool(exact_match(answer.text, row["answers"])),
            "confidence": answer.confidence,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", action="append", required=True, help="a graph (repeat for more)")
    parser.add_argument("--questions", action="append", required=True, help="one per --graph, or one for all")
    parser.add_argument("--format", choices=("musique", "hotpotqa"), default="musique")
    parser.add_argument("--method", default="full")
    parser.add_argument("--inputs", metavar="DIR", required=True, help="keep (and reuse) the inputs here")
    parser.add_argument("--json", metavar="OUT", help="write the answers, by graph and question id")
    parser.add_argument("--compare", metavar="EARLIER", help="an earlier run's --json: list what changed")
    args = parser.parse_args()
    if len(args.questions) not in (1, len(args.graph)):
        parser.error("give one --questions for all graphs or one per --graph")
    torch.set_num_threads(1)
    questions = args.questions * len(args.graph) if len(args.questions) == 1 else args.questions
    earlier = json.loads(Path(args.compare).read_text()) if args.compare else {}
    report: dict[str, dict[str, Any]] = {}
    for graph, file in zip(args.graph, questions, strict=True):
        rows = answerer_inputs(graph, file, args.format, args.method, Path(args.inputs))
        answers = report[graph] = replay(rows)
        print(f"{graph}: {sum(a['right'] for a in answers.values())} of {len(answers)} exact")
        before = earlier.get(graph, {})
        for qid, now in answers.items():
            then = before.get(qid)
            if then is not None and then["answer"] != now["answer"]:
                mark = "+" if now["right"] else "-" if then["right"] else "~"
                change = f"{then['answer']} -> {now['answer']}"
                print(f"  {mark} {now['question'][:80]} | gold {now['gold']} | {change}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
