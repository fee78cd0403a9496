"""The GraphStore seam: what every graph backend provides, and the small result types it returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from hopgraph.types import Chunk, Document, Entity, GraphStats, Relation, ScoredId, Subgraph, Triple

NodeLabel = Literal["Entity", "Chunk"]
Direction = Literal["out", "in", "both"]


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """How many rows a write sent, per kind (rows are merged: re-sending the same row changes nothing)."""

    documents: int = 0
    chunks: int = 0
    entities: int = 0
    relations: int = 0
    mentions: int = 0


@dataclass(frozen=True, slots=True)
class DeleteCounts:
    """What ``delete_document`` removed outright (shared entities and relations only lose provenance)."""

    documents: int = 0
    chunks: int = 0
    entities: int = 0
    relations: int = 0


@runtime_checkable
class GraphStore(Protocol):
    """A property-graph store holding hopgraph's schema (Document, Chunk, Entity nodes; typed relations).

    Writes are batched ``UNWIND`` merges keyed by content-hash ids, so they are idempotent.
    Every value reaches Cypher as a parameter; only label and relationship-type names that
    matched ``^[A-Z][A-Z0-9_]{0,63}$`` are interpolated.
    """

    name: str
    """The backend's name, e.g. ``falkordb`` or ``neo4j``."""

    # -- writes ---------------------------------------------------------------------------------
    def upsert_documents(self, documents: Iterable[Document]) -> WriteCounts: ...

    def upsert_chunks(self, chunks: Iterable[Chunk]) -> WriteCounts:
        """Store chunks and link each to its document (which must exist)."""
        ...

    def upsert_entities(self, entities: Iterable[Entity], *, doc_id: str = "") -> WriteCounts:
        """Store entities (name, type, aliases, embedding); keeps provenance of existing ones.
        ``doc_id``: the document they come from (added to their provenance, so deleting that
        document removes entities nothing else holds)."""
        ...

    def upsert_triples(self, triples: Iterable[Triple]) -> WriteCounts:
        """Store both endpoint entities and the relation, merging provenance lists.

        A triple with a ``chunk_id`` also links that chunk to both entities (``MENTIONS``)."""
        ...

    def add_mentions(self, mentions: Iterable[tuple[str, str]]) -> WriteCounts:
        """Link chunks to the entities they mention, as ``(chunk_id, entity_id)`` pairs (both stored)."""
        ...

    def set_embeddings(self, label: NodeLabel, vectors: dict[str, Sequence[float]]) -> int:
        """Set the ``embedding`` of nodes by id and make sure the vector index exists."""
        ...

    def delete_document(self, doc_id: str) -> DeleteCounts:
        """Remove exactly this document's contribution; orphaned entities and relations go too."""
        ...

    def delete_extraction(self, doc_id: str) -> DeleteCounts:
        """Remove what extraction stored for this document (its relations, mentions, its share of
        entity and relation provenance; entities and relations left without provenance go), keeping
        the Document and its Chunks. Aliases and types that entities of other documents took from it
        stay."""
        ...

    def clear(self) -> None:
        """Delete every node and relationship of this graph."""
        ...

    def merge_entities(self, alias_id: str, canonical_id: str) -> int:
        """Fold entity ``alias_id`` into ``canonical_id``: move its relations and MENTIONS (provenance
        unioned), add its name and aliases to the canonical's aliases, delete it. Returns the number
        of relations moved; 0 and no change when either entity is missing or they are the same."""
        ...

    # -- reads ----------------------------------------------------------------------------------
    def stats(self) -> GraphStats: ...

    def get_entities(self, ids: Iterable[str]) -> list[Entity]: ...

    def get_relations(self, keys: Iterable[tuple[str, str, str]]) -> list[Relation]:
        """The stored relations among ``(source id, relationship type, target id)`` keys, with their
        provenance (keys the graph does not hold are left out)."""
        ...

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        """Entities whose name (normalised) equals one of ``names``."""
        ...

    def get_chunks(self, ids: Iterable[str]) -> list[Chunk]: ...

    def get_documents(self, ids: Iterable[str]) -> list[Document]: ...

    def neighbours(
        self, entity_id: str, *, direction: Direction = "both", limit: int = 100
    ) -> list[Relation]: ...

    def subgraph(
        self,
        seed_ids: Iterable[str],
        *,
        hops: int = 2,
        max_nodes: int = 500,
        max_edges: int = 2000,
    ) -> Subgraph:
        """The k-hop neighbourhood of the seeds, cut at ``max_nodes``/``max_edges`` (``truncated``)."""
        ...

    def vector_search(self, label: NodeLabel, vector: Sequence[float], k: int = 10) -> list[ScoredId]:
        """Nearest nodes by cosine similarity (score in -1..1, higher is closer)."""
        ...

    def fulltext_search(self, label: NodeLabel, text: str, k: int = 10) -> list[ScoredId]:
        """Full-text hits over entity names or chunk text; any text is accepted (it is tokenised)."""
        ...

    def missing_embeddings(self, label: NodeLabel, limit: int = 10_000) -> list[tuple[str, str]]:
        """Up to ``limit`` ``(id, text)`` of ``label`` nodes without an embedding, by id (text: the
        chunk's text or the entity's name)."""
        ...

    def iter_entities(self, batch_size: int = 10_000) -> Iterator[Entity]: ...

    def iter_relations(self, batch_size: int = 10_000) -> Iterator[Relation]: ...

    # -- exploration ----------------------------------------------------------------------------
    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_s: float | None = None,
    ) -> list[dict[str, Any]]:
        """Run a Cypher query; read-only unless ``write`` (enforced by the database itself).

        ``timeout_s`` bounds a read: the database stops it after that many seconds and
        :class:`~hopgraph.errors.QueryTimeoutError` is raised (0: no limit; None: the store's own
        limit for internal queries)."""
        ...

    def close(self) -> None: ...
