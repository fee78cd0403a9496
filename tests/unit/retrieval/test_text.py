"""Reciprocal rank fusion (scores, order, ties, weights, limits), in-memory BM25 and exact kNN."""

from __future__ import annotations

import numpy as np
import pytest

from hopgraph.retrieval.text import Bm25, bm25_terms, nearest_rows, reciprocal_rank_fusion
from hopgraph.types import ScoredId


def ids(*names: str) -> list[ScoredId]:
    return [ScoredId(n, 1.0 / (i + 1), f"text {n}") for i, n in enumerate(names)]


def test_items_in_both_rankings_win_and_scores_are_rrf() -> None:
    fused = reciprocal_rank_fusion([ids("a", "b", "c"), ids("b", "d")], k=60)
    assert [h.id for h in fused] == ["b", "a", "d", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1].score == pytest.approx(1 / 61)
    assert fused[0].text == "text b"


def test_ties_are_broken_by_id() -> None:
    fused = reciprocal_rank_fusion([ids("z", "y"), ids("y", "z")])
    assert [h.id for h in fused] == ["y", "z"]
    assert fused[0].score == pytest.approx(fused[1].score)


def test_weights_limit_and_duplicates() -> None:
    fused = reciprocal_rank_fusion([ids("a", "a", "b"), ids("b")], weights=[1.0, 3.0], limit=1, k=0)
    # "a" counts once at rank 1 (1/1); "b" is rank 2 in the first ranking (1/2) and 3 x 1/1 in the second
    assert [(h.id, h.score) for h in fused] == [("b", pytest.approx(3.5))]


def test_empty_inputs_and_bad_arguments() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([ids("a")], weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="k must be"):
        reciprocal_rank_fusion([ids("a")], k=-1)


def test_bm25_prefers_rare_terms_and_round_trips() -> None:
    texts = [
        "The cat sat on the mat.",
        "A dog and a cat played in the garden.",
        "Quantum chromodynamics describes the strong interaction.",
        "",
    ]
    bm25 = Bm25.build(texts)
    ids_ = ["c0", "c1", "c2", "c3"]
    assert [h.id for h in bm25.top("What did the cat do on the mat?", ids_, 3)] == ["c0", "c1"]
    assert bm25.top("Who described chromodynamics?", ids_, 3)[0].id == "c2"
    assert bm25.top("what is the", ids_, 3) == []  # stopwords only
    assert bm25.top("", ids_, 3) == [] and bm25.top("cat", ids_, 0) == []
    again = Bm25.from_arrays(bm25.arrays())
    np.testing.assert_allclose(again.scores("cat garden"), bm25.scores("cat garden"))
    assert bm25_terms("The Cat's 2 cats!") == ["cat", "s", "2", "cats"]
    assert Bm25.build([]).top("cat", [], 3) == []


def test_nearest_rows_is_an_exact_knn_with_ties_by_id() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((50, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix[10] = matrix[3]  # a tie: "c03" before "c10"
    ids = [f"c{i:02d}" for i in range(50)]
    vector = matrix[3] + 0.1 * matrix[20]
    hits = nearest_rows(matrix, vector, 5, ids)
    scores = matrix @ vector.astype(np.float32)
    expected = sorted(range(50), key=lambda i: (-scores[i], ids[i]))[:5]
    assert [h.id for h in hits] == [ids[i] for i in expected]
    assert hits[0].id == "c03" and hits[1].id == "c10" and hits[0].score == hits[1].score
    assert [h.id for h in nearest_rows(matrix, vector, 500, ids)] == sorted(
        ids, key=lambda i: (-scores[int(i[1:])], i)
    )


def test_nearest_rows_searches_only_the_given_rows_and_checks_the_vector() -> None:
    matrix = np.eye(4, dtype=np.float32)
    ids = ["a", "b", "c", "d"]
    assert [h.id for h in nearest_rows(matrix, [1, 0.5, 0, 0], 4, ids, np.array([1, 2]))] == ["b", "c"]
    assert nearest_rows(matrix, [1, 0, 0, 0], 0, ids) == []
    with pytest.raises(ValueError, match="finite"):
        nearest_rows(matrix, [np.nan, 0, 0, 0], 2, ids)
    with pytest.raises(ValueError, match="a vector of 4 values, got 3"):
        nearest_rows(matrix, [1, 0, 0], 2, ids)
