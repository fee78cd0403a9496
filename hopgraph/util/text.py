"""Small text helpers: one-line excerpts (renderers, answer prompts), first-seen unique, search terms."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

_TERM = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32
"""At most this many terms of a text reach a full-text query."""


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space, ends stripped."""
    return " ".join(text.split())


def excerpt(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """``text`` on one line, cut at a word boundary (when one lies in the second half) so that it
    ends in ``ellipsis`` within about ``limit`` characters; shorter texts whole."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    head = flat[: max(limit - len(ellipsis), 1)]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + ellipsis


def unique(items: Iterable[T]) -> list[T]:
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def search_terms(text: str) -> list[str]:
    """Word tokens of free text, lower-cased, deduplicated in order, at most :data:`MAX_TERMS`; no
    query syntax survives (what the stores' full-text queries and entity linking search for)."""
    seen: dict[str, None] = {}
    for term in _TERM.findall(text.lower()):
        if term != "_" and term not in seen:
            seen[term] = None
    return list(seen)[:MAX_TERMS]


__all__ = ["MAX_TERMS", "excerpt", "one_line", "search_terms", "unique"]
