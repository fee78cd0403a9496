"""Which passage-entity edges the walk should have: the triples' MENTIONS alone, or also title
edges (a passage to the entity its document's title names) and name mentions (a passage to every
proper name of the graph its text contains), at which weights (issue 11, session 7).

    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY --questions Q --cache X.pkl
    .venv/bin/python benchmarks/bench_passage_edges.py --graph COPY --cache X.pkl \\
        [--graph COPY2 --cache Y.pkl ...] --json benchmarks/results/passage_edges.json

Reads the per-question inputs ``bench_graph_fusion.py`` cached (exact dense cosines, the seeds
mixed with the GNN's node scores, resolved gold: none of them depends on the passage edges),
builds the walk's graph once per variant and ranks every question as ``full`` does (the default
walk, the two damping-0.85 walks of :mod:`hopgraph.retrieval.fusion`, the head's shipped
weights, interleaved); also the default walk's own order (``gnn_ppr``). Prints R@2 / R@5 and
per-question wins/losses against dense at R@5 and R@2, per graph. No model runs here.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.retrieval import recall_scores
from hopgraph.retrieval import fusion
from hopgraph.retrieval.graph_index import GraphIndex, name_words, read_pages, title_edges
from hopgraph.retrieval.ppr import PassageGraph
from hopgraph.util.stopwords import STOPWORDS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_walk_settings import minmax_top  # the same scaling as the walk study

DEPTH = 40  # chunk rows read to find the first distinct documents (as bench_graph_fusion.py)
Edges = tuple[np.ndarray, np.ndarray]


def chunk_texts(hg: HopGraph, index: GraphIndex) -> tuple[list[str], list[str]]:
    """Each chunk row's document title and text, read from the store."""
    titles = {
        r["id"]: r["title"] or ""
        for r in read_pages(
            hg.store,
            "MATCH (d:Document) WHERE d.id > $after RETURN d.id AS id, d.title AS title ORDER BY id LIMIT $n",
        )
    }
    texts = {
        r["id"]: r["text"] or ""
        for r in read_pages(
            hg.store,
            "MATCH (c:Chunk) WHERE c.id > $after RETURN c.id AS id, c.text AS text ORDER BY id LIMIT $n",
        )
    }
    return [titles.get(d, "") for d in index.chunk_doc_ids], [texts.get(c, "") for c in index.chunk_ids]


def _matchable(name: str, words: tuple[str, ...]) -> bool:
    """A name worth finding in text: a proper name (a capital or a digit), not one stopword, 2+
    characters."""
    if not words or len("".join(words)) < 2:
        return False
    if len(words) == 1 and words[0].casefold() in STOPWORDS:
        return False
    return any(c.isupper() or c.isdigit() for c in name)


def name_mentions(
    entity_names: Sequence[str], chunk_texts: Sequence[str], max_words: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """(chunk row, entity row) pairs for every proper name of the graph (:func:`_matchable`; at
    most ``max_words`` words)
    whose words occur in a row in a chunk's text, as written (:func:`name_words` without case
    folding: the film "Heat" is not the word "heat"), each pair once."""
    by_words: dict[tuple[str, ...], list[int]] = {}
    for row, name in enumerate(entity_names):
        words = name_words(name, fold=False)
        if len(words) <= max_words and _matchable(name, words):
            by_words.setdefault(words, []).append(row)
    firsts = {words[0] for words in by_words}
    longest = max((len(w) for w in by_words), default=0)
    chunks: list[int] = []
    entities: list[int] = []
    for row, text in enumerate(chunk_texts):
        words = name_words(text, fold=False)
        seen: set[int] = set()
        for i, first in enumerate(words):
            if first not in firsts:
                continue
            for j in range(i + 1, min(len(words), i + longest) + 1):
                for entity in by_words.get(words[i:j], ()):
                    if entity not in seen:
                        seen.add(entity)
                        chunks.append(row)
                        entities.append(entity)
    return np.array(chunks, dtype=np.int32), np.array(entities, dtype=np.int32)


def without(edges: Edges, *known: Edges) -> Edges:
    """The pairs of ``edges`` in none of ``known``."""
    seen = {(int(c), int(e)) for k in known for c, e in zip(*k, strict=True)}
    keep = np.array([(int(c), int(e)) not in seen for c, e in zip(*edges, strict=True)], dtype=bool)
    return edges[0][keep], edges[1][keep]


def capped(edges: Edges, max_passages: int) -> Edges:
    """The pairs whose entity is linked to at most ``max_passages`` chunks by ``edges``."""
    counts = np.bincount(edges[1], minlength=int(edges[1].max(initial=0)) + 1)
    keep = counts[edges[1]] <= max_passages
    return edges[0][keep], edges[1][keep]


def rank_full(passages: PassageGraph, q: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(``full``'s chunk rows best first, the default walk's scores) of one cached question."""
    cos = q["cos"]
    mixed: dict[int, float] = q["mixed"]
    if not mixed:  # no seed: every graph method returns the dense ranking
        order = np.argsort(-cos, kind="stable")
        return order, cos
    dense = minmax_top(cos, fusion.CANDIDATES)
    reset = {int(i): float(dense[i]) for i in np.flatnonzero(dense)}
    walk = passages.rank_passages(mixed, reset, 0.5, passage_mass=0.5)
    trust_entities, trusting = fusion.trusting_walks(passages, mixed, reset, passage_mass=0.5)
    return np.array(fusion.fused_order(walk, trust_entities, trusting, dense), dtype=np.int64), walk


def docs_of(rows: Sequence[int], doc_of_row: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(doc_of_row[int(i)] for i in rows[:DEPTH]))


def score(per_q: list[dict[str, float]], dense: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in ("recall@2", "recall@5"):
        out[k] = round(float(np.mean([r[k] for r in per_q])), 4)
        out[f"wins{k[-2:]}"] = sum(r[k] > d[k] for r, d in zip(per_q, dense, strict=True))
        out[f"losses{k[-2:]}"] = sum(r[k] < d[k] for r, d in zip(per_q, dense, strict=True))
    out["per_question@2"] = [r["recall@2"] for r in per_q]
    out["per_question@5"] = [r["recall@5"] for r in per_q]
    return out


def run_graph(graph: str, cache_path: str, variants: dict[str, dict[str, Any]]) -> dict[str, Any]:
    cache: list[dict[str, Any]] = pickle.loads(Path(cache_path).read_bytes())
    with HopGraph.open(graph) as hg:
        index = GraphIndex.load(hg.store, SentenceTransformerEmbedder(), hg.cache_dir)
        titles, texts = chunk_texts(hg, index)
    a = index.arrays
    mentions: Edges = (a["mention_chunk"], a["mention_entity"])
    started = time.perf_counter()
    titled = title_edges(index.entity_names, titles)
    assert np.array_equal(titled[0], a["title_chunk"]) and np.array_equal(titled[1], a["title_entity"])
    title_s = time.perf_counter() - started
    started = time.perf_counter()
    named = name_mentions(index.entity_names, texts)
    names_s = time.perf_counter() - started
    new_titles = without(titled, mentions)
    new_names = without(named, mentions, titled)
    stats = {
        "chunks": index.num_chunks,
        "entities": index.num_entities,
        "mentions": len(mentions[0]),
        "title_edges": len(titled[0]),
        "chunks_with_title_edge": len(set(titled[0].tolist())),
        "title_edges_new": len(new_titles[0]),
        "name_mentions": len(named[0]),
        "name_mentions_new": len(new_names[0]),
        "title_seconds": round(title_s, 3),
        "names_seconds": round(names_s, 3),
    }
    doc_of_row = index.chunk_doc_ids
    dense = [
        recall_scores(docs_of(np.argsort(-q["cos"], kind="stable"), doc_of_row), q["gold"]) for q in cache
    ]
    out: dict[str, Any] = {"stats": stats, "dense": score(dense, dense), "variants": {}}
    is_title = np.zeros(index.num_entities, dtype=bool)
    is_title[titled[1]] = True
    keep = is_title[new_names[1]]
    # a title "Place, Region" that names no entity, read as "Place" (not adopted: see BENCHMARKS)
    has_title = set(titled[0].tolist())
    before_comma = [
        t.rsplit(",", 1)[0] if "," in t and i not in has_title else "" for i, t in enumerate(titles)
    ]
    comma = title_edges(index.entity_names, before_comma)
    stats["comma_title_edges"] = len(comma[0])
    edge_sets = {
        "comma_titles": comma,
        "titles": titled,
        "titles_new": new_titles,
        "names": new_names,
        "title_names": (new_names[0][keep], new_names[1][keep]),
    }
    stats["title_names_new"] = int(keep.sum())
    print(graph, stats, flush=True)
    for name, spec in variants.items():
        extra = []
        # title edges come from the index, at the weight a variant names (none by default)
        weights = {"title_weight": 0.0, **{k: float(v) for k, v in spec.items() if k.endswith("_weight")}}
        for key, weight in spec.items():
            if key.endswith("_weight"):
                continue
            edges = edge_sets[key.split(":")[0]]
            if ":" in key:
                edges = capped(edges, int(key.split(":")[1]))
            extra.append((edges[0], edges[1], float(weight)))
        passages = PassageGraph.from_index(index, extra=extra, **weights)
        full: list[dict[str, float]] = []
        walk: list[dict[str, float]] = []
        for q in cache:
            order, scores = rank_full(passages, q)
            full.append(recall_scores(docs_of(order, doc_of_row), q["gold"]))
            walk.append(recall_scores(docs_of(np.argsort(-scores, kind="stable"), doc_of_row), q["gold"]))
        out["variants"][name] = {"full": score(full, dense), "gnn_ppr": score(walk, dense)}
        f, w = out["variants"][name]["full"], out["variants"][name]["gnn_ppr"]
        print(
            f"  {name:28s} full {f['recall@2']:.3f} / {f['recall@5']:.3f} "
            f"(@5 +{f['wins@5']}-{f['losses@5']}, @2 +{f['wins@2']}-{f['losses@2']})   "
            f"walk {w['recall@2']:.3f} / {w['recall@5']:.3f}",
            flush=True,
        )
    return out


VARIANTS: dict[str, dict[str, Any]] = {
    "base": {},
    "titles 0.5": {"title_weight": 0.5},
    "titles 1": {"title_weight": 1.0},
    "titles 2": {"title_weight": 2.0},
    "titles 4": {"title_weight": 4.0},
    "titles 2 + comma titles 2": {"title_weight": 2.0, "comma_titles": 2.0},
    "title_names 0.5": {"title_names": 0.5},
    "title_names 1": {"title_names": 1.0},
    "titles 2 + title_names 0.5": {"title_weight": 2.0, "title_names": 0.5},
    "titles 2 + title_names 1": {"title_weight": 2.0, "title_names": 1.0},
    "titles_new 1": {"titles_new": 1.0},
    "titles 2, mentions 2": {"title_weight": 2.0, "mention_weight": 2.0},
    "titles 2, synonyms 0.5": {"title_weight": 2.0, "synonym_weight": 0.5},
    "names 0.25": {"names": 0.25},
    "names 0.5": {"names": 0.5},
    "names 1": {"names": 1.0},
    "names:20 0.5": {"names:20": 0.5},
    "titles 1 + names 0.5": {"title_weight": 1.0, "names": 0.5},
    "titles 1 + names:20 0.5": {"title_weight": 1.0, "names:20": 0.5},
    "mentions 2": {"mention_weight": 2.0},
    "mentions 0.5": {"mention_weight": 0.5},
    "synonyms 0.5": {"synonym_weight": 0.5},
    "synonyms 2": {"synonym_weight": 2.0},
}


def time_walks(index: GraphIndex, cache: list[dict[str, Any]], rounds: int = 3) -> dict[str, Any]:
    """p50 / p95 ms of ``full``'s walks and ranking per question (:func:`rank_full`) without and with
    the title edges, alternating question by question (the rest of ``ask`` is the same work)."""
    graphs = {
        "without titles": PassageGraph.from_index(index, title_weight=0.0),
        "with titles": PassageGraph.from_index(index),
    }
    times: dict[str, list[float]] = {name: [] for name in graphs}
    for _ in range(rounds):
        for q in cache:
            if not q["mixed"]:
                continue
            for name, passages in graphs.items():
                started = time.perf_counter()
                rank_full(passages, q)
                times[name].append((time.perf_counter() - started) * 1000.0)
    return {
        name: {"p50": round(float(np.percentile(t, 50)), 2), "p95": round(float(np.percentile(t, 95)), 2)}
        for name, t in times.items()
    }


def leave_half_out(
    graphs: dict[str, Any],
    names: Sequence[str],
    splits: int = 50,
    *,
    baseline: str = "base",
    scores: Callable[[dict[str, Any]], dict[str, Any]] = lambda variant: variant["full"],
) -> dict[str, Any]:
    """The variant of ``names`` with the best R@2 + R@5 summed over ``graphs`` on a random half of
    the questions (the same half on every graph), scored on the other half, against ``baseline``
    on the same halves. ``scores`` picks a variant's per-question recalls out of its entry."""
    rng = np.random.default_rng(0)
    n = len(next(iter(graphs.values()))["dense"]["per_question@2"])

    def mean(graph: str, name: str, rows: np.ndarray) -> tuple[float, float]:
        got = scores(graphs[graph]["variants"][name])
        return (
            float(np.mean(np.asarray(got["per_question@2"])[rows])),
            float(np.mean(np.asarray(got["per_question@5"])[rows])),
        )

    picked: dict[str, int] = {}
    held: dict[str, list[tuple[float, float]]] = {g: [] for g in graphs}
    base: dict[str, list[tuple[float, float]]] = {g: [] for g in graphs}
    for _ in range(splits):
        order = rng.permutation(n)
        fit, test = order[: n // 2], order[n // 2 :]
        best = max(names, key=lambda v: sum(sum(mean(g, v, fit)) for g in graphs))
        picked[best] = picked.get(best, 0) + 1
        for g in graphs:
            held[g].append(mean(g, best, test))
            base[g].append(mean(g, baseline, test))
    return {
        "picked": picked,
        "held_out": {g: np.mean(held[g], axis=0).round(4).tolist() for g in graphs},
        f"{baseline}_same_halves": {g: np.mean(base[g], axis=0).round(4).tolist() for g in graphs},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", action="append", default=[], help="a graph copy (repeat: one per cache)")
    ap.add_argument("--cache", action="append", default=[], help="bench_graph_fusion.py --cache file")
    ap.add_argument(
        "--fit-on",
        nargs="+",
        metavar="JSON",
        help="instead of running: the title weight picked on half of the questions of these runs' "
        "graphs, scored on the other half",
    )
    ap.add_argument("--only", help="variants whose name contains this text (and base)")
    ap.add_argument("--time", action="store_true", help="only time full's walks without and with titles")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.fit_on:
        graphs = {
            g: r for path in args.fit_on for g, r in json.loads(Path(path).read_text())["graphs"].items()
        }
        titles = [k for k, v in VARIANTS.items() if k == "base" or set(v) == {"title_weight"}]
        fitted = leave_half_out(graphs, titles)
        print(json.dumps(fitted))
        if args.json:
            Path(args.json).write_text(json.dumps(fitted, indent=1))
        return 0
    if not args.graph or len(args.graph) != len(args.cache):
        ap.error("give one --cache per --graph")
    if args.time:
        timed = {}
        for graph, cache_path in zip(args.graph, args.cache, strict=True):
            with HopGraph.open(graph) as hg:
                index = GraphIndex.load(hg.store, SentenceTransformerEmbedder(), hg.cache_dir)
            timed[graph] = time_walks(index, pickle.loads(Path(cache_path).read_bytes()))
            print(graph, timed[graph], flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(timed, indent=1))
        return 0
    variants = {k: v for k, v in VARIANTS.items() if k == "base" or not args.only or args.only in k}
    result = {
        graph: run_graph(graph, cache, variants) for graph, cache in zip(args.graph, args.cache, strict=True)
    }
    if args.json:
        Path(args.json).write_text(json.dumps({"variants": variants, "graphs": result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
