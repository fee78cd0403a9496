"""SQuAD-style answer normalisation, exact match and token F1 over answer aliases."""

from __future__ import annotations

import pytest

from hopgraph.eval.answer_metrics import exact_match, f1, normalize_answer


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("The  Beatles!", "beatles"),
        ("an Apple, a day", "apple day"),
        ("G. Stanley Hall", "g stanley hall"),
        ("Theatre", "theatre"),
        ("", ""),
    ],
)
def test_normalisation_lowercases_and_drops_punctuation_articles_and_spaces(text: str, normal: str) -> None:
    assert normalize_answer(text) == normal


def test_exact_match_takes_the_best_alias() -> None:
    assert exact_match("the Stanley Hall.", ["G. Stanley Hall", "Stanley Hall"]) == 1.0
    assert exact_match("Hall", ["G. Stanley Hall", "Stanley Hall"]) == 0.0
    assert exact_match("Paris", "paris") == 1.0
    assert exact_match("x", []) == 0.0


def test_f1_is_token_overlap_maximised_over_aliases() -> None:
    # "stanley hall" vs "g stanley hall": precision 1, recall 2/3 -> F1 0.8; vs the alias: 1.0
    assert f1("Stanley Hall", ["G. Stanley Hall"]) == pytest.approx(0.8)
    assert f1("Stanley Hall", ["G. Stanley Hall", "Stanley Hall"]) == 1.0
    assert f1("hall hall", "hall") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert f1("Copenhagen", ["Oslo"]) == 0.0
    assert f1("", ["Oslo"]) == 0.0
    assert f1("the", ["a"]) == 1.0  # both normalise to nothing
    assert f1("Oslo", []) == 0.0
