"""Embed a graph's chunks again, as :func:`~hopgraph.extract.embed_graph.chunk_text` makes them now.

A graph built before chunk vectors carried their document's title holds *stale* chunks (vectors
without the ``embedded_as`` mark). :func:`reembed_chunks` takes them ``batch_size`` at a time:
it clears their vectors, then embeds them as chunks without a vector are embedded (title and
text, marked), so a killed run resumes where it stopped: a cleared chunk is picked up as one
missing a vector, a stale one as stale, and a marked one is never embedded again.

Clearing is its own statement on purpose: FalkorDB (4.16) keeps the old value when
``SET n.embedding = vecf32($v)`` is run on a node that already has a vector, even after a
``SET n.embedding = NULL`` earlier in the same query; only a separate query that sets it to
null first lets the new vector be written (tests/contract/test_reembed_store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hopgraph.embed import Embedder
from hopgraph.extract.embed_graph import DEFAULT_BATCH_SIZE, embed_nodes, stale_chunks
from hopgraph.kg.base import GraphStore

_CLEAR = "UNWIND $ids AS id MATCH (c:Chunk {id: id}) SET c.embedding = NULL"
REEMBED_HINT = "run `hopgraph reembed --graph DIR` to embed them with their titles"


@dataclass(frozen=True, slots=True)
class ReembedCounts:
    """What one :func:`reembed_chunks` call did."""

    stale: int
    """Stale chunks found (vectors made before titles were embedded) when the call started."""
    embedded: int
    """Chunks embedded (the stale ones and any left without a vector by an interrupted run)."""


def clear_chunk_vectors(store: GraphStore, chunk_ids: Sequence[str]) -> None:
    """Remove the vectors of ``chunk_ids`` (one statement of its own: see the module doc)."""
    if chunk_ids:
        store.cypher(_CLEAR, {"ids": list(chunk_ids)}, write=True)


def count_stale_chunks(store: GraphStore, limit: int = 1_000_000) -> int:
    """How many chunks carry a vector made without their title (up to ``limit``)."""
    return len(stale_chunks(store, limit=limit))


def reembed_chunks(
    store: GraphStore,
    embedder: Embedder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ReembedCounts:
    """Embed every stale chunk again with its title; ``progress(embedded, stale)`` after each batch."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    stale = count_stale_chunks(store)
    # chunks an interrupted run cleared but did not embed again come first
    done = embed_nodes(store, embedder, "Chunk", batch_size=batch_size)
    while ids := stale_chunks(store, limit=batch_size):
        clear_chunk_vectors(store, ids)
        done += embed_nodes(store, embedder, "Chunk", batch_size=batch_size)
        if progress is not None:
            progress(done, stale)
        if stale_chunks(store, limit=1) == ids[:1]:  # the store would not take the new vectors
            raise RuntimeError(f"chunk {ids[0]} is still stale after it was embedded again")
    return ReembedCounts(stale=stale, embedded=done)


__all__ = ["REEMBED_HINT", "ReembedCounts", "clear_chunk_vectors", "count_stale_chunks", "reembed_chunks"]
