"""Batches of an iterable, for work done (written, embedded, queried) a batch at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(iterable: Iterable[T], n: int) -> Iterator[list[T]]:
    """Successive lists of ``n`` items of ``iterable``, the last one possibly shorter.

    ``itertools.batched`` of Python 3.12, but yielding lists (what the stores' ``$rows`` parameters
    and the embedders take). Lazy: an iterator is consumed one batch at a time.
    """
    if n < 1:
        raise ValueError(f"batch size must be at least 1, got {n}")
    it = iter(iterable)
    while batch := list(islice(it, n)):
        yield batch


__all__ = ["batched"]
