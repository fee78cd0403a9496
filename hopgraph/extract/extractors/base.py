"""The Extractor seam: a chunk in, validated triples with provenance out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from hopgraph.llm.base import Usage
from hopgraph.types import Chunk, Entity, Triple


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one chunk yielded. ``error`` is set (and triples empty) when the chunk failed.

    ``usage`` counts the tokens paid for (cached LLM responses excluded); ``llm_calls`` counts
    every model call, ``cached_calls`` those answered from the response cache; ``dropped`` counts
    the model's triples that failed validation (ungrounded, malformed, outside a strict schema).
    """

    chunk_id: str
    triples: tuple[Triple, ...] = ()
    entities: tuple[Entity, ...] = ()
    usage: Usage = field(default_factory=Usage)
    error: str = ""
    llm_calls: int = 0
    cached_calls: int = 0
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.error

    @classmethod
    def failed(cls, chunk_id: str, exc: BaseException) -> Extraction:
        """The record of a chunk whose extraction raised ``exc``: its error is ``"Type: message"``."""
        return cls(chunk_id, error=f"{type(exc).__name__}: {exc}")


@runtime_checkable
class Extractor(Protocol):
    """Turns a chunk into triples whose ``chunk_id``/``doc_id`` name that chunk."""

    name: str

    def extract(self, chunk: Chunk) -> Extraction: ...


@runtime_checkable
class AsyncExtractor(Extractor, Protocol):
    """An extractor that can also run concurrently in an event loop (the LLM extractor does)."""

    async def aextract(self, chunk: Chunk) -> Extraction: ...
