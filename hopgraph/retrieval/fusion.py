"""The default method's final passage ranking: a careful head interleaved with a far-reaching walk.

The default walk (damping 0.5, half the restart on the dense candidates) keeps dense's best
passages near the top where the graph is noisy, but reaches few second-hop passages; a walk that
trusts the graph more (damping 0.85, classic PageRank) reaches them, yet on a noisy offline graph
it pushes good dense passages out of the top 2. Neither setting held on both MuSiQue-100 graphs
(BENCHMARKS.md, "#11 continued"). This module keeps both:

- the *head* ranks the candidates (dense's top 50 and the default walk's top 50) by a linear score
  over three features, with weights fitted by a listwise softmax loss on both graphs pooled
  (:data:`HEAD_WEIGHTS`): the log of the default walk's score, the log of the entity-only walk at
  damping 0.85, and the min-max dense score;
- the *tail* is the graph-trusting walk itself (damping 0.85, same restart as the default), run
  for :data:`TRUST_STEPS` power-iteration steps only (the order of the top passages is nearly
  settled by then: within 0.7 point of Recall@5 of the converged walk on both graphs);
- the two are interleaved (head's first, tail's first, head's second, ...; each passage once);
- the *second hop* (:func:`with_second_hop`): the first passage usually names the bridge entity
  a multi-hop question does not (the director of the film it names); the passage whose document
  title names such an entity, best by the question's cosine, takes slot :data:`SECOND_HOP_SLOT`
  (BENCHMARKS.md "#11 session 8").

``benchmarks/bench_fusion_ranker.py`` refits the weights and reports them held out (5-fold
cross-validation and leave-half-out, both graphs, wins/losses against dense). Both walks run as
one two-column power iteration (0.25 ms a step on MuSiQue-100's GPT-3.5 graph, 18,014 nodes;
``benchmarks/bench_fusion_latency.py`` times the whole stage).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.ppr import PassageGraph, personalized_pagerank

HEAD_FEATURES = ("walk", "trust_entities", "dense")
"""The head's features: ``log(max(s / max s, FLOOR))`` of the default walk's score and of the
entity-only walk at :data:`TRUST_DAMPING` (maxima over the candidates), and the dense score
min-max scaled over the dense candidates (0 outside them)."""
HEAD_WEIGHTS = (2.4892, 0.142, 2.9429)
"""Fitted on MuSiQue-100, both graphs (GPT-3.5 triples, offline extractor) pooled, 200 questions
(``benchmarks/bench_fusion_ranker.py``); see BENCHMARKS.md "#11 session 6" for held-out figures."""
FLOOR = 1e-4
TRUST_DAMPING = 0.85
TRUST_STEPS = 10
CANDIDATES = 50
SECOND_HOP_SLOT = 5
"""Where the second-hop passage goes (1-based): the last of the top 5, so the first 4 (and
Recall@2) are the fused ranking's own."""
SECOND_HOP_FLOOR = 0.0
"""A second-hop passage whose cosine with the question is below this is not added (picked on half
of the questions of both MuSiQue-100 graphs in 21 of 50 splits: BENCHMARKS.md "#11 session 8")."""


def trusting_walks(
    passages: PassageGraph,
    entity_weights: Mapping[int, float],
    passage_weights: Mapping[int, float],
    *,
    passage_mass: float,
    damping: float = TRUST_DAMPING,
    steps: int = TRUST_STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """``[C]`` passage scores of two walks at ``damping`` after ``steps`` power-iteration steps:
    the entity-only walk, and the walk restarting like the default one (entities and passages)."""
    resets = (
        passages.reset_vector(entity_weights, {}, passage_mass=passage_mass),
        passages.reset_vector(entity_weights, passage_weights, passage_mass=passage_mass),
    )
    # one vector at a time: scipy's product with a [N, 2] block took twice two products' time
    walks = [personalized_pagerank(passages.transition, r, damping, tol=0.0, max_iter=steps) for r in resets]
    return walks[0][passages.num_entities :], walks[1][passages.num_entities :]


def _log_over_max(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    if top <= 0:
        return np.full(len(values), np.log(FLOOR))
    return np.log(np.maximum(values / top, FLOOR))


def candidate_rows(dense: np.ndarray, walk: np.ndarray, n: int = CANDIDATES) -> np.ndarray:
    """Chunk rows of dense's top ``n`` then the walk's top ``n`` (each once; dense is 0 outside its
    candidates)."""
    dense_top = np.argsort(-dense, kind="stable")[:n]
    dense_top = dense_top[dense[dense_top] > 0]
    walk_top = np.argsort(-walk, kind="stable")[:n]
    walk_top = walk_top[walk[walk_top] > 0]
    return np.array(list(dict.fromkeys([*dense_top.tolist(), *walk_top.tolist()])), dtype=np.int64)


def head_scores(
    rows: np.ndarray,
    walk: np.ndarray,
    trust_entities: np.ndarray,
    dense: np.ndarray,
    weights: tuple[float, ...] = HEAD_WEIGHTS,
) -> np.ndarray:
    """The head's score of each candidate row (see :data:`HEAD_FEATURES`)."""
    x = np.stack([_log_over_max(walk[rows]), _log_over_max(trust_entities[rows]), dense[rows]], axis=1)
    return np.asarray(x @ np.asarray(weights, dtype=np.float64))


def interleave(first: list[int], second: list[int]) -> list[int]:
    """first[0], second[0], first[1], second[1], ...; each item once, where it first appears."""
    both = (i for pair in itertools.zip_longest(first, second) for i in pair if i is not None)
    return list(dict.fromkeys(both))


def fused_order(
    walk: np.ndarray,
    trust_entities: np.ndarray,
    trusting: np.ndarray,
    dense: np.ndarray,
    weights: tuple[float, ...] = HEAD_WEIGHTS,
) -> list[int]:
    """Chunk rows best first: the head's order (see the module doc) interleaved with the
    graph-trusting walk's. ``walk``, ``trust_entities``, ``trusting``: ``[C]`` walk scores;
    ``dense``: ``[C]`` min-max dense scores of the dense candidates, 0 elsewhere."""
    rows = candidate_rows(dense, walk)
    if rows.size == 0:
        return []
    head = rows[np.argsort(-head_scores(rows, walk, trust_entities, dense, weights), kind="stable")]
    tail = rows[np.argsort(-trusting[rows], kind="stable")]
    return interleave(head.tolist(), tail.tolist())


def second_hop(
    index: GraphIndex,
    order: Sequence[int],
    seeds: Collection[int],
    question: np.ndarray,
    *,
    slot: int = SECOND_HOP_SLOT,
    floor: float = SECOND_HOP_FLOOR,
) -> int | None:
    """The chunk row of the second-hop passage for ``order`` (chunk rows best first), or None.

    Bridges: the entities ``order[0]`` mentions that are neither in ``seeds`` (the question's
    linked entity rows) nor named by its own title. Candidates: the chunks whose document title
    names a bridge (title edges), from documents other than those of ``order[: slot - 1]`` and
    ``order[0]``. The best by cosine with ``question`` (a unit vector), when it is at least
    ``floor``. None when the index holds no chunk vectors."""
    vectors = index.chunk_vectors
    if len(order) == 0 or vectors is None:
        return None
    first = int(order[0])
    named = set(index.title_entities_of(first).tolist())
    bridges = [
        e for e in dict.fromkeys(index.entities_of_chunk(first).tolist()) if e not in seeds and e not in named
    ]
    if not bridges:
        return None
    pool = np.unique(np.concatenate([index.title_chunks_of(e) for e in bridges]))
    if pool.size == 0:
        return None
    docs = index.chunk_doc_ids
    above = {docs[int(r)] for r in order[: slot - 1]} | {docs[first]}
    scores = vectors[pool] @ np.asarray(question, dtype=np.float32)
    for i in np.argsort(-scores, kind="stable"):
        row = int(pool[i])
        if docs[row] not in above:
            return row if float(scores[i]) >= floor else None
    return None


def with_second_hop(order: Sequence[int], hit: int | None, slot: int = SECOND_HOP_SLOT) -> list[int]:
    """``order`` with ``hit`` moved (or added) to position ``slot`` (1-based)."""
    rows = [int(r) for r in order]
    if hit is None:
        return rows
    rows = [r for r in rows if r != hit]
    rows.insert(slot - 1, hit)
    return rows


__all__ = [
    "CANDIDATES",
    "HEAD_FEATURES",
    "HEAD_WEIGHTS",
    "SECOND_HOP_FLOOR",
    "SECOND_HOP_SLOT",
    "TRUST_DAMPING",
    "TRUST_STEPS",
    "candidate_rows",
    "fused_order",
    "head_scores",
    "interleave",
    "second_hop",
    "trusting_walks",
    "with_second_hop",
]
