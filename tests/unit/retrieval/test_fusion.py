"""The default method's final ranking (hopgraph.retrieval.fusion) on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.passage_index import tiny_index

from hopgraph.retrieval.fusion import (
    FLOOR,
    HEAD_WEIGHTS,
    SECOND_HOP_FLOOR,
    SECOND_HOP_SLOT,
    candidate_rows,
    fused_order,
    head_scores,
    interleave,
    second_hop,
    trusting_walks,
    with_second_hop,
)
from hopgraph.retrieval.ppr import PassageGraph


def test_interleave_alternates_and_keeps_each_item_once() -> None:
    assert interleave([1, 2, 3], [2, 4, 5]) == [1, 2, 4, 3, 5]
    assert interleave([1], [7, 8, 9]) == [1, 7, 8, 9]
    assert interleave([], [3, 3]) == [3]


def test_candidates_are_dense_then_walk_tops_without_zeros() -> None:
    dense = np.array([0.0, 0.9, 0.0, 0.2, 0.0])
    walk = np.array([0.5, 0.1, 0.0, 0.0, 0.3])
    assert candidate_rows(dense, walk, n=2).tolist() == [1, 3, 0, 4]
    assert candidate_rows(np.zeros(3), np.zeros(3)).size == 0


def test_head_scores_are_the_weighted_log_walks_and_dense() -> None:
    rows = np.array([0, 1, 2])
    walk = np.array([0.4, 0.2, 0.0])
    trust = np.array([0.1, 0.1, 0.05])
    dense = np.array([0.0, 1.0, 0.5])
    got = head_scores(rows, walk, trust, dense, weights=(1.0, 2.0, 3.0))
    expected = [
        np.log(1.0) + 2 * np.log(1.0) + 0.0,
        np.log(0.5) + 2 * np.log(1.0) + 3.0,
        np.log(FLOOR) + 2 * np.log(0.5) + 1.5,
    ]
    np.testing.assert_allclose(got, expected)


def _dense_walk(graph: PassageGraph, reset: np.ndarray, damping: float, steps: int) -> np.ndarray:
    """``steps`` steps of the restarting walk written out with a dense matrix: mass on a node with
    no edges goes back by the restart distribution."""
    walk = graph.transition.walk.toarray()
    r = reset / reset.sum()
    x = r.copy()
    for _ in range(steps):
        spilled = x[walk.sum(axis=0) == 0].sum()
        x = damping * (walk @ x + spilled * r) + (1 - damping) * r
    return x


def test_trusting_walks_are_truncated_walks_from_the_entity_and_the_default_restarts() -> None:
    graph = PassageGraph.from_index(tiny_index())
    entities, passages = {0: 1.0}, {3: 1.0, 1: 0.5}
    ent, both = trusting_walks(graph, entities, passages, passage_mass=0.5, damping=0.85, steps=7)
    for got, reset in (
        (ent, graph.reset_vector(entities, {}, passage_mass=0.5)),
        (both, graph.reset_vector(entities, passages, passage_mass=0.5)),
    ):
        want = _dense_walk(graph, reset, 0.85, 7)
        np.testing.assert_allclose(got, want[graph.num_entities :], atol=1e-12)
    # no seed: the entity walk is empty, the other one is the passages' own walk
    ent, both = trusting_walks(graph, {}, passages, passage_mass=0.5)
    assert not ent.any() and both.sum() > 0


def test_fused_order_interleaves_the_head_with_the_trusting_walk() -> None:
    walk = np.array([0.30, 0.20, 0.10, 0.05, 0.0])
    trust_entities = np.array([0.2, 0.2, 0.2, 0.2, 0.0])
    trusting = np.array([0.0, 0.0, 0.1, 0.5, 0.0])
    dense = np.array([0.0, 1.0, 0.0, 0.0, 0.0])
    # head: walk and dense (row 1 is dense's best and near the walk's top): 1, 0, 2, 3
    # tail (trusting walk over the candidates): 3, 2, then rows scoring 0
    order = fused_order(walk, trust_entities, trusting, dense, weights=(1.0, 0.0, 3.0))
    assert order[:4] == [1, 3, 0, 2]
    assert sorted(order) == [0, 1, 2, 3]  # row 4 is in neither candidate list
    assert fused_order(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)) == []


def test_shipped_weights_are_three_plain_numbers() -> None:
    assert len(HEAD_WEIGHTS) == 3 and all(w > 0 for w in HEAD_WEIGHTS)
    with pytest.raises(ValueError):
        head_scores(np.array([0]), np.ones(1), np.ones(1), np.ones(1), weights=(1.0, 2.0))


# the second hop. tiny_index: c0 "Alice met Bob" (doc d0, titled Alice), c1 "Bob lives in Paris"
# (d1, titled Bob), c2 "Paris is in France" (d2, titled Paris), c3 "Hub" (d3); a question naming
# Alice (seed 0) finds c0 first, which names the bridge Bob, whose own page is c1
TITLES = [(0, 0), (1, 1), (2, 2)]
VECS = np.eye(4, dtype=np.float32)


def question(*weights: float) -> np.ndarray:
    v = np.asarray(weights, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_second_hop_is_the_page_of_a_bridge_the_first_passage_names() -> None:
    index = tiny_index(TITLES, VECS)
    q = question(1.0, 0.3, 0.2, 0.0)
    hit = second_hop(index, [0, 3, 2], {0: 1.0}, q, slot=3)
    assert hit == 1  # Bob (c0 names him, the question does not): his page c1
    assert with_second_hop([0, 3, 2], hit, slot=3) == [0, 3, 1, 2]
    # Hub, also named by c0, titles no document; Paris is c1's, not the first passage's
    assert index.entities_of_chunk(0).tolist() == [0, 1, 4]
    assert index.title_chunks_of(1).tolist() == [1] and index.title_entities_of(0).tolist() == [0]


def test_no_second_hop_for_a_named_bridge_a_negative_cosine_or_a_page_already_above() -> None:
    index = tiny_index(TITLES, VECS)
    q = question(1.0, 0.3, 0.2, 0.0)
    assert second_hop(index, [0, 3, 2], {0: 1.0, 1: 1.0}, q, slot=3) is None  # the question names Bob
    assert second_hop(index, [0, 3, 2], {0: 1.0}, question(1.0, -0.3, 0.0, 0.0), slot=3) is None
    assert second_hop(index, [0, 3, 2], {0: 1.0}, question(1.0, -0.3, 0.0, 0.0), slot=3, floor=-1.0) == 1
    assert second_hop(index, [0, 1, 2], {0: 1.0}, q, slot=3) is None  # c1 is above the slot already
    # the first passage's own title entity is no bridge: c1 first (titled Bob) bridges to Paris (c2)
    assert second_hop(index, [1, 3], {}, q, slot=3) == 2
    assert second_hop(tiny_index(TITLES), [0, 3, 2], {0: 1.0}, q, slot=3) is None  # no chunk vectors
    assert second_hop(index, [], {0: 1.0}, q) is None


def test_with_second_hop_moves_the_hit_up_or_adds_it() -> None:
    assert with_second_hop([5, 6, 7, 8, 9, 10, 11], 11) == [5, 6, 7, 8, 11, 9, 10]
    assert with_second_hop([5, 6], 11) == [5, 6, 11]
    assert with_second_hop([5, 6, 7], None) == [5, 6, 7]
    assert SECOND_HOP_SLOT == 5 and SECOND_HOP_FLOOR == 0.0
