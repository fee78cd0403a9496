"""Typed-answer check sets: questions with their answers and the type each asks for, scored on
exact answers, type contradictions and abstention.

    items = load_typed_questions("data/typed/questions.tsv")
    report = evaluate_typed_answers(ask, items)          # ask(question) -> Answer

The file has one ``question<TAB>answer|alias...<TAB>type`` line per question (``#`` comments and
blank lines skipped; type one of :data:`~hopgraph.reason.doc.answer_types.ANSWER_TYPES`). An
answer is *exact* when its best guess (what it would answer without the confidence threshold)
matches a gold answer after SQuAD normalisation; it *contradicts* when its type is known and does
not fit the type the file gives (a "who" question takes a person or an organisation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopgraph.errors import ImportFormatError
from hopgraph.eval.abstention import coverage_curve
from hopgraph.eval.answer_metrics import exact_match
from hopgraph.reason.doc.answer_types import ANSWER_TYPES, ORG, PERSON, UNKNOWN
from hopgraph.types import Answer


@dataclass(frozen=True)
class TypedQuestion:
    question: str
    answers: tuple[str, ...]
    kind: str


@dataclass
class TypedReport:
    questions: int
    exact: float
    contradictions: int
    answered: float
    answered_precision: float | None
    by_type: dict[str, dict[str, float]]
    precision_at_coverage: list[dict[str, float]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, details: bool = False) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "rows"}
        if details:
            out["rows"] = self.rows
        return out


def load_typed_questions(path: str | Path) -> list[TypedQuestion]:
    """The questions of a check-set file (format in the module docstring)."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].strip() or not parts[1].strip():
            raise ImportFormatError(f"{path}:{number}: expected 'question<TAB>answer|alias<TAB>type'")
        kind = parts[2].strip()
        if kind not in ANSWER_TYPES:
            raise ImportFormatError(
                f"{path}:{number}: unknown type {kind!r}; valid: {', '.join(ANSWER_TYPES)}"
            )
        answers = tuple(a.strip() for a in parts[1].split("|") if a.strip())
        items.append(TypedQuestion(parts[0].strip(), answers, kind))
    return items


def contradicts(kind: str, answer_type: str) -> bool:
    """Whether an answer of type ``answer_type`` contradicts a question asking for ``kind``."""
    if not answer_type or answer_type == UNKNOWN or kind not in (PERSON, ORG, "place", "date", "number"):
        return False
    if kind == PERSON:
        return answer_type not in (PERSON, ORG)
    return answer_type != kind


def evaluate_typed_answers(ask: Callable[[str], Answer], items: Sequence[TypedQuestion]) -> TypedReport:
    """Ask every question once and score the answers (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    for item in items:
        answer = ask(item.question)
        guess = answer.best_guess or answer.text
        rows.append(
            {
                "question": item.question,
                "type": item.kind,
                "answer": guess,
                "answer_type": answer.answer_type,
                "asked_type": answer.asked_type,
                "confidence": answer.confidence,
                "abstained": answer.abstained,
                "exact": exact_match(guess, item.answers),
                "contradicts": contradicts(item.kind, answer.answer_type),
            }
        )
    n = len(rows) or 1
    kept = [r for r in rows if not r["abstained"]]
    by_type: dict[str, dict[str, float]] = {}
    for kind in ANSWER_TYPES:
        mine = [r for r in rows if r["type"] == kind]
        if mine:
            by_type[kind] = {"questions": len(mine), "exact": sum(r["exact"] for r in mine) / len(mine)}
    confident = [r for r in rows if r["confidence"] is not None]
    curve = coverage_curve(
        [float(r["confidence"]) for r in confident], [float(r["exact"]) for r in confident]
    )
    return TypedReport(
        questions=len(rows),
        exact=sum(r["exact"] for r in rows) / n,
        contradictions=sum(r["contradicts"] for r in rows),
        answered=len(kept) / n,
        answered_precision=sum(r["exact"] for r in kept) / len(kept) if kept else None,
        by_type=by_type,
        precision_at_coverage=[{"coverage": c, "min_confidence": t, "precision": p} for c, t, p in curve],
        rows=rows,
    )


__all__ = ["TypedQuestion", "TypedReport", "contradicts", "evaluate_typed_answers", "load_typed_questions"]
