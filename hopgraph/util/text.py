"""Small text helpers shared by the renderers and the answer prompts."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


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


__all__ = ["excerpt", "one_line", "unique"]
