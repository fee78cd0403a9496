"""Query-to-fact linking without an LLM: does seeding the walk from the triples nearest to the
question (HippoRAG 2's fact linking, minus its LLM filter) beat the linked names?

    .venv/bin/python benchmarks/bench_fact_linking.py --graph COPY \\
        --cache benchmarks/.work/exp/gpt.pkl --json benchmarks/results/fact_linking_gpt35.json

Reads the per-question cache that ``bench_graph_fusion.py --cache`` wrote for the same graph
(dense scores, GNN-mixed seeds, gold), embeds every distinct (subject, predicate, object) of the
graph index as "subject predicate object" text, and ranks passages with the default walk (restart
half on the candidates' min-max dense scores, half on entities) seeded from the entities of the
top-N facts (weight: the fact's cosine), alone or half-and-half with the usual seeds.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.retrieval import recall_scores
from hopgraph.reason.doc.pipeline import GraphQA
from hopgraph.retrieval.graph_index import predicate_text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--cache", required=True, help="bench_graph_fusion.py's --cache file for this graph")
    ap.add_argument("--questions", default="../shared/data/musique100/questions.json")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    embedder = SentenceTransformerEmbedder()
    items = load_questions(args.questions, "musique")
    cache = pickle.loads(Path(args.cache).read_bytes())
    with HopGraph.open(args.graph) as hg:
        qa = GraphQA.load(hg.store, embedder=embedder, cache_dir=hg.cache_dir)
        index, a = qa.index, qa.index.arrays
        facts = sorted(
            {
                (int(s), int(p), int(d))
                for s, p, d in zip(a["rel_src"], a["rel_pred"], a["rel_dst"], strict=True)
            }
        )
        texts = [
            f"{index.entity_names[s]} {predicate_text(index.predicates[p])} {index.entity_names[d]}"
            for s, p, d in facts
        ]
        started = time.perf_counter()
        fact_vecs = np.asarray(embedder.embed(texts), dtype=np.float32)
        embed_seconds = time.perf_counter() - started
        fact_vecs /= np.linalg.norm(fact_vecs, axis=1, keepdims=True)
        questions = np.asarray(embedder.embed([i.question for i in items[: len(cache)]]), dtype=np.float32)
        questions /= np.linalg.norm(questions, axis=1, keepdims=True)

        def dense_reset(cos: np.ndarray, n: int = 50) -> dict[int, float]:
            order = np.argsort(-cos, kind="stable")[:n]
            values = cos[order]
            low, high = values.min(), values.max()
            return {
                int(i): float((x - low) / (high - low)) for i, x in zip(order, values, strict=True) if x > low
            }

        results: dict[str, dict[str, float]] = {}
        for top in (3, 5, 10):
            for combine in ("facts", "facts+seeds"):
                r2: list[float] = []
                r5: list[float] = []
                for n, q in enumerate(cache):
                    sims = fact_vecs @ questions[n]
                    weights: dict[int, float] = {}
                    for t in np.argsort(-sims)[:top]:
                        s, _, d = facts[int(t)]
                        for entity in (s, d):
                            weights[entity] = max(weights.get(entity, 0.0), float(sims[t]))
                    if combine == "facts+seeds" and q["mixed"]:
                        fact_total, seed_total = sum(weights.values()), sum(q["mixed"].values())
                        mixed = {e: 0.5 * w / fact_total for e, w in weights.items()}
                        for e, w in q["mixed"].items():
                            mixed[e] = mixed.get(e, 0.0) + 0.5 * w / seed_total
                        weights = mixed
                    scores = qa.passages.rank_passages(weights, dense_reset(q["cos"]), 0.5, passage_mass=0.5)
                    order = np.argsort(-scores, kind="stable")[:40]
                    docs = list(dict.fromkeys(index.chunk_doc_ids[int(i)] for i in order))
                    r = recall_scores(docs, q["gold"])
                    r2.append(r["recall@2"])
                    r5.append(r["recall@5"])
                name = f"{combine}, top {top} facts"
                results[name] = {"recall@2": float(np.mean(r2)), "recall@5": float(np.mean(r5))}
                print(f"{name:28s} R@2 {np.mean(r2):.3f} R@5 {np.mean(r5):.3f}")
    out = {"graph": args.graph, "facts": len(facts), "embed_seconds": embed_seconds, "variants": results}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
