"""Ordering of KB answers: revisit demotion, random-walk mass between equal scores, then ids."""

from __future__ import annotations

import numpy as np
import pytest

from hopgraph.reason.kb.rank import REVISIT_PENALTY, demote_revisits, rank

N = 10  # nodes per question


def _keys(*flat: int) -> np.ndarray:
    return np.array(flat, dtype=np.int64)


def test_equal_scores_go_to_the_larger_walk_mass_then_the_lowest_id() -> None:
    # question 0: nodes 3, 5 and 7 tie; the walk gives 7 more mass than 5, and 3 none
    keys = _keys(3, 5, 7)
    scores = np.array([0.9, 0.9, 0.9], dtype=np.float32)
    mass = (_keys(5, 7), np.array([0.25, 0.5], dtype=np.float32))
    assert [n for n, _ in rank(keys, scores, N, 1, 3, mass)[0]] == [7, 5, 3]
    assert [n for n, _ in rank(keys, scores, N, 1, 3)[0]] == [3, 5, 7]


def test_scores_differing_only_in_the_last_bits_count_as_tied() -> None:
    keys = _keys(2, 4)
    scores = np.array([0.9000001, 0.9], dtype=np.float32)
    mass = (_keys(4), np.array([1.0], dtype=np.float32))
    assert rank(keys, scores, N, 1, 1, mass)[0][0][0] == 4


def test_mass_never_overrides_a_better_score_and_rows_stay_apart() -> None:
    keys = _keys(1, 2, N + 1, N + 2)
    scores = np.array([0.8, 0.9, 0.9, 0.0], dtype=np.float32)
    mass = (_keys(1, N + 2), np.array([1.0, 1.0], dtype=np.float32))
    ranked = rank(keys, scores, N, 2, 2, mass)
    assert [n for n, _ in ranked[0]] == [2, 1]
    assert [n for n, _ in ranked[1]] == [1]  # node 2 of question 1 scored 0: not an answer


def test_an_entity_already_on_the_path_ranks_after_an_equally_scored_fresh_one() -> None:
    # a 3-hop question reached node 4 at hop 1 (score 1.0) and nodes 4 and 6 at hop 3
    keys = _keys(4, 6)
    scores = np.array([0.901, 0.9], dtype=np.float32)
    hop_keys = [_keys(4), _keys(5), _keys(4, 6)]
    hop_values = [np.array([1.0]), np.array([1.0]), np.array([0.901, 0.9])]
    demoted = demote_revisits(keys, scores, hop_keys, hop_values, np.array([3]), N)
    assert demoted.tolist() == pytest.approx([0.901 - REVISIT_PENALTY, 0.9])
    assert rank(keys, demoted, N, 1, 1)[0][0][0] == 6
    # a 1-hop question has no earlier hop: nothing is demoted
    same = demote_revisits(keys, scores, hop_keys, hop_values, np.array([1]), N)
    assert same.tolist() == pytest.approx(scores.tolist())


def test_without_walk_masses_ties_go_to_the_lowest_entity_id() -> None:
    n = 5
    keys = np.array([0 * n + 3, 0 * n + 1, 0 * n + 4, 1 * n + 2])
    scores = np.array([1.0, 1.0, 0.5, 0.25], dtype=np.float32)
    assert rank(np.sort(keys), scores[np.argsort(keys)], n, 3, 2) == [[(1, 1.0), (3, 1.0)], [(2, 0.25)], []]
