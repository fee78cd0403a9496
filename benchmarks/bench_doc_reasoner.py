"""Document-graph reasoner on MuSiQue-100: speed, answer reach and provenance of the paths.

    cp -r benchmarks/.work/musique /tmp/b-mq        # the embedded store allows one process
    .venv/bin/python benchmarks/bench_doc_reasoner.py --graph /tmp/b-mq [--limit N]

For each question: seeds from retrieval's linker (``link_seeds`` with the graph index), the
subgraph around them (``--hops 2,3``; from an in-memory ``RelationTable`` built from retrieval's
GraphIndex arrays, or ``--fetch store`` for ``store.subgraph``), ``ScoringGraph.build`` (entity
and predicate vectors from the GraphIndex), ``DocScorer`` zero-shot
variants and ``find_paths``. Reports ms per stage (p50/p95), how often a path ends at the gold
answer (name or alias, case-insensitive; seeds left out) among the top 1/5 distinct path ends,
the same for the node-score ranking, how often the answer is in the subgraph at all, and how often
the top 5 paths' provenance chunks include a gold supporting passage (and the share of gold
passages they cover). Writes benchmarks/results/doc_reasoner.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.reason.doc.paths import find_paths, terminal_entities
from hopgraph.reason.doc.scorer import DocScorer, DocScorerConfig, load_doc_scorer
from hopgraph.reason.doc.subgraph import RelationTable, ScoringGraph
from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.linking import link_seeds
from hopgraph.types import ScoredId

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"
RESULTS = ROOT / "benchmarks" / "results" / "doc_reasoner.json"

VARIANTS: dict[str, dict[str, Any]] = {
    "zero-shot": {},
    "no-query-update": {"query_update": 0.0},
    "far0.3": {"far_weight": 0.3},
    "far0.3-no-update": {"far_weight": 0.3, "query_update": 0.0},
    "sum-aggr": {"aggr": "sum"},
    "no-stop": {"stop": 0.0},
    "t0.1": {"temperature": 0.1},
    "no-stop-penalty": {"stop_penalty": False},
}
"""Scorer config overrides (``stop_penalty`` goes to find_paths)."""


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def gold_chunks(hg: HopGraph, items: list[dict[str, Any]]) -> list[set[str]]:
    rows = hg.cypher(
        "MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk) RETURN d.title AS title, c.text AS text, c.id AS id"
    )
    by_key = {(norm(r["title"] or ""), norm(r["text"] or "")): r["id"] for r in rows}
    by_text = {norm(r["text"] or ""): r["id"] for r in rows}
    out = []
    for item in items:
        found = set()
        for p in item["paragraphs"]:
            if p.get("is_supporting"):
                key = (norm(p["title"]), norm(p["paragraph_text"]))
                cid = by_key.get(key) or by_text.get(key[1])
                if cid:
                    found.add(cid)
        out.append(found)
    return out


def add_dense_seeds(
    seeds: list[ScoredId], ids: list[str], vectors: np.ndarray, qv: np.ndarray, k: int
) -> list[ScoredId]:
    """Linked seeds (scores scaled to 0..1) plus the ``k`` entities nearest the question."""
    top = max((s.score for s in seeds), default=1.0) or 1.0
    out = {s.id: ScoredId(s.id, s.score / top, s.text) for s in seeds}
    sims = vectors @ qv
    for i in np.argsort(-sims)[:k]:
        if sims[i] >= 0.5 and ids[int(i)] not in out:
            out[ids[int(i)]] = ScoredId(ids[int(i)], float(sims[i]))
    return list(out.values())


@dataclass
class Resources:
    """What every question needs, loaded once."""

    source: str
    linker: str
    link: Callable[[str, np.ndarray], list[ScoredId]]
    entities: Callable[[list[str]], np.ndarray]
    predicates: Callable[[list[str]], np.ndarray]
    relations: RelationTable
    entity_ids: list[str]
    entity_vectors: np.ndarray
    load_s: float


def load_resources(hg: HopGraph, embedder: SentenceTransformerEmbedder, folder: Path) -> Resources:
    """Retrieval's GraphIndex (cached under the graph folder) and the seed linker."""
    started = time.perf_counter()
    index = GraphIndex.load(hg.store, embedder, folder / "cache")

    def link(q: str, v: np.ndarray) -> list[ScoredId]:
        return list(link_seeds(hg.store, q, embedder, index=index, k=10))

    return Resources(
        "graph_index",
        "link_seeds",
        link,
        index.entity_vectors_by_id,
        index.predicate_vectors_of,
        RelationTable.from_index_arrays(index.arrays),
        index.entity_ids,
        index.arrays["entity_vecs"],
        time.perf_counter() - started,
    )


def prepare(
    hg: HopGraph,
    res: Resources,
    items: list[dict[str, Any]],
    qvecs: np.ndarray,
    args: argparse.Namespace,
    hops: int,
) -> tuple[list[tuple[Any, ...]], dict[str, list[float]]]:
    prepared = []
    timing: dict[str, list[float]] = {"link": [], "fetch": [], "build": []}
    for item, qv in zip(items, qvecs, strict=True):
        t0 = time.perf_counter()
        seeds = res.link(item["question"], qv)
        if args.dense_seeds:
            seeds = add_dense_seeds(seeds, res.entity_ids, res.entity_vectors, qv, args.dense_seeds)
        t1 = time.perf_counter()
        fetch = res.relations.subgraph if args.fetch == "memory" else hg.store.subgraph
        sub = fetch([s.id for s in seeds], hops=hops, max_nodes=500, max_edges=2000)
        t2 = time.perf_counter()
        graph = ScoringGraph.build(sub, seeds, res.entities, res.predicates)
        t3 = time.perf_counter()
        timing["link"].append((t1 - t0) * 1e3)
        timing["fetch"].append((t2 - t1) * 1e3)
        timing["build"].append((t3 - t2) * 1e3)
        prepared.append((item, qv, seeds, sub, graph))
    return prepared, timing


def evaluate(
    prepared: list[tuple[Any, ...]],
    golds: list[set[str]],
    timing: dict[str, list[float]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    dim = int(prepared[0][1].shape[0])
    for name in args.variants.split(","):
        overrides = dict(VARIANTS[name])
        stop_penalty = bool(overrides.pop("stop_penalty", True))
        config = DocScorerConfig(dim=dim, hops=args.path_hops, **overrides)
        model = load_doc_scorer(args.weights)[0] if args.weights else DocScorer(config).eval()
        score_ms, path_ms = [], []
        hit1 = hit5 = node1 = node5 = in_sub = prov_any = 0
        prov_frac: list[float] = []
        for (item, qv, _seeds, _sub, graph), gold in zip(prepared, golds, strict=True):
            answers = {norm(a) for a in [item["answer"], *item.get("answer_aliases", [])]}
            seed_names = [graph.names[r] for r in graph.seed_rows]
            t0 = time.perf_counter()
            with torch.no_grad():
                scored = model(graph, qv)
            t1 = time.perf_counter()
            paths = find_paths(
                graph,
                scored,
                hops=args.path_hops,
                beam=args.beam,
                limit=args.top_paths,
                stop_penalty=stop_penalty,
            )
            t2 = time.perf_counter()
            score_ms.append((t1 - t0) * 1e3)
            path_ms.append((t2 - t1) * 1e3)
            ends = [norm(n) for n, _ in terminal_entities(paths, exclude=seed_names)]
            hit1 += int(bool(ends[:1]) and ends[0] in answers)
            hit5 += int(any(e in answers for e in ends[:5]))
            seed_set = set(graph.seed_rows)
            ranked = [
                int(i) for i in torch.argsort(scored.node_scores, descending=True) if int(i) not in seed_set
            ]
            names = [norm(graph.names[i]) for i in ranked if float(scored.node_scores[i]) > 0][:5]
            node1 += int(bool(names[:1]) and names[0] in answers)
            node5 += int(any(n in answers for n in names))
            in_sub += int(any(norm(n) in answers for n in graph.names))
            chunks = {c for p in paths[:5] for h in p.hops for c in h.chunk_ids}
            prov_any += int(bool(chunks & gold))
            prov_frac.append(len(chunks & gold) / len(gold) if gold else 0.0)
        n = len(prepared)
        totals = [
            f + b + s + p
            for f, b, s, p in zip(timing["fetch"], timing["build"], score_ms, path_ms, strict=True)
        ]
        results[name] = {
            "config": VARIANTS[name],
            "path_answer@1": hit1 / n,
            "path_answer@5": hit5 / n,
            "node_answer@1": node1 / n,
            "node_answer@5": node5 / n,
            "answer_in_subgraph": in_sub / n,
            "provenance_has_gold@top5paths": prov_any / n,
            "provenance_gold_fraction@top5paths": statistics.fmean(prov_frac) if prov_frac else 0.0,
            "ms": {
                "score_p50": pct(score_ms, 50),
                "paths_p50": pct(path_ms, 50),
                "fetch_build_score_paths_p50": pct(totals, 50),
                "fetch_build_score_paths_p95": pct(totals, 95),
            },
        }
        row = results[name]
        print(
            f"{name:18s} "
            + " ".join(f"{k}={v:.2f}" for k, v in row.items() if isinstance(v, float))
            + f" | ms p50 score {row['ms']['score_p50']:.1f} paths {row['ms']['paths_p50']:.1f}"
            + f" fetch..paths {row['ms']['fetch_build_score_paths_p50']:.1f}"
            + f" (p95 {row['ms']['fetch_build_score_paths_p95']:.1f})"
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", default="/tmp/b-mq")
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--hops", default="2,3", help="subgraph hops to try, comma-separated")
    parser.add_argument("--path-hops", type=int, default=3)
    parser.add_argument("--beam", type=int, default=16)
    parser.add_argument("--top-paths", type=int, default=10)
    parser.add_argument(
        "--fetch",
        choices=["memory", "store"],
        default="memory",
        help="subgraph from an in-memory RelationTable or from store.subgraph",
    )
    parser.add_argument("--weights", metavar="FILE", help="trained scorer (default: zero-shot variants)")
    parser.add_argument(
        "--dense-seeds",
        type=int,
        default=0,
        metavar="K",
        help="also seed the K entities nearest the question vector (cosine >= 0.5)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    items = json.loads(Path(args.questions).read_text())[: args.limit]
    embedder = SentenceTransformerEmbedder()
    runs: dict[str, Any] = {}
    with HopGraph.open(args.graph) as hg:
        res = load_resources(hg, embedder, Path(args.graph))
        golds = gold_chunks(hg, items)
        qvecs = embedder.embed([it["question"] for it in items])
        for hops in [int(h) for h in args.hops.split(",")]:
            prepared, timing = prepare(hg, res, items, qvecs, args, hops)
            sizes = [(g.num_nodes, g.num_edges) for *_, g in prepared]
            print(f"-- subgraph hops {hops}: nodes p50 {pct([float(s[0]) for s in sizes], 50):.0f}")
            runs[f"subgraph_hops_{hops}"] = {
                "nodes_p50": pct([float(s[0]) for s in sizes], 50),
                "edges_p50": pct([float(s[1]) for s in sizes], 50),
                "edges_max": max((s[1] for s in sizes), default=0),
                "questions_with_seeds": sum(1 for p in prepared if p[2]),
                "ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95)} for k, v in timing.items()},
                "variants": evaluate(prepared, golds, timing, args),
            }
    out = {
        "questions": len(items),
        "source": res.source,
        "linker": res.linker,
        "dense_seeds": args.dense_seeds,
        "fetch": args.fetch,
        "weights": args.weights,
        "path_hops": args.path_hops,
        "beam": args.beam,
        "threads": args.threads,
        "questions_with_gold_chunk_resolved": sum(1 for g in golds if g),
        "resources_load_s": res.load_s,
        "runs": runs,
        "machine": platform.processor() or platform.machine(),
        "command": "python benchmarks/bench_doc_reasoner.py " + " ".join(sys.argv[1:]),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
