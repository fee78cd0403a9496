"""Embeddings of a graph's chunks and entities, computed once and stored in the vector indexes.

:func:`embed_graph` asks the store for nodes that have no ``embedding`` yet
(``store.missing_embeddings``), embeds their text in batches and writes the vectors back with
``store.set_embeddings`` (which creates the vector index). Running it again embeds nothing; after
new documents arrive it embeds only the new nodes.

What is embedded: a chunk's ``text``; an entity's ``name`` alone. The name alone (not
"name (TYPE)") because entity linking embeds the *mention* in a question, which carries no
type, and because imported triples (OpenIE, KB files) have no types: name-only vectors are
comparable across every source. :func:`entity_text` and :func:`chunk_text` are the one place
this is decided, so query-side code can embed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hopgraph.embed import Embedder
from hopgraph.kg.base import GraphStore, NodeLabel

DEFAULT_BATCH_SIZE = 256
"""Texts embedded and written per round trip."""


def entity_text(name: str) -> str:
    """The text an entity is embedded as: its name."""
    return name


def chunk_text(text: str) -> str:
    """The text a chunk is embedded as: its text."""
    return text


_TEXT: dict[str, Callable[[str], str]] = {"Entity": entity_text, "Chunk": chunk_text}


@dataclass(frozen=True, slots=True)
class EmbedCounts:
    """Nodes embedded by one :func:`embed_graph` call, per label."""

    chunks: int = 0
    entities: int = 0

    @property
    def total(self) -> int:
        return self.chunks + self.entities


def embed_nodes(
    store: GraphStore,
    embedder: Embedder,
    label: NodeLabel,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> int:
    """Embed every ``label`` node lacking an embedding; returns how many were embedded."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    to_text = _TEXT[label]
    done = 0
    attempted: set[str] = set()
    while True:
        rows = [row for row in store.missing_embeddings(label, limit=batch_size) if row[0] not in attempted]
        if not rows:  # nothing left, or only nodes the store would not take a vector for
            return done
        attempted.update(node_id for node_id, _ in rows)
        vectors = embedder.embed([to_text(text) for _, text in rows])
        written = store.set_embeddings(
            label, {node_id: vec for (node_id, _), vec in zip(rows, vectors, strict=True)}
        )
        done += written
        if progress is not None:
            progress(label, done)
        if len(rows) < batch_size:
            return done


def embed_graph(
    store: GraphStore,
    embedder: Embedder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    labels: Sequence[NodeLabel] = ("Chunk", "Entity"),
    progress: Callable[[str, int], None] | None = None,
) -> EmbedCounts:
    """Embed the chunks and entities that have no embedding yet, ``batch_size`` texts at a time.

    ``progress(label, embedded_so_far)`` runs after each batch.
    """
    counts = {
        label: embed_nodes(store, embedder, label, batch_size=batch_size, progress=progress)
        for label in labels
    }
    return EmbedCounts(chunks=counts.get("Chunk", 0), entities=counts.get("Entity", 0))


__all__ = ["DEFAULT_BATCH_SIZE", "EmbedCounts", "chunk_text", "embed_graph", "embed_nodes", "entity_text"]
