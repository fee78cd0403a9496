"""Reciprocal rank fusion (scores, order, ties, weights, limits) and in-memory BM25."""

from __future__ import annotations

import numpy as np
import pytest

from hopgraph.retrieval.text import Bm25, bm25_terms, reciprocal_rank_fusion
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
