"""What ``hopgraph ingest`` and :meth:`hopgraph.HopGraph.ingest` take besides their sources.

Kept apart from the job itself so that ``import hopgraph`` (which exports :class:`IngestOptions`)
loads no job machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_BATCH_SIZE = 64
"""Extracted chunks per store write and state commit."""


@dataclass(frozen=True)
class IngestOptions:
    """What ``hopgraph ingest`` takes besides its sources (see :func:`run_ingest`)."""

    llm: str = ""
    """LLM spec; empty: ``[llm] spec`` from the settings, else the offline spaCy extractor."""
    concurrency: int | None = None
    """LLM calls in flight (default ``[llm] concurrency``); the offline extractor runs batched."""
    retry_failed: bool = False
    triples: str | None = None
    """A HippoRAG OpenIE JSON file: import its triples instead of running an extractor."""
    json_fields: Any = None
    max_tokens: int = 256
    overlap_tokens: int = 32
    batch_size: int = DEFAULT_BATCH_SIZE
    embed: bool = True
    resolve: bool = True
    price_per_1k: float | None = None


__all__ = ["DEFAULT_BATCH_SIZE", "IngestOptions"]
