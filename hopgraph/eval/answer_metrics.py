"""Answer metrics of the SQuAD evaluation script: normalised exact match and token F1.

Normalisation: lower case, punctuation removed, the articles ``a``/``an``/``the`` removed,
whitespace collapsed. Both metrics take the best score over the gold answers (answer + aliases).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _answers(answers: str | Sequence[str]) -> list[str]:
    return [answers] if isinstance(answers, str) else list(answers)


def exact_match(prediction: str, answers: str | Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer, else 0.0."""
    predicted = normalize_answer(prediction)
    return float(any(predicted == normalize_answer(a) for a in _answers(answers)))


def _token_f1(predicted: list[str], gold: list[str]) -> float:
    if not predicted or not gold:
        return float(predicted == gold)
    common = sum((Counter(predicted) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def f1(prediction: str, answers: str | Sequence[str]) -> float:
    """Token-overlap F1 of the normalised prediction, the best over the gold answers (0 with none)."""
    predicted = normalize_answer(prediction).split()
    return max((_token_f1(predicted, normalize_answer(a).split()) for a in _answers(answers)), default=0.0)


__all__ = ["exact_match", "f1", "normalize_answer"]
