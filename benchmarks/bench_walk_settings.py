"""Settings of the default walk, fitted on both MuSiQue-100 graphs at once and checked held out.

    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY_GPT --questions Q --cache GPT.pkl
    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY_OFFLINE --questions Q --cache OFF.pkl
    .venv/bin/python benchmarks/bench_walk_settings.py --graph COPY_GPT --cache GPT.pkl \\
        --graph COPY_OFFLINE --cache OFF.pkl --json benchmarks/results/walk_settings.json

Reads the per-question inputs ``bench_graph_fusion.py`` cached (exact dense cosines of every
chunk, the linked seeds, the seeds mixed with the GNN's node scores, the resolved gold passages)
and ranks passages with every combination of:

- ``d``: PageRank damping (share of the mass that follows an edge): 0.5 (HippoRAG, the default),
  0.7, 0.85 (classic PageRank);
- ``n``: dense candidates min-max scaled into the passage restart: 20 or 50 (the default);
- ``rel``: seed relevance: each seed's restart weight times ``floor + (1 - floor) * r``, with r
  the best min-max dense score among the passages that mention the seed (a seed no dense
  candidate mentions counts ``floor``); ``rel-`` is off (the default), ``rel0.2`` floor 0.2;
- ``b``: calibrated dense fusion after the walk: ``(1 - b) * ppr / max(ppr) + b * dense``
  (min-max over the candidates): 0 (the default), 0.1, 0.2, 0.3;
- the passage share of the restart: 0.3, 0.4, 0.5 (the default), 0.6.

For every variant: Recall@2/5 on each graph and the questions won/lost against dense at Recall@5.
Then the check that matters: *joint leave-half-out*, the variant with the best summed R@2 + R@5 on
both graphs picked on a random half of the questions and scored on the other half (50 splits),
beside the default and dense on the same halves; and each graph's best variant scored on the other
graph. No model runs here: about a minute per graph on one core.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.retrieval import recall_scores
from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.ppr import PassageGraph

DEFAULT = "d0.5,n50,rel-,b0.0,0.5"
DAMPINGS = (0.5, 0.7, 0.85)
CANDIDATES = (20, 50)
FLOORS: tuple[float | None, ...] = (None, 0.2)
BETAS = (0.0, 0.1, 0.2, 0.3)
SHARES = (0.3, 0.4, 0.5, 0.6)


def minmax_top(cos: np.ndarray, n: int) -> np.ndarray:
    """The best ``n`` cosines min-max scaled to 1..0, zeros elsewhere."""
    order = np.argsort(-cos, kind="stable")[:n]
    values = cos[order].astype(np.float64)
    low, high = values.min(), values.max()
    out = np.zeros(len(cos))
    out[order] = (values - low) / (high - low) if high > low else 1.0
    return out


def variants_of(graph: str, cache_path: str) -> dict[str, list[dict[str, float]]]:
    """Per variant name, each question's recall scores (the dense ranking under ``dense``)."""
    cache: list[dict[str, Any]] = pickle.loads(Path(cache_path).read_bytes())
    with HopGraph.open(graph) as hg:
        index = GraphIndex.load(hg.store, SentenceTransformerEmbedder(), hg.cache_dir)
    passages = PassageGraph.from_index(index)
    doc_of_row = index.chunk_doc_ids

    def docs(scores: np.ndarray) -> list[str]:
        order = np.argsort(-scores, kind="stable")[:40]
        return list(dict.fromkeys(doc_of_row[int(i)] for i in order))

    out = {"dense": [recall_scores(docs(q["cos"]), q["gold"]) for q in cache]}
    for damping, n in itertools.product(DAMPINGS, CANDIDATES):
        scaled = [minmax_top(q["cos"], n) for q in cache]
        pas = [
            passages.rank_passages({}, {int(i): float(s[i]) for i in np.flatnonzero(s)}, damping)
            for s in scaled
        ]
        for floor in FLOORS:
            ent: list[np.ndarray | None] = []
            for q, s in zip(cache, scaled, strict=True):
                weights = dict(q["mixed"])
                if floor is not None:
                    for row in weights:
                        rows = index.passages_of_entity(row)
                        best = float(s[rows].max()) if len(rows) else 0.0
                        weights[row] *= floor + (1.0 - floor) * best
                ent.append(passages.rank_passages(weights, {}, damping) if weights else None)
            for beta, share in itertools.product(BETAS, SHARES):
                name = f"d{damping},n{n},rel{'-' if floor is None else floor},b{beta},{share}"
                rows_: list[dict[str, float]] = []
                for q, s, e, p in zip(cache, scaled, ent, pas, strict=True):
                    if e is None:  # no seed: the dense ranking (as the pipeline does)
                        rows_.append(recall_scores(docs(q["cos"]), q["gold"]))
                        continue
                    walk = (1.0 - share) * e + share * p
                    top = walk.max()
                    score = (1.0 - beta) * (walk / top if top > 0 else walk) + beta * s
                    rows_.append(recall_scores(docs(score), q["gold"]))
                out[name] = rows_
    return out


def _mean(rows: list[dict[str, float]], keep: list[int], key: str) -> float:
    return float(np.mean([rows[i][key] for i in keep]))


def summarise(runs: list[dict[str, list[dict[str, float]]]], splits: int = 50) -> dict[str, Any]:
    names = [n for n in runs[0] if n != "dense"]
    n_q = len(runs[0]["dense"])
    every = list(range(n_q))

    def total(name: str, keep: list[int]) -> float:
        return sum(_mean(r[name], keep, "recall@2") + _mean(r[name], keep, "recall@5") for r in runs)

    table: dict[str, Any] = {}
    for name in ["dense", *names]:
        table[name] = []
        for run in runs:
            rows, base = run[name], run["dense"]
            table[name].append(
                {
                    "recall@2": _mean(rows, every, "recall@2"),
                    "recall@5": _mean(rows, every, "recall@5"),
                    "wins@5": sum(r["recall@5"] > b["recall@5"] for r, b in zip(rows, base, strict=True)),
                    "losses@5": sum(r["recall@5"] < b["recall@5"] for r, b in zip(rows, base, strict=True)),
                }
            )
    rng = random.Random(0)
    held: list[list[float]] = []
    picked: dict[str, int] = {}
    for _ in range(splits):
        order = every[:]
        rng.shuffle(order)
        fit, test = order[: n_q // 2], order[n_q // 2 :]
        best = max(names, key=lambda m: total(m, fit))
        picked[best] = picked.get(best, 0) + 1
        held.append(
            [
                _mean(run[m], test, key)
                for m in (best, DEFAULT, "dense")
                for run in runs
                for key in ("recall@2", "recall@5")
            ]
        )
    means = np.mean(held, axis=0).round(3).tolist()
    per = 2 * len(runs)
    lho = {
        "picked_on_half": means[:per],
        "default_same_halves": means[per : 2 * per],
        "dense_same_halves": means[2 * per :],
        "picks": dict(sorted(picked.items(), key=lambda kv: -kv[1])),
    }
    across = []
    for i, fit_run in enumerate(runs):
        best = max(
            names, key=lambda m: _mean(fit_run[m], every, "recall@2") + _mean(fit_run[m], every, "recall@5")
        )
        across.append({"fit_on": i, "picked": best, "scores": table[best]})
    return {"variants": table, "joint_leave_half_out": lho, "across_graphs": across}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", action="append", required=True, help="a graph copy (repeat: one per cache)")
    ap.add_argument("--cache", action="append", required=True, help="bench_graph_fusion.py --cache file")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if len(args.graph) != len(args.cache):
        ap.error("give one --cache per --graph")
    runs = [variants_of(g, c) for g, c in zip(args.graph, args.cache, strict=True)]
    result = summarise(runs)
    result["graphs"] = args.graph
    top = sorted(
        result["variants"].items(), key=lambda kv: -sum(s["recall@2"] + s["recall@5"] for s in kv[1])
    )
    print("variant (R@2 / R@5 / wins-losses vs dense @5, one column per graph), best 12 by summed recall:")
    for name, scores in [
        ("dense", result["variants"]["dense"]),
        (DEFAULT, result["variants"][DEFAULT]),
        *top[:12],
    ]:
        cells = "  |  ".join(
            f"{s['recall@2']:.3f} / {s['recall@5']:.3f} / +{s['wins@5']}-{s['losses@5']}" for s in scores
        )
        print(f"{name:28s} {cells}")
    lho = result["joint_leave_half_out"]
    print("joint leave-half-out (R@2, R@5 per graph):")
    for key in ("picked_on_half", "default_same_halves", "dense_same_halves"):
        print(f"  {key:22s} {lho[key]}")
    print(f"  picks: {list(lho['picks'].items())[:5]}")
    for row in result["across_graphs"]:
        print(f"fitted on graph {row['fit_on']}: {row['picked']} -> {row['scores']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
