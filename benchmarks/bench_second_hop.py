"""The second hop from the first hop's passages (issue 11, session 8): does a passage found from
``full``'s best passages raise Recall@5 where the question never names the bridge entity?

    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY --questions Q --cache X.pkl
    .venv/bin/python benchmarks/bench_second_hop.py --graph COPY --cache X.pkl --questions Q \\
        [--graph COPY2 --cache Y.pkl --questions Q2 ...] --json benchmarks/results/second_hop.json
    .venv/bin/python benchmarks/bench_second_hop.py --fit-on benchmarks/results/second_hop.json \\
        --graphs COPY COPY2 --json benchmarks/results/second_hop_lho.json

Reads the per-question inputs ``bench_graph_fusion.py`` cached, ranks every question as ``full``
does (:func:`bench_passage_edges.rank_full`), then adds one passage found from the first-hop
passages (the first ``m`` of ``full``'s ranking) at a slot of the top 5:

- ``prf``: pseudo relevance feedback in vector space: the chunk nearest to the unit sum
  ``q + a p`` of the question's vector and a first-hop passage's (exact cosine over the chunk
  vectors read from the store), among chunks of documents not already above the slot;
- ``bridge``: the passages whose document title names an entity the first-hop passage mentions
  and the question's seeds do not hold (the index's title edges), best by the question's cosine
  (or by the ``q + a p`` cosine);

and prints R@2 / R@5 with per-question wins/losses against dense and against ``full``.
``--fit-on`` picks the variant (among those whose name contains ``--only``) on a random half of
the questions of the named graphs (pooled), scores it on the other half (50 splits); ``--time``
times the shipped step alone. No model runs here but the question embedder.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.retrieval import recall_scores
from hopgraph.retrieval import fusion
from hopgraph.retrieval.graph_index import _QUALIFIER, GraphIndex, name_words
from hopgraph.retrieval.linking import load_spacy
from hopgraph.retrieval.passage_ner import PassageEntities
from hopgraph.retrieval.ppr import PassageGraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_graph_fusion import chunk_matrix
from bench_passage_edges import docs_of, rank_full, score
from bench_passage_edges import leave_half_out as passage_edges_lho

Variant = dict[str, Any]


def variants() -> dict[str, Variant]:
    out: dict[str, Variant] = {"full": {}, "shipped": {"kind": "shipped"}}
    for m in (1, 2):
        for a in (0.5, 1.0, 2.0):
            for slot in (3, 4, 5):
                out[f"prf m{m} a{a} s{slot}"] = {"kind": "prf", "m": m, "a": a, "slots": (slot,)}
            out[f"prf m{m} a{a} s45"] = {"kind": "prf", "m": m, "a": a, "slots": (4, 5)}
    for pool in (1, 2, 3):
        for by in ("q", "prf1"):
            for slot in (3, 5):
                name = f"bridge p{pool} by {by} s{slot}"
                out[name] = {"kind": "bridge", "m": 1, "pool": pool, "by": by, "slots": (slot,)}
            out[f"bridge p{pool} by {by} s45"] = {
                "kind": "bridge",
                "m": 1,
                "pool": pool,
                "by": by,
                "slots": (4, 5),
            }
    for floor in (None, -0.1, 0.0, 0.05, 0.1, 0.15, 0.2):
        for slot in (3, 5):
            spec = {"kind": "bridge", "m": 1, "pool": 1, "by": "q", "slots": (slot,)}
            out[f"bridge p1 by q s{slot} floor{floor}"] = spec if floor is None else {**spec, "floor": floor}
    for source in ("ner", "ner+mentions"):
        for labels in ("names", "all"):
            spec = {"kind": "bridge", "m": 1, "pool": 1, "by": "q", "slots": (5,), "floor": 0.0}
            out[f"bridge p1 by q s5 floor0.0 {source} {labels}"] = {
                **spec,
                "source": source,
                "labels": labels,
            }
    for floor in (None, 0.0, 0.1):
        for drop in (3, 4):
            spec = {"kind": "bridge", "m": 1, "pool": 1, "by": "q", "slots": (5,), "drop": drop}
            out[f"bridge p1 by q s5 drop{drop} floor{floor}"] = (
                spec if floor is None else {**spec, "floor": floor}
            )
    return out


class Graph:
    """What a graph's variants read: the index, its walk graph, unit chunk vectors, title edges."""

    def __init__(self, path: str, embedder: SentenceTransformerEmbedder) -> None:
        with HopGraph.open(path) as hg:
            self.index = GraphIndex.load(hg.store, embedder, hg.cache_dir)
            self.chunks = chunk_matrix(hg, self.index.chunk_ids)
        self.passages = PassageGraph.from_index(self.index)
        a = self.index.arrays
        self.doc_of_row = self.index.chunk_doc_ids
        n = self.index.num_chunks
        self.entities_of_chunk: list[list[int]] = [[] for _ in range(n)]
        for c, e in zip(a["mention_chunk"].tolist(), a["mention_entity"].tolist(), strict=True):
            self.entities_of_chunk[c].append(e)
        # spaCy's passage entities (the answerer's cache) and chunk rows by their title's words
        with HopGraph.open(path) as hg:
            nlp = load_spacy()
            self.ner = (
                PassageEntities.load(hg.store, nlp, hg.cache_dir, self.index.fingerprint) if nlp else None
            )
        titles = self.index.doc_titles(self.doc_of_row) or {}
        self.chunks_by_title: dict[tuple[str, ...], list[int]] = {}
        for row, doc in enumerate(self.doc_of_row):
            title = titles.get(doc, "")
            for words in {name_words(title), name_words(_QUALIFIER.sub("", title))}:
                if words:
                    self.chunks_by_title.setdefault(words, []).append(row)
        self.title_chunks: dict[int, list[int]] = {}
        self.title_of_chunk: dict[int, set[int]] = {}
        for c, e in zip(a["title_chunk"].tolist(), a["title_entity"].tolist(), strict=True):
            self.title_chunks.setdefault(e, []).append(c)
            self.title_of_chunk.setdefault(c, set()).add(e)


def unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "NORP", "EVENT", "PRODUCT", "LAW"}


def second_hop(
    g: Graph, q: dict[str, Any], qvec: np.ndarray, order: np.ndarray, spec: Variant, question: str = ""
) -> np.ndarray:
    """``full``'s rows with the second-hop passages of ``spec`` put at its slots."""
    if spec["kind"] == "shipped":  # hopgraph.retrieval.fusion's step, as full runs it
        shipped = fusion.with_second_hop(order, fusion.second_hop(g.index, order, q["seeds"], qvec))
        return np.asarray(shipped, dtype=np.int64)
    rows = [int(r) for r in order[:60]]
    picked: list[int] = []
    for n, slot in enumerate(spec["slots"]):
        first = rows[min(n, spec["m"] - 1)] if rows else None
        if first is None:
            break
        above = {g.doc_of_row[r] for r in rows[: slot - 1]} | {g.doc_of_row[r] for r in picked}
        above.add(g.doc_of_row[first])
        if spec["kind"] == "prf":
            scores = g.chunks @ unit(qvec + spec["a"] * g.chunks[first])
            candidates = np.argsort(-scores, kind="stable")[:50]
        else:
            seeds = set(q["seeds"])
            sources = rows[: spec["pool"]]
            named = {e for r in sources for e in g.title_of_chunk.get(r, ())}
            bridges = {
                e for r in sources for e in g.entities_of_chunk[r] if e not in seeds and e not in named
            }
            source = spec.get("source", "mentions")
            found: set[int] = set()
            if "mentions" in source:
                found |= {c for e in bridges for c in g.title_chunks.get(e, ())}
            if "ner" in source and g.ner is not None:
                asked = set(name_words(question))
                for r in sources:
                    for text, label, _ in g.ner.get(g.index.chunk_ids[r]) or ():
                        words = name_words(text)
                        if spec["labels"] == "names" and label not in NAME_LABELS:
                            continue
                        if words and not set(words) <= asked:
                            found |= set(g.chunks_by_title.get(words, ()))
            pool = sorted(found)
            if not pool:
                continue
            vec = qvec if spec["by"] == "q" else unit(qvec + g.chunks[first])
            scores = g.chunks[pool] @ vec
            candidates = np.asarray(pool)[np.argsort(-scores, kind="stable")]
        hit = next((int(c) for c in candidates if g.doc_of_row[int(c)] not in above), None)
        if hit is None or float(g.chunks[hit] @ qvec) < spec.get("floor", -2.0):
            continue
        picked.append(hit)
        rows = [r for r in rows if r != hit]
        drop = spec.get("drop")
        if drop is not None:  # the hit takes position ``drop``'s place; that passage goes below the slot
            docs = list(dict.fromkeys(g.doc_of_row[r] for r in rows))
            if len(docs) >= slot:
                out_doc = docs[drop - 1]
                moved = [r for r in rows if g.doc_of_row[r] == out_doc]
                rows = [r for r in rows if g.doc_of_row[r] != out_doc]
                rest = [r for r in rows if g.doc_of_row[r] in set(docs[:slot])]
                rows = rest + [hit] + moved + [r for r in rows if r not in set(rest)]
                continue
        rows.insert(slot - 1, hit)
    return np.asarray(rows, dtype=np.int64)


def run_graph(path: str, cache_path: str, questions: str, specs: dict[str, Variant]) -> dict[str, Any]:
    embedder = SentenceTransformerEmbedder()
    cache: list[dict[str, Any]] = pickle.loads(Path(cache_path).read_bytes())
    items = load_questions(questions, "musique")[: len(cache)]
    g = Graph(path, embedder)
    qvecs = np.stack([unit(np.asarray(embedder.embed([it.question])[0], dtype=np.float32)) for it in items])
    drift = max(float(np.abs(g.chunks @ v - q["cos"]).max()) for v, q in zip(qvecs, cache, strict=True))
    print(f"{path}: {len(cache)} questions, largest |cos - cached cos| {drift:.2e}", flush=True)
    dense = [
        recall_scores(docs_of(np.argsort(-q["cos"], kind="stable"), g.doc_of_row), q["gold"]) for q in cache
    ]
    orders = [rank_full(g.passages, q)[0] for q in cache]
    full = [recall_scores(docs_of(o, g.doc_of_row), q["gold"]) for o, q in zip(orders, cache, strict=True)]
    out: dict[str, Any] = {"dense": score(dense, dense), "variants": {}}
    for name, spec in specs.items():
        started = time.perf_counter()
        if not spec:
            got = full
        else:
            got = [
                recall_scores(docs_of(second_hop(g, q, v, o, spec, it.question), g.doc_of_row), q["gold"])
                for q, v, o, it in zip(cache, qvecs, orders, items, strict=True)
            ]
        ms = (time.perf_counter() - started) * 1000.0 / len(cache)
        s = score(got, dense)
        vs = score(got, full)
        s["vs_full"] = {k: vs[k] for k in ("wins@2", "losses@2", "wins@5", "losses@5")}
        s["ms_per_question"] = round(ms, 3)
        out["variants"][name] = s
        print(
            f"  {name:26s} {s['recall@2']:.3f} / {s['recall@5']:.3f} "
            f"(dense @5 +{s['wins@5']}-{s['losses@5']}, @2 +{s['wins@2']}-{s['losses@2']}; "
            f"full @5 +{vs['wins@5']}-{vs['losses@5']}, @2 +{vs['wins@2']}-{vs['losses@2']}) {ms:.2f} ms",
            flush=True,
        )
    return out


def time_shipped(path: str, cache_path: str, questions: str, rounds: int = 5) -> dict[str, float]:
    """p50 / p95 ms of the shipped second hop (:func:`hopgraph.retrieval.fusion.second_hop` and
    :func:`~hopgraph.retrieval.fusion.with_second_hop` on ``full``'s order, the question's vector
    scaled to unit length as the pipeline does), per question, ``rounds`` rounds."""
    embedder = SentenceTransformerEmbedder()
    cache: list[dict[str, Any]] = pickle.loads(Path(cache_path).read_bytes())
    items = load_questions(questions, "musique")[: len(cache)]
    g = Graph(path, embedder)
    vectors = embedder.embed([it.question for it in items])
    orders = [rank_full(g.passages, q)[0].tolist() for q in cache]
    times: list[float] = []
    for _ in range(rounds):
        for q, v, order in zip(cache, vectors, orders, strict=True):
            started = time.perf_counter()
            norm = float(np.linalg.norm(v))
            vector = np.asarray(v, dtype=np.float32) / (norm if norm > 0 else 1.0)
            fusion.with_second_hop(order, fusion.second_hop(g.index, order, q["seeds"], vector))
            times.append((time.perf_counter() - started) * 1000.0)
    return {
        "p50_ms": round(float(np.percentile(times, 50)), 4),
        "p95_ms": round(float(np.percentile(times, 95)), 4),
    }


def leave_half_out(graphs: dict[str, Any], names: Sequence[str], splits: int = 50) -> dict[str, Any]:
    """The variant of ``names`` with the best R@2 + R@5 summed over ``graphs`` on a random half of
    the questions (the same half on every graph), scored on the other half, against ``full``."""
    return passage_edges_lho(graphs, names, splits, baseline="full", scores=lambda variant: variant)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", action="append", default=[], help="a graph copy (repeat: one per cache)")
    ap.add_argument("--cache", action="append", default=[], help="bench_graph_fusion.py --cache file")
    ap.add_argument("--questions", action="append", default=[], help="the cache's questions (musique format)")
    ap.add_argument("--only", help="variants whose name contains this text (and full)")
    ap.add_argument("--exclude", help="with --fit-on: leave out variants whose name contains this text")
    ap.add_argument("--fit-on", metavar="JSON", help="leave-half-out over the graphs --graphs of this run")
    ap.add_argument("--graphs", nargs="+", help="with --fit-on: the graphs pooled")
    ap.add_argument("--time", action="store_true", help="only time the shipped second hop per question")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.fit_on:
        run = json.loads(Path(args.fit_on).read_text())
        graphs = {g: run["graphs"][g] for g in (args.graphs or run["graphs"])}
        names = [n for n in run["variants"] if not args.only or n == "full" or args.only in n]
        names = [n for n in names if not args.exclude or args.exclude not in n]
        fitted = leave_half_out(graphs, names)
        print(json.dumps(fitted))
        if args.json:
            Path(args.json).write_text(json.dumps(fitted, indent=1))
        return 0
    if not args.graph or not (len(args.graph) == len(args.cache) == len(args.questions)):
        ap.error("give one --cache and one --questions per --graph")
    import torch

    torch.set_num_threads(1)
    if args.time:
        timed = {
            graph: time_shipped(graph, cache, questions)
            for graph, cache, questions in zip(args.graph, args.cache, args.questions, strict=True)
        }
        print(json.dumps(timed))
        if args.json:
            Path(args.json).write_text(json.dumps(timed, indent=1))
        return 0
    specs = {k: v for k, v in variants().items() if not v or not args.only or args.only in k}
    result = {
        graph: run_graph(graph, cache, questions, specs)
        for graph, cache, questions in zip(args.graph, args.cache, args.questions, strict=True)
    }
    if args.json:
        Path(args.json).write_text(
            json.dumps({"variants": {k: {**v} for k, v in specs.items()}, "graphs": result}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
