"""How often the gold answer is among the extractive answerer's candidates, and at which rank.

    .venv/bin/python benchmarks/bench_answer_candidates.py --graph benchmarks/.work/musique \\
        --questions ../shared/data/musique100/questions.json --format musique [--json OUT]
    .venv/bin/python benchmarks/bench_answer_candidates.py --graph /tmp/typed \\
        --questions data/typed/questions.tsv --format typed

Runs ``GraphQA.candidates`` (retrieval with ``--method``, default ``full``, then the candidates
the extractive answer is picked from: path ends, entities and typed NER spans of the top
passages) for every question and counts the questions whose gold answer (or an alias; SQuAD
exact match) is a candidate at all, first, and in the first 3 and 10. EM counts are the ``first``
figure; the gap to ``any`` is what ranking could still win, the rest needs better retrieval or paths.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from hopgraph import HopGraph
from hopgraph.eval.answer_metrics import exact_match
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.typed_answers import load_typed_questions
from hopgraph.reason.doc.pipeline import GraphQA


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", required=True)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--format", choices=("musique", "hotpotqa", "typed"), default="musique")
    parser.add_argument("--method", default="full")
    parser.add_argument("--json", metavar="OUT", help="write the counts as JSON")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.format == "typed":
        items = [(q.question, q.answers) for q in load_typed_questions(args.questions)]
    else:
        items = [(q.question, q.answers) for q in load_questions(args.questions, args.format)]
    ranks: list[int | None] = []
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
        for question, answers in items:
            found = qa.candidates(question, args.method)
            ranks.append(next((i for i, c in enumerate(found) if exact_match(c.name, answers)), None))
    n = len(ranks)
    counts = {
        "questions": n,
        "any": sum(r is not None for r in ranks),
        "first": sum(r == 0 for r in ranks),
        "top3": sum(r is not None and r < 3 for r in ranks),
        "top10": sum(r is not None and r < 10 for r in ranks),
    }
    print(
        f"{n} questions: gold among the candidates {counts['any']}, first {counts['first']}, "
        f"in the first 3 {counts['top3']}, in the first 10 {counts['top10']}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({**counts, "ranks": ranks}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
