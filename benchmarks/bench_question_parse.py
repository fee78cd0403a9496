"""What parsing a question once saves: spaCy's work per ``ask`` with and without the parse cache.

    .venv/bin/python benchmarks/bench_question_parse.py --json benchmarks/results/question_parse.json

The linker (noun chunks and entities) and the answer typer (the wh-word's head noun, asked twice
per ``ask``) each parse the question with the same spaCy pipeline. Per question, interleaved so
that both sides see the same machine load, this times those three calls on the bare pipeline and
through :class:`hopgraph.retrieval.linking.ParseCache` (a fresh cache per question: one parse), and
checks both give the same mentions and question type. MuSiQue-100 questions; one thread.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from hopgraph.reason.doc.answer_types import question_type
from hopgraph.retrieval.linking import ParseCache, load_spacy, spacy_mentions

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    nlp = load_spacy()
    if nlp is None:
        raise SystemExit("no spaCy English model installed")
    questions = [q["question"] for q in json.loads(Path(args.questions).read_text())]
    for question in questions[:5]:  # warm-up
        nlp(question)
    times: dict[str, list[float]] = {"bare": [], "cached": []}
    for question in questions:
        outputs = []
        for name, pipeline in (("bare", nlp), ("cached", ParseCache(nlp))):
            started = time.perf_counter()
            mentions = spacy_mentions(pipeline, question)
            kind = question_type(question, pipeline)
            question_type(question, pipeline)
            times[name].append((time.perf_counter() - started) * 1000.0)
            outputs.append((mentions, kind))
        if outputs[0] != outputs[1]:
            raise SystemExit(f"the cache changed the result of {question!r}: {outputs}")
    result: dict[str, object] = {"questions": len(questions)}
    for name, v in times.items():
        result[f"{name}_ms"] = {
            "p50": round(float(np.percentile(v, 50)), 2),
            "p95": round(float(np.percentile(v, 95)), 2),
        }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
