"""How a KB question's answers are ordered: the scorer's score, less a little for revisits, then
the random-walk mass of the best relation sequence, then the lowest entity id.

1. **Score.** The scorer's final entity score (:class:`~hopgraph.reason.kb.scorer.HopScorer`),
   compared to six decimals, less :data:`REVISIT_PENALTY` for an entity the question's path
   already passed through (:func:`demote_revisits`).
2. **Ties: random-walk mass.** Among equal scores, the entity a random walk along the scorer's
   best relation sequence is likelier to end at ranks first
   (:func:`hopgraph.reason.kb.relax.sequence_mass`): each hop splits a node's mass evenly over the
   edges it follows, so an answer reached through a film with three listed directors, or an
   actor of fifty films, weighs less than one reached through a film with one. On MetaQA's
   training questions this took 3-hop Hits@1 from 0.9836 to 0.9851 and 2-hop from 0.9879 to
   0.9885; 1-hop is unchanged (every answer of a one-hop walk has the same mass).
3. **Then the lowest entity id** (node index order), so the order is total and reproducible.
"""

from __future__ import annotations

import numpy as np

from hopgraph.reason.kb.paths import values_at

REVISIT_PENALTY = 0.005
"""Subtracted from the score of an answer the question's path already passed through (see
:func:`demote_revisits`). Chosen on the training questions: 3-hop training errors 177 -> 164 for
any value from 0.0005 to 0.01 (the size of the clip slope's bonus for extra paths), more from 0.05."""

REVISIT_MIN_SCORE = 0.5
"""An entity counts as passed through at an earlier hop when it scored at least this there."""

SCORE_DECIMALS = 6
"""Scores equal to this many decimals are tied (sums of the same flows in another order differ
in the last bits)."""


def demote_revisits(
    keys: np.ndarray,
    scores: np.ndarray,
    hop_keys: list[np.ndarray],
    hop_values: list[np.ndarray],
    hop_count: np.ndarray,
    num_nodes: int,
    penalty: float = REVISIT_PENALTY,
) -> np.ndarray:
    """``scores`` less ``penalty`` for each entity that already scored at least REVISIT_MIN_SCORE
    at an earlier hop than its question's hop count (``hop_count [B]``, 1..T). All keys are
    sorted flat ``row * N + node`` indices.

    "Films written by the writer of [Paper Lion] were directed by who" reaches George Plimpton at
    hop 1 and again at hop 3 (he directed one of them), along more paths than any other director,
    so the clip slope ranked him first. On MetaQA's training questions an entity the path already
    passed through is a gold answer 82% of the time, a fresh one 93%, so a revisit ranks after
    an otherwise tied fresh answer."""
    earlier = [
        k[(v >= REVISIT_MIN_SCORE) & (t < hop_count[k // num_nodes] - 1)]
        for t, (k, v) in enumerate(zip(hop_keys, hop_values, strict=True))
    ]
    passed = np.isin(keys, np.concatenate(earlier)) if earlier else np.zeros(keys.shape, dtype=bool)
    return scores - penalty * passed


def rank(
    keys: np.ndarray,
    scores: np.ndarray,
    num_nodes: int,
    batch: int,
    top_k: int,
    mass: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[list[tuple[int, float]]]:
    """Best ``top_k`` ``(node, score)`` per question from sparse scores (sorted flat keys
    ``row * N + node``); only positive scores. Ties (to SCORE_DECIMALS) go to the larger
    random-walk ``mass`` (sorted flat keys and masses; absent: 0), then the lowest node index."""
    out: list[list[tuple[int, float]]] = [[] for _ in range(batch)]
    positive = scores > 0
    keys, scores = keys[positive], scores[positive]
    walked = values_at(*mass, keys) if mass is not None else np.zeros(keys.shape, dtype=np.float32)
    rows, nodes = keys // num_nodes, keys % num_nodes
    order = np.lexsort((nodes, -walked, -np.round(scores, SCORE_DECIMALS), rows))
    for i in order:
        answers = out[int(rows[i])]
        if len(answers) < top_k:
            answers.append((int(nodes[i]), float(scores[i])))
    return out
