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

With ``--why``, each question whose gold is no candidate is put in the first of these that holds
(the answerer reads the first ``k`` passages; retrieval ranks ``2k`` here, its first ``k`` the same):
a spaCy entity of the first ``k`` passages (of another type, or left out), in their text but no
entity, an entity of passages ``k+1..2k``, in their text, in none of the ``2k`` passages.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from pathlib import Path

import torch

from hopgraph import HopGraph
from hopgraph.eval.answer_metrics import exact_match, normalize_answer
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.typed_answers import load_typed_questions
from hopgraph.reason.doc.extractive import TOP_CHUNKS, TOP_PATHS, Candidate, _span_name, rank_candidates
from hopgraph.reason.doc.pipeline import GraphQA, _in_order
from hopgraph.types import Chunk

WHY = ("entity_top_k", "text_top_k", "entity_next_k", "text_next_k", "absent")


def candidates_and_why(
    qa: GraphQA, question: str, answers: tuple[str, ...], method: str
) -> tuple[list[Candidate], str]:
    """The answerer's candidates (as :meth:`GraphQA.candidates`) and, when the gold is none of
    them, where it is (one of :data:`WHY`; "" when it is a candidate)."""
    k = qa.options.k
    found = qa.retrieve(question, method, k=2 * k)
    chunks = _in_order(qa.store.get_chunks([c.id for c in found.chunks]), found.chunks)
    top = dataclasses.replace(found, chunks=found.chunks[:k])
    inputs = qa._extractive_inputs(top, chunks[:k])
    ranked = rank_candidates(
        found.question,
        inputs.pop("paths"),
        chunks[:k],
        found.seeds,
        inputs.pop("mentions"),
        top_paths=TOP_PATHS,
        top_chunks=TOP_CHUNKS,
        **inputs,
    )
    if any(exact_match(c.name, answers) for c in ranked):
        return ranked, ""
    golds = [f" {g} " for g in (normalize_answer(a) for a in answers) if g]

    def entity(part: list[Chunk]) -> bool:
        return any(exact_match(_span_name(t), answers) for c in part for t, _, _ in qa._chunk_entities(c))

    def text(part: list[Chunk]) -> bool:
        return any(g in f" {normalize_answer(c.text)} " for c in part for g in golds)

    head, tail = chunks[:k], chunks[k:]
    checks = (entity(head), text(head), entity(tail), text(tail))
    return ranked, next((w for w, hit in zip(WHY, checks, strict=False) if hit), WHY[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", required=True)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--format", choices=("musique", "hotpotqa", "typed"), default="musique")
    parser.add_argument("--method", default="full")
    parser.add_argument("--json", metavar="OUT", help="write the counts as JSON")
    parser.add_argument("--why", action="store_true", help="say where a gold answer no candidate is")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.format == "typed":
        items = [(q.question, q.answers) for q in load_typed_questions(args.questions)]
    else:
        items = [(q.question, q.answers) for q in load_questions(args.questions, args.format)]
    ranks: list[int | None] = []
    why: list[str] = []
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
        for question, answers in items:
            if args.why:
                found, reason = candidates_and_why(qa, question, answers, args.method)
                why.append(reason)
            else:
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
    if args.why:
        counts["why"] = {w: Counter(why)[w] for w in WHY}
        print("gold no candidate: " + ", ".join(f"{w} {n}" for w, n in counts["why"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps({**counts, "ranks": ranks, "why_each": why}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
