"""How much the QA pipeline's passage recall on MuSiQue-100 depends on its settings.

    .venv/bin/python benchmarks/bench_qa_settings.py --graph benchmarks/.work/musique \\
        --json benchmarks/results/qa_settings.json

Reruns the ``ppr``, ``gnn_ppr`` and ``full`` retrieval methods with one :class:`QAOptions` field
changed at a time from the defaults and prints Recall@2/@5 for each, so a reader can see whether
the defaults were picked to flatter the headline figure (they were set before this sweep; see
BENCHMARKS.md). Recall only: the timings of this script are not measurements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph import HopGraph
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.retrieval import StoreGoldResolver, recall_scores
from hopgraph.reason.doc.options import QAOptions
from hopgraph.reason.doc.pipeline import GraphQA

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"
VARIANTS: list[dict[str, Any]] = [
    {},
    {"passage_reset": 0.2},
    {"passage_reset": 0.5},
    {"damping": 0.85},
    {"gnn_mix": 0.25},
    {"gnn_mix": 0.75},
    {"min_seed_score": 0.0},
    {"hops": 2},
    {"subgraph_nodes": 500, "subgraph_edges": 2000},
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", default=str(ROOT / "benchmarks" / ".work" / "musique"))
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--methods", default="ppr,gnn_ppr,full")
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    items = load_questions(args.questions, "musique")
    rows: list[dict[str, Any]] = []
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, cache_dir=Path(args.graph) / "cache")
        resolver = StoreGoldResolver.from_store(hg.store)
        golds = [[resolver.resolve(g) for g in item.gold] for item in items]
        for change in VARIANTS:
            qa.options = dataclasses.replace(QAOptions(), **change)
            for method in args.methods.split(","):
                r2, r5 = [], []
                for item, gold in zip(items, golds, strict=True):
                    chunks = [c.id for c in qa.retrieve(item.question, method, k=10).chunks]
                    scores = recall_scores(list(dict.fromkeys(resolver.docs_of_chunks(chunks))), gold)
                    r2.append(scores["recall@2"])
                    r5.append(scores["recall@5"])
                row = {"change": change or "defaults", "method": method}
                row |= {"recall@2": round(float(np.mean(r2)), 3), "recall@5": round(float(np.mean(r5)), 3)}
                rows.append(row)
                label = json.dumps(row["change"])
                print(f"{label:48s} {method:8s} R@2 {row['recall@2']:.3f} R@5 {row['recall@5']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"questions": len(items), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
