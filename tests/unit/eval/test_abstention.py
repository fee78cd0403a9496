"""Precision at each coverage level and a confidence threshold chosen by cross-validation."""

from __future__ import annotations

from hopgraph.eval.abstention import choose_threshold, coverage_curve, cross_validated_threshold


def test_coverage_curve_ranks_by_confidence() -> None:
    confidences = [0.9, 0.8, 0.7, 0.2, 0.1]
    correct = [1.0, 1.0, 0.0, 0.0, 1.0]
    curve = coverage_curve(confidences, correct, levels=(0.4, 0.6, 1.0))
    assert curve == [(0.4, 0.8, 1.0), (0.6, 0.7, 2 / 3), (1.0, 0.1, 0.6)]


def test_the_threshold_keeps_the_minimum_coverage_and_the_best_precision() -> None:
    confidences = [0.9, 0.8, 0.7, 0.2, 0.1]
    correct = [1.0, 1.0, 0.0, 0.0, 1.0]
    assert choose_threshold(confidences, correct, min_coverage=0.4) == 0.8
    assert choose_threshold(confidences, correct, min_coverage=1.0) == 0.1


def test_cross_validation_scores_each_fold_with_a_threshold_chosen_without_it() -> None:
    confidences = [i / 40 for i in range(40)]
    correct = [1.0 if i >= 30 else 0.0 for i in range(40)]  # the confident quarter is right
    choice = cross_validated_threshold(confidences, correct, folds=5, min_coverage=0.2)
    assert choice.precision == 1.0 and choice.coverage == 0.25
    assert len(choice.cv_thresholds) == 5 and choice.cv_precision == 1.0
    assert 0.2 <= choice.cv_coverage <= 0.3
