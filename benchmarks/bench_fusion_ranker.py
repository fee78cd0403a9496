"""Per-question trust in the graph (routing) and a small learned passage ranker, fitted on both
MuSiQue-100 graphs at once and checked held out (issue 11, session 6).

    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY_GPT --questions Q --cache GPT.pkl
    .venv/bin/python benchmarks/bench_graph_fusion.py --graph COPY_OFFLINE --questions Q --cache OFF.pkl
    .venv/bin/python benchmarks/bench_fusion_ranker.py --questions Q \\
        --graph COPY_GPT --cache GPT.pkl --graph COPY_OFFLINE --cache OFF.pkl \\
        --json benchmarks/results/fusion_ranker.json

Reads the per-question inputs ``bench_graph_fusion.py`` cached (exact dense cosines, linked seeds,
seeds mixed with the GNN's node scores, resolved gold) and builds, for every question, the
candidate passages (dense top 50 and the default walk's top 50) with per-passage features:

- ``dense``: min-max cosine over the 50 dense candidates (0 beyond them);
- ``walk``: the default walk (damping 0.5, half the restart on passages) over its maximum;
- ``ent05`` / ``pas05``: its entity-only and passage-only halves, each over its maximum;
- ``ent85``: the entity-only walk at damping 0.85 (the graph-trusting walk) over its maximum;
- ``seed``: the best linked seed's score among the seeds the passage mentions (0 for none);
- ``nseeds``: the share of the linked seeds the passage mentions;
- ``bm25``: BM25 (titles and text) over its maximum among its top 50;
- ``rdense`` / ``rwalk``: 1 / (1 + rank) in the dense and the default walk's order.

Three families are scored, each with 5-fold cross-validation over the questions (the same folds on
both graphs, the two graphs' training questions pooled; 10 repeats with different folds) and with
joint leave-half-out (50 splits):

- *rankers*: linear scores over a subset of the features, fitted by a listwise softmax loss (the
  log of the softmax mass on the gold passages among the candidates, small L2 penalty);
- *routes*: per question, one of three rankings (the default walk; the graph-trusting walk,
  damping 0.85; dense-heavy fusion ``0.6 * dense + 0.4 * walk``) chosen by a confidence statistic
  of the question (best seed score, number of seeds, overlap of the walk's and dense's top 5,
  concentration of the entity walk's mass) against a threshold fitted on the training folds.

- *interleaved*: a head (the default walk, or a ranker) interleaved with, or followed after its
  first 2 by, a tail walk that trusts the graph more; ``shipped-refit`` is what ``full`` ranks
  (hopgraph.retrieval.fusion: the three-weight head refitted on the training folds, the damping
  0.85 walk of 10 steps as tail), ``shipped`` the same with the shipped weights (not held out),
  ``shipped-tail_*`` other tails, ``shipped-refit-tail-picked`` the tail picked on the training
  folds too.

Every figure is R@2 / R@5 per graph with per-question wins/losses against dense at R@5 and R@2.
No model runs here (the caches hold the question vectors' results): about 7 minutes on one core.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.eval.qa_data import load_questions
from hopgraph.eval.retrieval import recall_scores
from hopgraph.retrieval import fusion
from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.ppr import PassageGraph, personalized_pagerank

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_walk_settings import minmax_top  # the same scaling as the walk study

FEATURES = (
    "dense",
    "walk",
    "ent05",
    "pas05",
    "ent85",
    "seed",
    "nseeds",
    "bm25",
    "rdense",
    "rwalk",
    "cos",
    "lwalk",
    "lent05",
    "lpas05",
    "lent85",
    "lent85t",
)
TRUNCATED = (10, 15, 20, 30)
TAILS = tuple(itertools.product((0.7, 0.85, 0.95), (0.3, 0.4, 0.5)))
"""Graph-trusting walks (damping, passage share; ``--steps`` steps) tried as the interleaved tail."""
FLOOR = 1e-4  # log features: log(max(score / max, FLOOR)), 0 for the best candidate
CANDIDATES = 50
DEPTH = 40  # chunk rows read to find the first distinct documents (as bench_graph_fusion.py)


@dataclass
class Question:
    """One question of one graph: candidate rows, their features, labels and fixed rankings."""

    rows: np.ndarray  # candidate chunk rows
    x: np.ndarray  # [n, F]
    gold_mask: np.ndarray  # [n] bool: the row's document is a gold passage
    gold: list[frozenset[str]]
    docs: list[str]  # document id of each candidate row
    dense_recall: dict[str, float]
    stats: dict[str, float]  # question-level confidence statistics
    fixed: dict[str, np.ndarray]  # named candidate scores: default, trusting, dense_heavy
    has_seeds: bool


def _over_max(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def _inverse_rank(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(len(scores))
    return 1.0 / (1.0 + rank[rows])


def ranked_docs(rows: np.ndarray, docs: Sequence[str], scores: np.ndarray) -> list[str]:
    order = np.argsort(-scores, kind="stable")[:DEPTH]
    return list(dict.fromkeys(docs[int(i)] for i in order))


def questions_of(
    graph: str, cache_path: str, questions: str, steps: int = fusion.TRUST_STEPS
) -> list[Question]:
    cache: list[dict[str, Any]] = pickle.loads(Path(cache_path).read_bytes())
    items = load_questions(questions, "musique")[: len(cache)]
    with HopGraph.open(graph) as hg:
        index = GraphIndex.load(hg.store, SentenceTransformerEmbedder(), hg.cache_dir)
    passages = PassageGraph.from_index(index)
    doc_of_row = index.chunk_doc_ids
    out: list[Question] = []
    for item, q in zip(items, cache, strict=True):
        cos = q["cos"]
        dense = minmax_top(cos, CANDIDATES)
        reset = {int(i): float(dense[i]) for i in np.flatnonzero(dense)}
        pas05 = passages.rank_passages({}, reset, 0.5)
        seeds: dict[int, float] = q["seeds"]
        mixed: dict[int, float] = q["mixed"]
        truncated: dict[str, np.ndarray] = {}
        tails: dict[str, np.ndarray] = {}
        if mixed:
            both = passages.reset_vector(mixed, reset)
            for cut in TRUNCATED:  # the graph-trusting walk stopped after a few steps
                walked = personalized_pagerank(passages.transition, both, 0.85, tol=0.0, max_iter=cut)
                truncated[f"trusting_t{cut}"] = walked[passages.num_entities :]
            ent_t, trust_t = fusion.trusting_walks(passages, mixed, reset, passage_mass=0.5, steps=steps)
            for damping, share in TAILS:
                tails[f"tail_d{damping}_s{share}"] = fusion.trusting_walks(
                    passages, mixed, reset, passage_mass=share, damping=damping, steps=steps
                )[1]
            ent05 = passages.rank_passages(mixed, {}, 0.5)
            ent85 = passages.rank_passages(mixed, {}, 0.85)
            pas85 = passages.rank_passages({}, reset, 0.85)
            walk = 0.5 * ent05 + 0.5 * pas05
            trusting = 0.5 * ent85 + 0.5 * pas85
        else:  # no seed: every graph method returns the dense ranking
            ent05 = ent85 = np.zeros_like(pas05)
            walk = trusting = cos.astype(np.float64)
            truncated = {f"trusting_t{cut}": walk for cut in TRUNCATED}
            ent_t = trust_t = np.zeros_like(pas05)
            tails = {f"tail_d{damping}_s{share}": walk for damping, share in TAILS}
        dense_order = np.argsort(-cos, kind="stable")[:CANDIDATES]
        walk_order = np.argsort(-walk, kind="stable")[:CANDIDATES]
        rows = np.array(list(dict.fromkeys([*dense_order.tolist(), *walk_order.tolist()])), dtype=np.int64)
        seed_score = np.zeros(len(cos))
        seed_count = np.zeros(len(cos))
        for row, score in seeds.items():
            hit = index.passages_of_entity(row)
            seed_score[hit] = np.maximum(seed_score[hit], score)
            seed_count[hit] += 1
        bm25 = np.zeros(len(cos))
        for hit in index.bm25_chunks(item.question, CANDIDATES):
            r = index.chunk_row(hit.id)
            if r is not None:
                bm25[r] = hit.score
        columns = {
            "dense": dense[rows],
            "walk": _over_max(walk[rows]) if mixed else dense[rows],
            "ent05": _over_max(ent05[rows]),
            "pas05": _over_max(pas05[rows]),
            "ent85": _over_max(ent85[rows]),
            "seed": seed_score[rows],
            "nseeds": seed_count[rows] / max(len(seeds), 1),
            "bm25": _over_max(bm25[rows]),
            "rdense": _inverse_rank(cos, rows),
            "rwalk": _inverse_rank(walk, rows),
            "cos": cos[rows].astype(np.float64),
        }
        columns["ent85t"] = _over_max(ent_t[rows])
        for name in ("walk", "ent05", "pas05", "ent85", "ent85t"):
            columns[f"l{name}"] = np.log(np.maximum(columns[name], FLOOR))
        del columns["ent85t"]
        x = np.stack([columns[f] for f in FEATURES], axis=1)
        gold: list[frozenset[str]] = q["gold"]
        gold_docs = set().union(*gold) if gold else set()
        docs = [doc_of_row[int(r)] for r in rows]
        gold_mask = np.array([d in gold_docs for d in docs])
        dense_top = set(doc_of_row[int(i)] for i in dense_order[:5])
        walk_top = set(doc_of_row[int(i)] for i in walk_order[:5])
        ent_sorted = np.sort(ent05)[::-1]
        stats = {
            "top_seed": float(q["top_seed"]),
            "n_seeds": float(len(seeds)),
            "overlap5": len(dense_top & walk_top) / 5.0,
            "ent_top5_mass": float(ent_sorted[:5].sum() / ent_sorted.sum()) if ent_sorted.sum() > 0 else 0.0,
        }
        fixed = {
            "default": walk[rows],
            "trusting": trusting[rows],
            "dense_heavy": 0.6 * dense[rows] + 0.4 * columns["walk"],
            **{name: v[rows] for name, v in truncated.items()},
            "walk_raw": walk[rows],
            "trust_entities": ent_t[rows],
            "trust_walk": trust_t[rows],
            **{name: v[rows] for name, v in tails.items()},
        }
        out.append(
            Question(
                rows=rows,
                x=x,
                gold_mask=gold_mask,
                gold=gold,
                docs=docs,
                dense_recall=recall_scores(ranked_docs(rows, docs, cos[rows]), gold),
                stats=stats,
                fixed=fixed,
                has_seeds=bool(mixed),
            )
        )
    return out


# -- rankers -------------------------------------------------------------------------------------
def fit_ranker(train: Sequence[Question], cols: Sequence[int], l2: float = 1e-3) -> np.ndarray:
    """Weights of a linear score over ``cols`` maximising the softmax mass on gold candidates."""
    data = [(q.x[:, cols], q.gold_mask) for q in train if q.has_seeds and q.gold_mask.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, mask in data:
            s = x @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            gold_p = p[mask].sum()
            total -= np.log(max(gold_p, 1e-300))
            q_gold = np.where(mask, p, 0.0) / max(gold_p, 1e-300)
            grad -= x.T @ (q_gold - p)
        total /= len(data)
        grad /= len(data)
        return total + l2 * float(w @ w), grad + 2 * l2 * w

    w0 = np.ones(len(cols))
    res = minimize(loss, w0, jac=True, method="L-BFGS-B")
    return np.asarray(res.x)


def recall_of(q: Question, scores: np.ndarray | list[str]) -> dict[str, float]:
    if not q.has_seeds:
        return q.dense_recall
    if isinstance(scores, list):  # a ranking of documents already
        return recall_scores(scores, q.gold)
    return recall_scores(ranked_docs(q.rows, q.docs, scores), q.gold)


def head_then(head: list[str], tail: list[str], size: int) -> list[str]:
    """The first ``size`` documents of ``head``, then ``tail``'s in order (each once)."""
    return list(dict.fromkeys([*head[:size], *tail]))


def interleave(first: list[str], second: list[str]) -> list[str]:
    """first[0], second[0], first[1], ... each document once."""
    both = [d for pair in itertools.zip_longest(first, second) for d in pair if d is not None]
    return list(dict.fromkeys(both))


def ranker_scores(q: Question, cols: Sequence[int], w: np.ndarray) -> np.ndarray:
    return np.asarray(q.x[:, cols] @ w)


# -- routes --------------------------------------------------------------------------------------
ROUTES = ("default", "trusting", "dense_heavy")
STATS = ("top_seed", "n_seeds", "overlap5", "ent_top5_mass")


@dataclass(frozen=True)
class Route:
    stat: str
    threshold: float
    above: str
    below: str

    def pick(self, q: Question) -> str:
        return self.above if q.stats[self.stat] >= self.threshold else self.below


def fit_route(train: Sequence[Question]) -> Route:
    recalls = {(id(q), r): recall_of(q, q.fixed[r]) for q in train for r in ROUTES}

    def total(route: Route) -> float:
        return sum(
            recalls[(id(q), route.pick(q))]["recall@2"] + recalls[(id(q), route.pick(q))]["recall@5"]
            for q in train
        )

    best = Route("top_seed", -1.0, "default", "default")
    best_total = total(best)
    for stat in STATS:
        values = np.array([q.stats[stat] for q in train])
        for t in sorted(set(np.quantile(values, np.linspace(0.1, 0.9, 9)).round(4).tolist())):
            for above, below in itertools.permutations(ROUTES, 2):
                route = Route(stat, float(t), above, below)
                value = total(route)
                if value > best_total + 1e-9:
                    best, best_total = route, value
    return best


# -- held-out protocol ---------------------------------------------------------------------------
Method = Callable[[list[Question]], Callable[[Question], np.ndarray | list[str]]]
"""Fits on the pooled training questions and returns a scorer of one question's candidates."""


def held_out(
    graphs: list[list[Question]], method: Method, folds: int = 5, repeats: int = 10
) -> dict[str, Any]:
    """k-fold cross-validation over question indices (same folds on every graph, training
    questions of all graphs pooled), repeated; per graph mean R@2 / R@5, and wins/losses at R@5
    against dense from the first repeat."""
    n = len(graphs[0])
    per_graph: list[list[tuple[float, float]]] = [[] for _ in graphs]
    first: list[list[dict[str, float]]] = [[{} for _ in range(n)] for _ in graphs]
    rng = random.Random(0)
    for rep in range(repeats):
        order = list(range(n))
        rng.shuffle(order)
        got: list[list[dict[str, float]]] = [[{} for _ in range(n)] for _ in graphs]
        for f in range(folds):
            test = set(order[f::folds])
            train = [q for g in graphs for i, q in enumerate(g) if i not in test]
            scorer = method(train)
            for gi, g in enumerate(graphs):
                for i in test:
                    got[gi][i] = recall_of(g[i], scorer(g[i]))
        for gi in range(len(graphs)):
            per_graph[gi].append(
                (
                    float(np.mean([r["recall@2"] for r in got[gi]])),
                    float(np.mean([r["recall@5"] for r in got[gi]])),
                )
            )
            if rep == 0:
                first[gi] = got[gi]
    out = []
    for gi, g in enumerate(graphs):
        r2 = float(np.mean([p[0] for p in per_graph[gi]]))
        r5 = float(np.mean([p[1] for p in per_graph[gi]]))
        wins = sum(a["recall@5"] > q.dense_recall["recall@5"] for a, q in zip(first[gi], g, strict=True))
        losses = sum(a["recall@5"] < q.dense_recall["recall@5"] for a, q in zip(first[gi], g, strict=True))
        wins2 = sum(a["recall@2"] > q.dense_recall["recall@2"] for a, q in zip(first[gi], g, strict=True))
        losses2 = sum(a["recall@2"] < q.dense_recall["recall@2"] for a, q in zip(first[gi], g, strict=True))
        out.append(
            {
                "recall@2": round(r2, 4),
                "recall@5": round(r5, 4),
                "recall@2_min_repeat": round(min(p[0] for p in per_graph[gi]), 4),
                "wins@5": wins,
                "losses@5": losses,
                "wins@2": wins2,
                "losses@2": losses2,
            }
        )
    return {"cv": out}


def leave_half_out(graphs: list[list[Question]], method: Method, splits: int = 50) -> list[list[float]]:
    n = len(graphs[0])
    rng = random.Random(1)
    rows: list[list[float]] = []
    for _ in range(splits):
        order = list(range(n))
        rng.shuffle(order)
        fit, test = order[: n // 2], order[n // 2 :]
        scorer = method([g[i] for g in graphs for i in fit])
        row = []
        for g in graphs:
            got = [recall_of(g[i], scorer(g[i])) for i in test]
            row += [
                float(np.mean([r["recall@2"] for r in got])),
                float(np.mean([r["recall@5"] for r in got])),
            ]
        rows.append(row)
    return np.mean(rows, axis=0).round(4).tolist()


def in_sample(
    graphs: list[list[Question]], scorer: Callable[[Question], np.ndarray | list[str]]
) -> list[dict[str, Any]]:
    out = []
    for g in graphs:
        got = [recall_of(q, scorer(q)) for q in g]
        out.append(
            {
                "recall@2": round(float(np.mean([r["recall@2"] for r in got])), 4),
                "recall@5": round(float(np.mean([r["recall@5"] for r in got])), 4),
                "wins@5": sum(
                    a["recall@5"] > q.dense_recall["recall@5"] for a, q in zip(got, g, strict=True)
                ),
                "losses@5": sum(
                    a["recall@5"] < q.dense_recall["recall@5"] for a, q in zip(got, g, strict=True)
                ),
            }
        )
    return out


def ranker_method(names: Sequence[str], l2: float = 1e-3) -> Method:
    cols = [FEATURES.index(n) for n in names]

    def method(train: list[Question]) -> Callable[[Question], np.ndarray]:
        w = fit_ranker(train, cols, l2)
        return lambda q: ranker_scores(q, cols, w)

    return method


def fixed_method(name: str) -> Method:
    return lambda train: lambda q: q.fixed[name]


def combined_method(head: Method, tail: Method, size: int | None) -> Method:
    """``head``'s first ``size`` documents then ``tail``'s (``size`` None: interleaved)."""

    def method(train: list[Question]) -> Callable[[Question], np.ndarray | list[str]]:
        h, t = head(train), tail(train)

        def docs(q: Question, scores: np.ndarray | list[str]) -> list[str]:
            return scores if isinstance(scores, list) else ranked_docs(q.rows, q.docs, scores)

        def score(q: Question) -> list[str]:
            a, b = docs(q, h(q)), docs(q, t(q))
            return interleave(a, b) if size is None else head_then(a, b, size)

        return score

    return method


def shipped_method(refit: bool, tail: str = "trust_walk", pick_tail: bool = False) -> Method:
    """What ``full`` ranks (hopgraph.retrieval.fusion): the head (weights refitted on the training
    questions, or the shipped ones) interleaved with the graph-trusting walk (``tail``, or the
    :data:`TAILS` walk best on the training questions when ``pick_tail``)."""
    cols = [FEATURES.index(n) for n in ("lwalk", "lent85t", "dense")]

    def method(train: list[Question]) -> Callable[[Question], np.ndarray | list[str]]:
        weights = tuple(fit_ranker(train, cols).tolist()) if refit else fusion.HEAD_WEIGHTS
        chosen = tail
        if pick_tail:

            def total(name: str) -> float:
                scorer = build(name)
                got = [recall_of(q, scorer(q)) for q in train]
                return sum(r["recall@2"] + r["recall@5"] for r in got)

            chosen = max((f"tail_d{d}_s{s}" for d, s in TAILS), key=total)
        return build(chosen, weights)

    return method


def build(tail: str, weights: tuple[float, ...] = fusion.HEAD_WEIGHTS) -> Callable[[Question], list[str]]:
    def score(q: Question) -> list[str]:
        idx = np.arange(len(q.rows))
        dense = q.x[:, FEATURES.index("dense")]
        head = idx[
            np.argsort(
                -fusion.head_scores(idx, q.fixed["walk_raw"], q.fixed["trust_entities"], dense, weights),
                kind="stable",
            )
        ]
        order = fusion.interleave(head.tolist(), idx[np.argsort(-q.fixed[tail], kind="stable")].tolist())
        return list(dict.fromkeys(q.docs[i] for i in order))

    return score


def route_method(train: list[Question]) -> Callable[[Question], np.ndarray | list[str]]:
    route = fit_route(train)
    return lambda q: q.fixed[route.pick(q)]


RANKERS: dict[str, tuple[str, ...]] = {
    "dense+walk": ("dense", "walk"),
    "dense+walk+seed": ("dense", "walk", "seed"),
    "dense+walk+seed+nseeds": ("dense", "walk", "seed", "nseeds"),
    "dense+walk+bm25": ("dense", "walk", "bm25"),
    "dense+walk+ranks": ("dense", "walk", "rdense", "rwalk"),
    "dense+ent05+pas05": ("dense", "ent05", "pas05"),
    "dense+ent05+pas05+ent85": ("dense", "ent05", "pas05", "ent85"),
    "dense+walk+ent85": ("dense", "walk", "ent85"),
    "cheap: dense+walk+seed+nseeds+ranks": ("dense", "walk", "seed", "nseeds", "rdense", "rwalk"),
    "cheap+bm25": ("dense", "walk", "seed", "nseeds", "rdense", "rwalk", "bm25"),
    "all": FEATURES,
    "lwalk+dense": ("lwalk", "dense"),
    "lwalk+cos": ("lwalk", "cos"),
    "lwalk+dense+seed": ("lwalk", "dense", "seed"),
    "lwalk+dense+rdense": ("lwalk", "dense", "rdense"),
    "lwalk+lent85+dense": ("lwalk", "lent85", "dense"),
    "lent05+lpas05+dense": ("lent05", "lpas05", "dense"),
    "lent05+lpas05+lent85+dense": ("lent05", "lpas05", "lent85", "dense"),
    "lwalk+lent85+dense+seed+rdense": ("lwalk", "lent85", "dense", "seed", "rdense"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", action="append", required=True, help="a graph copy (repeat: one per cache)")
    ap.add_argument("--cache", action="append", required=True, help="bench_graph_fusion.py --cache file")
    ap.add_argument("--questions", required=True)
    ap.add_argument("--features", help="pickle of the built features: read when present, else written")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=fusion.TRUST_STEPS, help="steps of the trusting walks")
    ap.add_argument("--only", help="score only the methods whose name contains this text")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if len(args.graph) != len(args.cache):
        ap.error("give one --cache per --graph")
    if args.features and Path(args.features).exists():
        graphs: list[list[Question]] = pickle.loads(Path(args.features).read_bytes())
    else:
        graphs = [
            questions_of(g, c, args.questions, args.steps)
            for g, c in zip(args.graph, args.cache, strict=True)
        ]
        if args.features:
            Path(args.features).write_bytes(pickle.dumps(graphs))
    result: dict[str, Any] = {"graphs": args.graph, "features": FEATURES, "methods": {}}

    def report(name: str, method: Method) -> None:
        if args.only and args.only not in name:
            return
        cv = held_out(graphs, method, repeats=args.repeats)["cv"]
        lho = leave_half_out(graphs, method)
        full_fit = method([q for g in graphs for q in g])
        ins = in_sample(graphs, full_fit)
        result["methods"][name] = {"cv": cv, "leave_half_out": lho, "in_sample": ins}
        cells = "  |  ".join(
            f"{c['recall@2']:.3f} / {c['recall@5']:.3f} (@5 +{c['wins@5']}-{c['losses@5']}, "
            f"@2 +{c['wins@2']}-{c['losses@2']})"
            for c in cv
        )
        print(f"{name:38s} cv {cells}   lho {lho}", flush=True)

    dense = [
        {
            "recall@2": round(float(np.mean([q.dense_recall["recall@2"] for q in g])), 4),
            "recall@5": round(float(np.mean([q.dense_recall["recall@5"] for q in g])), 4),
        }
        for g in graphs
    ]
    result["dense"] = dense
    print(f"{'dense':38s} {dense}")
    for name in ROUTES:
        report(f"fixed:{name}", fixed_method(name))
    report("route", route_method)
    route = fit_route([q for g in graphs for q in g])
    result["route_all"] = route.__dict__
    print("route fitted on all:", route)
    for name, feats in RANKERS.items():
        if args.only and args.only not in f"ranker:{name}":
            continue
        report(f"ranker:{name}", ranker_method(feats))
        cols = [FEATURES.index(n) for n in feats]
        w = fit_ranker([q for g in graphs for q in g], cols)
        result["methods"][f"ranker:{name}"]["weights_all"] = dict(
            zip(feats, w.round(4).tolist(), strict=True)
        )
        print("   weights on all:", result["methods"][f"ranker:{name}"]["weights_all"], flush=True)
    report("shipped", shipped_method(refit=False))
    report("shipped-refit", shipped_method(refit=True))
    for d, share in TAILS:
        report(f"shipped-tail_d{d}_s{share}", shipped_method(refit=True, tail=f"tail_d{d}_s{share}"))
    report("shipped-refit-tail-picked", shipped_method(refit=True, pick_tail=True))
    w = fit_ranker([q for g in graphs for q in g], [FEATURES.index(n) for n in ("lwalk", "lent85t", "dense")])
    result["shipped_refit_on_all"] = w.round(4).tolist()
    print(
        "shipped head refitted on all 200:", result["shipped_refit_on_all"], "shipped:", fusion.HEAD_WEIGHTS
    )
    heads = {
        "default": fixed_method("default"),
        "ranker3": ranker_method(("lwalk", "lent85", "dense")),
        "ranker2": ranker_method(("lwalk", "dense")),
    }
    for head_name, head in heads.items():
        for tail_name in ("trusting", "default", "trusting_t10"):
            if head_name == tail_name:
                continue
            for size in (2, None):
                label = f"head:{head_name}[{size or 'interleaved'}]+tail:{tail_name}"
                report(label, combined_method(head, fixed_method(tail_name), size))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
