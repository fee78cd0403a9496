"""Where a question's time goes: per-stage latency of the QA pipeline on MuSiQue-100.

    .venv/bin/python benchmarks/bench_qa_stages.py --graph benchmarks/.work/musique \\
        --json benchmarks/results/qa_stages.json

Runs ``HopGraph.ask`` (no LLM: the extractive answerer) once per question with the ``full``
method after one warm-up question, with one torch thread (as ``hopgraph ask`` and ``hopgraph eval
retrieval`` by default), and reports p50/p95 milliseconds of every stage the pipeline
times (``Answer.timings``) and of the whole call. Build the graph first (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from hopgraph import HopGraph

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", default=str(ROOT / "benchmarks" / ".work" / "musique"))
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--method", default="full")
    parser.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1, as the CLI)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    questions = [q["question"] for q in json.loads(Path(args.questions).read_text())]
    stages: dict[str, list[float]] = {}
    with HopGraph.open(args.graph) as hg:
        started = time.perf_counter()
        hg.ask(questions[0], method=args.method, extractive=True)
        load_s = time.perf_counter() - started
        for question in questions:
            answer = hg.ask(question, method=args.method, extractive=True)
            for stage, ms in answer.timings.items():
                stages.setdefault(stage, []).append(ms)
    result = {
        "questions": len(questions),
        "method": args.method,
        "first_question_s": round(load_s, 2),
        "stages_ms": {
            stage: {
                "p50": round(float(np.percentile(v, 50)), 2),
                "p95": round(float(np.percentile(v, 95)), 2),
            }
            for stage, v in stages.items()
        },
    }
    width = max(len(s) for s in stages)
    print(f"{'stage':{width}s}   p50 ms   p95 ms")
    for stage, row in result["stages_ms"].items():
        print(f"{stage:{width}s} {row['p50']:8.1f} {row['p95']:8.1f}")
    print(f"first question (loading included): {load_s:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
