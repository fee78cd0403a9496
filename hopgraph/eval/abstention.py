"""Abstention: precision at each coverage level, and a confidence threshold chosen by cross-validation.

    curve = coverage_curve(confidences, correct)            # [(coverage, threshold, precision), ...]
    choice = cross_validated_threshold(confidences, correct, folds=5)

Questions are ranked by confidence (best first); answering the top share ``c`` of them gives
*coverage* ``c`` and *precision* = right answers among those answered. A threshold is chosen on
some questions as the one giving the best precision while answering at least ``min_coverage`` of
them (ties: the lower threshold, answering more); :func:`cross_validated_threshold` chooses one on
each training split of ``folds`` and scores it on the held-out fold, so the precision it reports
was not seen when choosing (the pooled held-out answers), then chooses once more on all questions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

MIN_COVERAGE = 0.2
"""A threshold must let at least this share of questions be answered."""
COVERAGE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold chosen on all questions, and the cross-validated figures of the procedure."""

    threshold: float
    precision: float
    coverage: float
    cv_precision: float
    cv_coverage: float
    cv_thresholds: tuple[float, ...]
    folds: int

    def to_json(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "precision": self.precision,
            "coverage": self.coverage,
            "cv_precision": self.cv_precision,
            "cv_coverage": self.cv_coverage,
            "cv_thresholds": list(self.cv_thresholds),
            "folds": self.folds,
        }


def coverage_curve(
    confidences: Sequence[float], correct: Sequence[float], levels: Sequence[float] = COVERAGE_LEVELS
) -> list[tuple[float, float, float]]:
    """(coverage, confidence of the last question answered, precision) at each coverage level."""
    order = sorted(range(len(confidences)), key=lambda i: -confidences[i])
    out = []
    for level in levels:
        n = max(1, round(level * len(order))) if order else 0
        if n == 0:
            continue
        top = order[:n]
        out.append((n / len(order), confidences[top[-1]], sum(correct[i] for i in top) / n))
    return out


def _answered(confidences: Sequence[float], correct: Sequence[float], threshold: float) -> tuple[int, float]:
    rows = [i for i, c in enumerate(confidences) if c >= threshold]
    return len(rows), sum(correct[i] for i in rows)


def choose_threshold(
    confidences: Sequence[float], correct: Sequence[float], min_coverage: float = MIN_COVERAGE
) -> float:
    """The confidence threshold with the best precision answering at least ``min_coverage``."""
    if not confidences:
        return 0.0
    best: tuple[float, float] | None = None  # (precision, -threshold)
    for threshold in sorted(set(confidences)):
        n, right = _answered(confidences, correct, threshold)
        if n < min_coverage * len(confidences) or n == 0:
            continue
        key = (right / n, -threshold)
        if best is None or key > best:
            best = key
    return -best[1] if best is not None else 0.0


def cross_validated_threshold(
    confidences: Sequence[float],
    correct: Sequence[float],
    *,
    folds: int = 5,
    seed: int = 0,
    min_coverage: float = MIN_COVERAGE,
) -> ThresholdChoice:
    """Choose a threshold on each training split, score it on the held-out fold (pooled), then
    choose on everything (see the module docstring)."""
    rows = list(range(len(confidences)))
    random.Random(seed).shuffle(rows)
    answered = right = 0.0
    chosen = []
    for k in range(folds):
        held = set(rows[k::folds])
        train = [i for i in rows if i not in held]
        threshold = choose_threshold(
            [confidences[i] for i in train], [correct[i] for i in train], min_coverage
        )
        chosen.append(threshold)
        for i in held:
            if confidences[i] >= threshold:
                answered += 1
                right += correct[i]
    threshold = choose_threshold(confidences, correct, min_coverage)
    n, hits = _answered(confidences, correct, threshold)
    total = len(confidences) or 1
    return ThresholdChoice(
        threshold=threshold,
        precision=hits / n if n else 0.0,
        coverage=n / total,
        cv_precision=right / answered if answered else 0.0,
        cv_coverage=answered / total,
        cv_thresholds=tuple(chosen),
        folds=folds,
    )


__all__ = [
    "COVERAGE_LEVELS",
    "MIN_COVERAGE",
    "ThresholdChoice",
    "choose_threshold",
    "coverage_curve",
    "cross_validated_threshold",
]
