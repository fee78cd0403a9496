"""The Retriever seam: what :func:`hopgraph.eval.retrieval.evaluate_retrieval` runs, one call per
question and method (``hopgraph eval retrieval`` wraps :meth:`hopgraph.HopGraph.ask` in one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RetrievalOutput:
    """What a retriever returned for one question: ranked chunk ids and/or document ids, the
    answer text (None for a method that only retrieves) and its own timing (None: the runner's
    wall-clock time of the call is used)."""

    chunk_ids: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    answer_text: str | None = None
    ms: float | None = None
    confidence: float | None = None
    """The answerer's confidence in ``answer_text`` (its best guess, scored even when it abstained)."""
    abstained: bool = False


class Retriever(Protocol):
    """What the retrieval benchmark runs: ranked passages (and an answer) per question and method;
    may also name a ``default_method`` (what a plain ask uses)."""

    @property
    def methods(self) -> Sequence[str]:
        """The method names :meth:`retrieve` takes, e.g. ``dense``, ``hybrid``, ``ppr``, ``full``."""
        ...

    def retrieve(self, question: str, method: str, k: int) -> RetrievalOutput:
        """The top passages (at least ``k`` distinct documents where there are that many)."""
        ...


__all__ = ["RetrievalOutput", "Retriever"]
