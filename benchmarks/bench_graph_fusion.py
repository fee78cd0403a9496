"""How graph retrieval should combine with dense retrieval: per-question figures for the choices
behind the default method, with leave-half-out checks of anything fitted.

    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY \\
        --questions ../shared/data/musique100/questions.json --json benchmarks/results/graph_fusion_X.json

For each question it computes once, on the graph's in-memory index: the question vector, exact
cosine of every chunk (title-aware chunk vectors read from the store), the linked seeds and the
GNN's restart weights; then ranks passages with each variant (Personalized PageRank with a share
of the restart mass on passages by dense score, dense and PPR fused, ...) and scores Recall@2/5
against the gold passages, with per-question wins/losses against dense. ``--compare A.json B.json``
reports, for each family of variants, the passage share picked on one random half of the
questions scored on the other half (20 splits), and the share fitted on one graph scored on the
other. No LLM; one torch thread.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.gold import StoreGoldResolver
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.retrieval import recall_scores
from hopgraph.reason.doc.options import Retrieval
from hopgraph.reason.doc.pipeline import GraphQA, _Clock


def chunk_matrix(hg: HopGraph, chunk_ids: list[str]) -> np.ndarray:
    rows = hg.store.cypher("MATCH (c:Chunk) RETURN c.id AS id, c.embedding AS v")
    by_id = {r["id"]: r["v"] for r in rows}
    m = np.asarray([by_id[c] for c in chunk_ids], dtype=np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def families(variants: dict[str, Any]) -> dict[str, list[str]]:
    """Variant names grouped by everything but their last parameter (the passage share)."""
    out: dict[str, list[str]] = {}
    for name in variants:
        if name.endswith("]") and "," in name:
            out.setdefault(name.rsplit(",", 1)[0], []).append(name)
    return out


def _score(v: dict[str, Any], rows: list[int]) -> tuple[float, float]:
    return (
        float(np.mean([v["per_question@2"][i] for i in rows])),
        float(np.mean([v["per_question@5"][i] for i in rows])),
    )


def leave_half_out(variants: dict[str, Any], splits: int = 20, seed: int = 0) -> dict[str, Any]:
    """Per family: the share picked on a random half (best R@2 + R@5), scored on the other half."""
    n = len(variants["dense"]["per_question@5"])
    rng = random.Random(seed)
    halves = []
    for _ in range(splits):
        order = list(range(n))
        rng.shuffle(order)
        halves.append((order[: n // 2], order[n // 2 :]))
    out: dict[str, Any] = {}
    for family, names in families(variants).items():
        held: list[tuple[float, float]] = []
        dense: list[tuple[float, float]] = []
        picked: dict[str, int] = {}
        for fit, test in halves:
            best = max(names, key=lambda m: sum(_score(variants[m], fit)))
            picked[best.rsplit(",", 1)[1].rstrip("]")] = picked.get(best.rsplit(",", 1)[1].rstrip("]"), 0) + 1
            held.append(_score(variants[best], test))
            dense.append(_score(variants["dense"], test))
        out[family] = {
            "held_out_recall@2": float(np.mean([h[0] for h in held])),
            "held_out_recall@5": float(np.mean([h[1] for h in held])),
            "dense_same_halves_recall@2": float(np.mean([d[0] for d in dense])),
            "dense_same_halves_recall@5": float(np.mean([d[1] for d in dense])),
            "picked": picked,
        }
    return out


def compare(paths: list[str]) -> dict[str, Any]:
    """Leave-half-out per graph, and each family's share fitted on one graph scored on the other."""
    runs = {p: json.loads(Path(p).read_text())["variants"] for p in paths}
    out: dict[str, Any] = {"leave_half_out": {p: leave_half_out(v) for p, v in runs.items()}, "across": {}}
    for fit_path, fit in runs.items():
        for test_path, test in runs.items():
            if fit_path == test_path:
                continue
            every = list(range(len(fit["dense"]["per_question@5"])))
            rows = list(range(len(test["dense"]["per_question@5"])))
            for family, names in families(fit).items():
                best = max(names, key=lambda m: sum(_score(fit[m], every)))
                r2, r5 = _score(test[best], rows)
                out["across"].setdefault(family, []).append(
                    {"fit": fit_path, "test": test_path, "picked": best, "recall@2": r2, "recall@5": r5}
                )
    for path, fams in out["leave_half_out"].items():
        print(f"== leave-half-out on {path} (20 splits; dense on the same halves)")
        for family, r in fams.items():
            print(
                f"{family:40s} R@2 {r['held_out_recall@2']:.3f} R@5 {r['held_out_recall@5']:.3f} "
                f"(dense {r['dense_same_halves_recall@2']:.3f} / {r['dense_same_halves_recall@5']:.3f}) "
                f"picked {r['picked']}"
            )
    print("== fitted on one graph, scored on the other")
    for family, rows_ in out["across"].items():
        for r in rows_:
            print(
                f"{family:40s} {r['picked']:45s} on {r['test']}: "
                f"R@2 {r['recall@2']:.3f} R@5 {r['recall@5']:.3f}"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph")
    ap.add_argument("--questions")
    ap.add_argument(
        "--compare", nargs="+", metavar="JSON", help="leave-half-out and cross-graph fits of runs"
    )
    ap.add_argument("--format", default="musique")
    ap.add_argument("--json")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--cache", help="pickle of the per-question inputs: read when present, else written")
    args = ap.parse_args(argv)
    if args.compare:
        result = compare(args.compare)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
        return 0
    import torch

    torch.set_num_threads(1)
    embedder = SentenceTransformerEmbedder()
    items = load_questions(args.questions, args.format)[: args.limit]
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, embedder=embedder, cache_dir=hg.cache_dir)
        index = qa.index
        resolver = StoreGoldResolver.from_store(hg.store)
        chunks = chunk_matrix(hg, index.chunk_ids)
        doc_of_row = index.chunk_doc_ids
        started = time.perf_counter()
        cache: list[dict[str, Any]] = []
        if args.cache and Path(args.cache).exists():
            cache = pickle.loads(Path(args.cache).read_bytes())
        for item in items[len(cache) :]:
            vector = embedder.embed([item.question])[0]
            cos = chunks @ (vector / max(np.linalg.norm(vector), 1e-12))
            out = Retrieval(item.question, "gnn_ppr", [])
            out.seeds = qa.link(item.question)
            seeds = qa._entity_weights(out.seeds)
            graph, scored = qa._score(vector, out, _Clock({}))
            mixed = qa._mix(seeds, graph, scored)
            gold = [resolver.resolve(g) for g in item.gold]
            cache.append(
                {
                    "cos": cos,
                    "seeds": seeds,
                    "top_seed": max((s.score for s in out.seeds), default=0.0),
                    "mixed": mixed,
                    "gold": gold,
                }
            )
        if args.cache:
            Path(args.cache).write_bytes(pickle.dumps(cache))
        prep = time.perf_counter() - started
        passages = qa.passages

        def docs(scores: np.ndarray) -> list[str]:
            order = np.argsort(-scores, kind="stable")[:40]
            return list(dict.fromkeys(doc_of_row[int(i)] for i in order))

        def top_dense(cos: np.ndarray, n: int = 50) -> dict[int, float]:
            order = np.argsort(-cos, kind="stable")[:n]
            return {int(i): float(cos[int(i)]) for i in order if cos[int(i)] > 0}

        def dense_reset(cos: np.ndarray, style: str, n: int = 50) -> dict[int, float]:
            order = np.argsort(-cos, kind="stable")[: len(cos) if style == "minmax_all" else n]
            values = cos[order].astype(np.float64)
            if style != "raw":  # HippoRAG 2: min-max normalised dense scores
                lo, hi = values.min(), values.max()
                values = (values - lo) / (hi - lo) if hi > lo else np.ones_like(values)
            return {int(i): float(v) for i, v in zip(order, values, strict=True) if v > 0}

        # the restart is linear: PPR with passage share m is (1-m) * entity part + m * passage part
        parts: list[dict[str, np.ndarray]] = []
        for q in cache:
            part = {}
            for key in ("seeds", "mixed"):
                part[key] = passages.rank_passages(q[key], {}, 0.5)
            for style in ("raw", "minmax", "minmax_all"):
                part[style] = passages.rank_passages({}, dense_reset(q["cos"], style), 0.5)
            parts.append(part)

        def blend(n: int, key: str, style: str, mass: float) -> np.ndarray:
            part, q = parts[n], cache[n]
            if not q[key]:
                return q["cos"]  # no seed: the dense ranking itself
            return (1.0 - mass) * part[key] + mass * part[style]

        def rrf(*rankings: np.ndarray) -> np.ndarray:
            out = np.zeros_like(rankings[0], dtype=np.float64)
            for scores in rankings:
                order = np.argsort(-scores, kind="stable")[:50]
                out[order] += 1.0 / (60 + 1 + np.arange(len(order)))
            return out

        masses = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9)
        variants: dict[str, Callable[[int], np.ndarray]] = {
            "dense": lambda n: cache[n]["cos"],
            "passages_only[minmax]": lambda n: parts[n]["minmax"],
        }
        for key in ("seeds", "mixed"):
            for style in ("raw", "minmax", "minmax_all"):
                for mass in masses:
                    variants[f"ppr[{key},{style},{mass}]"] = lambda n, k=key, st=style, m=mass: blend(
                        n, k, st, m
                    )
                    variants[f"rrf_dense+ppr[{key},{style},{mass}]"] = lambda n, k=key, st=style, m=mass: rrf(
                        cache[n]["cos"], blend(n, k, st, m)
                    )
        per_q: dict[str, list[dict[str, float]]] = {}
        for name, fn in variants.items():
            per_q[name] = [recall_scores(docs(fn(n)), q["gold"]) for n, q in enumerate(cache)]
        table: dict[str, dict[str, Any]] = {}
        base = per_q["dense"]
        for name, rows in per_q.items():
            r2 = [r["recall@2"] for r in rows]
            r5 = [r["recall@5"] for r in rows]
            wins = sum(r["recall@5"] > b["recall@5"] for r, b in zip(rows, base, strict=True))
            losses = sum(r["recall@5"] < b["recall@5"] for r, b in zip(rows, base, strict=True))
            table[name] = {
                "recall@2": float(np.mean(r2)),
                "recall@5": float(np.mean(r5)),
                "wins@5": wins,
                "losses@5": losses,
                "per_question@2": r2,
                "per_question@5": r5,
            }
            print(f"{name:45s} R@2 {np.mean(r2):.3f} R@5 {np.mean(r5):.3f}  vs dense @5 +{wins}/-{losses}")
        result = {"graph": args.graph, "questions": len(items), "prep_seconds": prep, "variants": table}
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
