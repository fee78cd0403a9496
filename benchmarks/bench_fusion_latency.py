"""What the default method's final ranking (hopgraph.retrieval.fusion) adds to a question's time.

    .venv/bin/python benchmarks/bench_fusion_latency.py --graph COPY \\
        --questions ../shared/data/musique100/questions.json --json benchmarks/results/fusion_latency.json

One process, one loaded graph: every question is retrieved with ``full`` twice, with the fusion
(the default) and without it (``QAOptions(fusion=False)``: the default walk's order, as before),
in alternating order, after one warm-up question. Reports p50 / p95 of both totals, of their
per-question difference, and of the ``fusion`` stage itself (its two 10-step walks and the head's
scores). ``--second-hop``: the default against the fusion without its second hop
(``QAOptions(second_hop=False)``), the stage timed in both. No LLM; one torch thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.eval.qa_data import load_questions
from hopgraph.reason.doc.pipeline import GraphQA


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--format", default="musique")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--second-hop", action="store_true", help="compare with second_hop=False instead")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    items = load_questions(args.questions, args.format)[: args.limit]
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
        on = qa.options
        off = replace(on, second_hop=False) if args.second_hop else replace(on, fusion=False)
        qa.retrieve(items[0].question, "full")  # warm-up: spaCy, caches
        times: dict[str, list[float]] = {"fusion": [], "walk_order": [], "fusion_stage": []}
        if args.second_hop:
            times["fusion_stage_without_second_hop"] = []
        for n, item in enumerate(items):
            runs = [("fusion", on), ("walk_order", off)]
            for name, options in runs if n % 2 == 0 else runs[::-1]:
                qa.options = options
                started = time.perf_counter()
                found = qa.retrieve(item.question, "full")
                times[name].append((time.perf_counter() - started) * 1000.0)
                if name == "fusion" and "fusion" in found.timings:
                    times["fusion_stage"].append(found.timings["fusion"])
                elif args.second_hop and "fusion" in found.timings:
                    times["fusion_stage_without_second_hop"].append(found.timings["fusion"])
        qa.options = on
    diff = np.subtract(times["fusion"], times["walk_order"])
    result = {
        "graph": args.graph,
        "questions": len(items),
        **{
            name: {"p50_ms": float(np.percentile(v, 50)), "p95_ms": float(np.percentile(v, 95)), "n": len(v)}
            for name, v in times.items()
        },
        "difference": {"p50_ms": float(np.percentile(diff, 50)), "mean_ms": float(diff.mean())},
    }
    if args.second_hop:  # "walk_order" is the fusion without the second hop here
        result["without_second_hop"] = result.pop("walk_order")
    for name in result:
        if name in ("graph", "questions"):
            continue
        print(f"{name:14s} {result[name]}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
