"""How a question is parsed by spaCy: the linker (noun chunks) and the answer typer (wh-words and
their heads) read one parse of it, made without the recogniser."""

from __future__ import annotations

from typing import Any

QUESTION_SKIPS = ("ner",)
"""Components a question's parse leaves out. Its names are the capitalised runs the linker finds
(:func:`hopgraph.retrieval.linking.name_runs`): the recogniser took 4-5 of the 10 ms a question's
parse cost, and on MuSiQue-100 (both graphs) and 2Wiki its spans linked no better than those runs
(BENCHMARKS.md, "Latency of the default method (session 9)")."""


def parse_question(nlp: Any, question: str) -> Any:
    """``nlp``'s parse of a question: every component but :data:`QUESTION_SKIPS` (the linker's
    noun chunks and the answer typer's wh-words and heads need the tagger and the parser only)."""
    skip = [name for name in QUESTION_SKIPS if name in getattr(nlp, "pipe_names", ())]
    return nlp(question, disable=skip) if skip else nlp(question)
