"""Retrieval parts on MuSiQue-100: passage recall and per-query time of each retriever.

    cp -r benchmarks/.work/musique /tmp/a-mq   # only while nobody has it open
    .venv/bin/python benchmarks/bench_retrieval_parts.py --graph /tmp/a-mq \
        --json benchmarks/results/retrieval_parts.json

Recall@k is per document: a method's ranked chunks collapse to distinct documents in order, and
recall = |gold docs in the top k| / |gold docs|, averaged over the 100 questions. Gold documents
are the ``is_supporting`` paragraphs matched to the graph's Documents by (title, text).
Methods: ``dense`` (the store's HNSW index, over-fetching 50), ``dense_k`` (asking for k only),
``dense_exact`` (exact cosine over all chunk vectors, for reference), ``fulltext``, ``hybrid``
(RRF of dense and fulltext), ``ppr*`` (Personalized PageRank with seeds from ``link_seeds`` and
reset on the dense candidates by score) under several settings. Times are per query and
exclude the question embedding, which is reported on its own (``embed_question``), as is linking.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.retrieval import recall_scores
from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.linking import link_seeds, load_spacy
from hopgraph.retrieval.ppr import PassageGraph
from hopgraph.retrieval.text import dense_chunks, fulltext_chunks, reciprocal_rank_fusion
from hopgraph.types import ScoredId

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"
CANDIDATES = 50


def _key(title: str, text: str) -> tuple[str, str]:
    return " ".join(title.split()), " ".join(text.split())


def gold_documents(store: FalkorDBStore, questions: list[dict[str, Any]]) -> tuple[list[set[str]], int]:
    rows = store.cypher(
        "MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk) RETURN d.id AS d, d.title AS t, c.text AS x"
    )
    by_key = {_key(r["t"] or "", r["x"] or ""): r["d"] for r in rows}
    gold: list[set[str]] = []
    missing = 0
    for q in questions:
        docs = set()
        for p in q["paragraphs"]:
            if p["is_supporting"]:
                doc = by_key.get(_key(p["title"], p["paragraph_text"]))
                if doc is None:
                    missing += 1
                else:
                    docs.add(doc)
        gold.append(docs)
    return gold, missing


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", default="/tmp/a-mq", help="a COPY of benchmarks/.work/musique")
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--json", default="")
    parser.add_argument("--no-spacy", action="store_true")
    parser.add_argument("--keep-cache", action="store_true", help="do not time a cold index load")
    args = parser.parse_args()
    questions = json.loads(Path(args.questions).read_text())
    graph = Path(args.graph)
    cache = graph / "cache"

    t = time.perf_counter()
    store = FalkorDBStore(graph)
    open_s = time.perf_counter() - t
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    load = os.getloadavg()[0]
    nlp = None if args.no_spacy else load_spacy()
    if nlp is not None:
        nlp("warm up")
    if not args.keep_cache:
        shutil.rmtree(cache, ignore_errors=True)
    t = time.perf_counter()
    index = GraphIndex.load(store, embedder, cache)
    cold_s = time.perf_counter() - t
    cached_runs = []
    for _ in range(3):
        t = time.perf_counter()
        index = GraphIndex.load(store, embedder, cache)
        cached_runs.append(time.perf_counter() - t)
    t = time.perf_counter()
    graphs = {"syn": PassageGraph.from_index(index), "nosyn": PassageGraph.from_index(index, synonyms=False)}
    graph_s = time.perf_counter() - t
    print(
        f"store open {open_s:.1f}s; index cold {cold_s:.1f}s, cached {min(cached_runs) * 1000:.0f} ms; "
        f"passage graphs {graph_s * 1000:.0f} ms; entities {index.num_entities}, chunks {index.num_chunks}, "
        f"predicates {len(index.predicates)}, synonym edges {len(index.arrays['syn_src'])}"
    )

    gold, missing = gold_documents(store, questions)
    doc_of = dict(zip(index.chunk_ids, index.chunk_doc_ids, strict=True))
    texts = [q["question"] for q in questions]
    embed_ms = []
    for q in texts[:20]:
        t = time.perf_counter()
        embedder.embed([q])
        embed_ms.append((time.perf_counter() - t) * 1000)
    vectors = embedder.embed(texts)
    chunk_rows = store.cypher("MATCH (c:Chunk) RETURN c.id AS id, c.embedding AS v")
    exact_ids = [r["id"] for r in chunk_rows]
    exact_vecs = np.asarray([r["v"] for r in chunk_rows], dtype=np.float32)

    results: dict[str, dict[str, list[float]]] = {}

    def record(name: str, i: int, ranked: Sequence[ScoredId], ms: float) -> None:
        docs = list(dict.fromkeys(doc_of.get(h.id, h.id) for h in ranked))
        scores = recall_scores(docs, [frozenset({d}) for d in gold[i]]) if gold[i] else {}
        row = results.setdefault(name, {"r2": [], "r5": [], "ms": []})
        row["r2"].append(scores.get("recall@2", 0.0))
        row["r5"].append(scores.get("recall@5", 0.0))
        row["ms"].append(ms)

    def timed(fn: Callable[[], list[ScoredId]]) -> tuple[list[ScoredId], float]:
        t0 = time.perf_counter()
        out = fn()
        return out, (time.perf_counter() - t0) * 1000

    link_ms: list[float] = []
    link_store_ms: list[float] = []
    link_nospacy_ms: list[float] = []
    seeds_found = 0
    for i, (q, v) in enumerate(zip(texts, vectors, strict=True)):
        dense, ms = timed(partial(dense_chunks, store, v, CANDIDATES))
        record("dense", i, dense, ms)
        record("dense_k", i, *timed(partial(dense_chunks, store, v, 5, min_fetch=5)))
        record("dense_f200", i, *timed(partial(dense_chunks, store, v, CANDIDATES, min_fetch=200)))
        t = time.perf_counter()
        sims = exact_vecs @ v
        top = np.argsort(-sims)[:CANDIDATES]
        exact = [ScoredId(exact_ids[j], float(sims[j])) for j in top]
        record("dense_exact", i, exact, (time.perf_counter() - t) * 1000)
        text, ms_t = timed(partial(fulltext_chunks, store, q, CANDIDATES))
        record("fulltext", i, text, ms_t)
        record("hybrid", i, *timed(partial(reciprocal_rank_fusion, [dense, text])))
        bm25, ms_b = timed(partial(index.bm25_chunks, q, CANDIDATES))
        record("bm25", i, bm25, ms_b)
        record("hybrid_bm25", i, *timed(partial(reciprocal_rank_fusion, [dense, bm25])))
        seeds, ms_l = timed(partial(link_seeds, store, q, embedder, nlp=nlp, index=index))
        link_ms.append(ms_l)
        if i < 30:  # the store's vector index instead of the in-memory one
            link_store_ms.append(timed(partial(link_seeds, store, q, embedder, nlp=nlp))[1])
        plain, ms_p = timed(partial(link_seeds, store, q, embedder, use_spacy=False))
        link_nospacy_ms.append(ms_p)
        no_spacy = {r: s.score for s in plain if (r := index.entity_row(s.id)) is not None}
        seeds_found += bool(seeds)
        ents = {r: s.score for s in seeds if (r := index.entity_row(s.id)) is not None}
        strict = {r: s.score for s in seeds if s.score >= 0.8 and (r := index.entity_row(s.id)) is not None}
        pas = {r: max(h.score, 0.0) for h in dense if (r := index.chunk_row(h.id)) is not None}
        settings: dict[str, tuple[str, float, float, bool, bool]] = {
            # name: graph, damping, passage mass, specificity, use seeds
            "ppr": ("syn", 0.5, 0.05, True, True),
            "ppr_d0.85": ("syn", 0.85, 0.05, True, True),
            "ppr_mass0": ("syn", 0.5, 0.0, True, True),
            "ppr_mass0.2": ("syn", 0.5, 0.2, True, True),
            "ppr_mass0.5": ("syn", 0.5, 0.5, True, True),
            "ppr_nosyn": ("nosyn", 0.5, 0.05, True, True),
            "ppr_nospec": ("syn", 0.5, 0.05, False, True),
            "ppr_d0.85_mass0.2": ("syn", 0.85, 0.2, True, True),
            "ppr_noseeds": ("syn", 0.5, 1.0, True, False),
            "ppr_strict": ("syn", 0.5, 0.05, True, True),
            "ppr_strict_mass0.2": ("syn", 0.5, 0.2, True, True),
            "ppr_strict_mass0.5": ("syn", 0.5, 0.5, True, True),
            "ppr_mass0.5_nospec": ("syn", 0.5, 0.5, False, True),
            "ppr_mass0.5_nosyn": ("nosyn", 0.5, 0.5, True, True),
            "ppr_d0.85_mass0.5": ("syn", 0.85, 0.5, True, True),
            "ppr_nospacy": ("syn", 0.5, 0.05, True, True),
            "ppr_nospacy_mass0.5": ("syn", 0.5, 0.5, True, True),
        }
        for name, (g, damping, mass, spec, use_seeds) in settings.items():
            t = time.perf_counter()
            scores = graphs[g].rank_passages(
                (strict if "strict" in name else no_spacy if "nospacy" in name else ents)
                if use_seeds
                else {},
                pas,
                damping,
                passage_mass=mass,
                specificity=spec,
            )
            top = np.argsort(-scores, kind="stable")[:CANDIDATES]
            ranked = [ScoredId(index.chunk_ids[j], float(scores[j])) for j in top if scores[j] > 0]
            ms = (time.perf_counter() - t) * 1000
            if name == "ppr":
                record("ppr+dense+bm25_rrf", i, reciprocal_rank_fusion([ranked, dense, bm25]), ms)
            record(name, i, ranked, ms)

    table = {
        name: {
            "recall@2": round(float(np.mean(r["r2"])), 4),
            "recall@5": round(float(np.mean(r["r5"])), 4),
            "ms_p50": p50(r["ms"]),
            "ms_p95": round(float(np.percentile(r["ms"], 95)), 3),
        }
        for name, r in results.items()
    }
    print(f"{'method':<20} {'R@2':>7} {'R@5':>7} {'ms p50':>8} {'ms p95':>8}")
    for name, row in table.items():
        print(
            f"{name:<20} {row['recall@2']:>7.4f} {row['recall@5']:>7.4f} "
            f"{row['ms_p50']:>8.2f} {row['ms_p95']:>8.2f}"
        )
    print(
        f"embed question p50 {p50(embed_ms):.1f} ms; link_seeds p50 {p50(link_ms):.1f} ms "
        f"(store vector index: {p50(link_store_ms):.1f} ms, no spaCy: {p50(link_nospacy_ms):.1f} ms); "
        f"questions with seeds {seeds_found}/100; "
        f"gold paragraphs not found {missing}"
    )
    out = {
        "questions": len(questions),
        "gold_paragraphs_missing": missing,
        "methods": table,
        "timings_ms": {
            "embed_question_p50": p50(embed_ms),
            "link_seeds_p50": p50(link_ms),
            "link_seeds_store_vector_index_p50": p50(link_store_ms),
            "link_seeds_no_spacy_p50": p50(link_nospacy_ms),
            "index_load_cold": round(cold_s * 1000, 1),
            "index_load_cached": round(min(cached_runs) * 1000, 1),
            "passage_graphs_build": round(graph_s * 1000, 1),
            "store_open": round(open_s * 1000, 1),
        },
        "questions_with_seeds": seeds_found,
        "spacy": nlp is not None,
        "index": {
            "entities": index.num_entities,
            "chunks": index.num_chunks,
            "relations": len(index.arrays["rel_src"]),
            "mentions": len(index.arrays["mention_chunk"]),
            "predicates": len(index.predicates),
            "synonym_edges": len(index.arrays["syn_src"]),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": round(load, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2),
        },
    }
    store.close()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
