"""Embeddings of a graph's chunks and entities, computed once and stored in the vector indexes.

:func:`embed_graph` asks the store for nodes that have no ``embedding`` yet
(``store.missing_embeddings``), embeds their text in batches and writes the vectors back with
``store.set_embeddings`` (which creates the vector index). Running it again embeds nothing; after
new documents arrive it embeds only the new nodes.

What is embedded: a chunk's document title and its ``text`` (``title + "\n" + text``, as HippoRAG
embeds passages: a passage rarely repeats its subject's name, the title does; on MuSiQue-100 exact
dense recall@5 rose from 0.579 to 0.622); an entity's ``name`` alone. The name alone (not
"name (TYPE)") because entity linking embeds the *mention* in a question, which carries no
type, and because imported triples (OpenIE, KB files) have no types: name-only vectors are
comparable across every source. :func:`entity_text` and :func:`chunk_text` are the one place
this is decided, so query-side code can embed the same way.

Each chunk written here is marked ``embedded_as = CHUNK_FORMAT``; a chunk embedded before titles
were (no mark) is *stale*: :func:`stale_chunks` counts them and
:func:`hopgraph.extract.reembed.reembed_chunks` (``hopgraph reembed --graph DIR``) embeds them again.
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


CHUNK_FORMAT = "title+text"
"""The ``embedded_as`` mark of a chunk embedded by :func:`chunk_text` (title, newline, text)."""
_CHUNK_TITLES = (
    "UNWIND $ids AS id MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk {id: id}) "
    "RETURN c.id AS id, d.title AS title"
)
_MARK_CHUNKS = "UNWIND $ids AS id MATCH (c:Chunk {id: id}) SET c.embedded_as = $mark"
_STALE_CHUNKS = (
    "MATCH (c:Chunk) WHERE c.embedding IS NOT NULL AND (c.embedded_as IS NULL OR c.embedded_as <> $mark) "
    "RETURN c.id AS id ORDER BY id LIMIT $n"
)


def chunk_text(text: str, title: str = "") -> str:
    """The text a chunk is embedded as: its document's title (when it has one), a newline, its text."""
    title = " ".join(title.split())
    return f"{title}\n{text}" if title else text


def chunk_titles(store: GraphStore, chunk_ids: Sequence[str]) -> dict[str, str]:
    """The title of each chunk's document (chunks without a document are left out)."""
    if not chunk_ids:
        return {}
    rows = store.cypher(_CHUNK_TITLES, {"ids": list(chunk_ids)})
    return {row["id"]: row["title"] or "" for row in rows}


def mark_chunks(store: GraphStore, chunk_ids: Sequence[str]) -> None:
    """Record that ``chunk_ids`` were embedded as :func:`chunk_text` makes them (CHUNK_FORMAT)."""
    if chunk_ids:
        store.cypher(_MARK_CHUNKS, {"ids": list(chunk_ids), "mark": CHUNK_FORMAT}, write=True)


def stale_chunks(store: GraphStore, limit: int = 10_000) -> list[str]:
    """Ids of chunks (up to ``limit``, in id order) that have a vector not made by :func:`chunk_text`:
    a graph embedded before chunk vectors carried their document's title."""
    rows = store.cypher(_STALE_CHUNKS, {"mark": CHUNK_FORMAT, "n": int(limit)})
    return [row["id"] for row in rows]


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
    done = 0
    attempted: set[str] = set()
    while True:
        rows = [row for row in store.missing_embeddings(label, limit=batch_size) if row[0] not in attempted]
        if not rows:  # nothing left, or only nodes the store would not take a vector for
            return done
        attempted.update(node_id for node_id, _ in rows)
        if label == "Chunk":
            titles = chunk_titles(store, [node_id for node_id, _ in rows])
            texts = [chunk_text(text, titles.get(node_id, "")) for node_id, text in rows]
        else:
            texts = [entity_text(text) for _, text in rows]
        vectors = embedder.embed(texts)
        written = store.set_embeddings(
            label, {node_id: vec for (node_id, _), vec in zip(rows, vectors, strict=True)}
        )
        if label == "Chunk":
            mark_chunks(store, [node_id for node_id, _ in rows])
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


__all__ = [
    "CHUNK_FORMAT",
    "DEFAULT_BATCH_SIZE",
    "EmbedCounts",
    "chunk_text",
    "chunk_titles",
    "embed_graph",
    "embed_nodes",
    "entity_text",
    "mark_chunks",
    "stale_chunks",
]
