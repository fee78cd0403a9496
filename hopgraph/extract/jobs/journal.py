"""The resolution journal: what a job's entity resolver saw, batch by batch, so a resumed job can
restore the resolver exactly as the interrupted run left it.

Entity resolution is stateful: the resolver remembers every canonical name, alias and name vector
of the batches it resolved, and the short names of recent documents. A resumed job that started
with a fresh resolver (reading only the store) resolved later names against a different state and
built a different graph. So each committed batch is journalled in ``jobs.sqlite``: its extraction
results (triples and entities, after provenance was normalised) and every answer the resolver got
from the outside world (the store's lookups and the embedder's vectors). On resume the journal is
replayed through the same resolver with those recorded answers (no model, no store), which gives
the exact state an uninterrupted run had after the same batches.

The journal is written *ahead* of the store write (status ``applying``); the chunk states and the
``committed`` mark follow in one transaction after the store acknowledged. A batch found
``applying`` on resume was cut off mid-write: it is replayed and written again (idempotent MERGEs),
never re-resolved against a store that already holds part of it. The journal belongs to the
unfinished job: it is cleared when a run finishes, and when documents are deleted or the state is
reset.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from hopgraph.extract.extractors.base import Extraction
from hopgraph.llm.base import Usage
from hopgraph.types import Entity, ScoredId, Triple

_TRIPLE_FIELDS = ("subject", "predicate", "object", "doc_id", "chunk_id", "confidence")
_TRIPLE_TYPES = ("subject_type", "object_type")


def encode_batch(results: Sequence[Extraction], docs: dict[str, str], calls: Sequence[list[Any]]) -> bytes:
    """One batch (its extraction results, each chunk's document, the resolver's recorded calls)."""
    payload = {
        "docs": docs,
        "results": [
            {
                "chunk": r.chunk_id,
                "error": r.error,
                "usage": [r.usage.prompt_tokens, r.usage.completion_tokens],
                "triples": [[getattr(t, f) for f in _TRIPLE_FIELDS + _TRIPLE_TYPES] for t in r.triples],
                "entities": [[e.name, e.type] for e in r.entities],
            }
            for r in results
        ],
        "calls": list(calls),
    }
    return zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 6)


def decode_batch(blob: bytes) -> tuple[list[Extraction], dict[str, str], list[list[Any]]]:
    payload = json.loads(zlib.decompress(blob).decode("utf-8"))
    results = []
    for r in payload["results"]:
        triples = tuple(
            Triple(*row[:6], subject_type=row[6], object_type=row[7])  # type: ignore[misc]
            for row in r["triples"]
        )
        entities = tuple(Entity(name=n, type=t) for n, t in r["entities"])
        usage = Usage(int(r["usage"][0]), int(r["usage"][1]))
        results.append(Extraction(r["chunk"], triples, entities, usage, r["error"]))
    return results, dict(payload["docs"]), list(payload["calls"])


def _vectors_out(array: np.ndarray) -> list[Any]:
    array = np.ascontiguousarray(array, dtype=np.float32)
    return [list(array.shape), base64.b64encode(array.tobytes()).decode("ascii")]


def _vectors_in(shape: list[int], data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=np.float32).reshape(shape).copy()


class RecordingStore:
    """The resolver's view of the store: the real one, with every answer appended to ``calls``."""

    def __init__(self, inner: Any, calls: list[list[Any]]) -> None:
        self.inner = inner
        self.calls = calls

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        found = list(self.inner.find_entities(names))
        self.calls.append(["find_entities", [[e.name, e.type] for e in found]])
        return found

    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        found = list(self.inner.get_entities(ids))
        self.calls.append(["get_entities", [[e.name, e.type] for e in found]])
        return found

    def vector_search(self, label: Any, vector: Sequence[float], k: int = 10) -> list[ScoredId]:
        hits = list(self.inner.vector_search(label, vector, k=k))
        self.calls.append(["vector_search", [[h.id, h.score, h.text] for h in hits]])
        return hits

    def cypher(self, query: str, params: dict[str, Any] | None = None, *, write: bool = False) -> Any:
        rows = self.inner.cypher(query, params, write=write)
        self.calls.append(["cypher", [dict(r) for r in rows]])
        return rows


class RecordingEmbedder:
    """The resolver's embedder, with every vector block appended to ``calls``."""

    def __init__(self, inner: Any, calls: list[list[Any]]) -> None:
        self.inner = inner
        self.calls = calls

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self.inner.embed(texts), dtype=np.float32)
        self.calls.append(["embed", _vectors_out(vectors)])
        return vectors


class JournalMismatch(RuntimeError):
    """The replayed resolver asked something the journal has no answer for (a different resolver)."""


class _Replay:
    def __init__(self, calls: list[list[Any]]) -> None:
        self.calls = list(reversed(calls))

    def _next(self, method: str) -> Any:
        if not self.calls:
            raise JournalMismatch(f"the resolution journal has no recorded answer left for {method}")
        name, value = self.calls.pop()
        if name != method:
            raise JournalMismatch(f"the resolution journal recorded {name}, the resolver asked {method}")
        return value

    def left(self) -> int:
        return len(self.calls)


class ReplayStore(_Replay):
    """Answers the resolver's store lookups from a journal, in the order they were recorded."""

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        return [Entity(name=n, type=t) for n, t in self._next("find_entities")]

    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        return [Entity(name=n, type=t) for n, t in self._next("get_entities")]

    def vector_search(self, label: Any, vector: Sequence[float], k: int = 10) -> list[ScoredId]:
        return [ScoredId(id=i, score=float(s), text=t) for i, s, t in self._next("vector_search")]

    def cypher(self, query: str, params: dict[str, Any] | None = None, *, write: bool = False) -> Any:
        return self._next("cypher")


class ReplayEmbedder:
    """Answers the resolver's embedding calls from the same journal as its :class:`ReplayStore`."""

    def __init__(self, replay: _Replay) -> None:
        self.replay = replay

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        shape, data = self.replay._next("embed")
        vectors = _vectors_in(shape, data)
        if len(vectors) != len(texts):
            raise JournalMismatch(f"journal: {len(vectors)} vectors recorded, {len(texts)} asked")
        return vectors


__all__ = [
    "JournalMismatch",
    "RecordingEmbedder",
    "RecordingStore",
    "ReplayEmbedder",
    "ReplayStore",
    "decode_batch",
    "encode_batch",
]
