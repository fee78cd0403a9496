"""Typed, immutable values passed between hopgraph's components.

Every component takes and returns these; none of them does I/O. Ids are content
hashes (see :mod:`hopgraph.ids`), so building the same value twice yields the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hopgraph.ids import chunk_id, document_id, entity_id, normalize_name, relation_type


@dataclass(frozen=True, slots=True)
class Document:
    """A source document. ``id`` defaults to a hash of ``source`` (its path, URL or given id)."""

    source: str
    text: str = ""
    title: str = ""
    id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", document_id(self.source))


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of a document; ``ord`` is its position in the document."""

    doc_id: str
    ord: int
    text: str
    id: str = ""
    embedding: tuple[float, ...] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", chunk_id(self.doc_id, self.text))


@dataclass(frozen=True, slots=True)
class Entity:
    """A node of the knowledge graph. ``id`` is a hash of the normalised name."""

    name: str
    type: str = ""
    id: str = ""
    aliases: tuple[str, ...] = ()
    embedding: tuple[float, ...] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("an entity needs a non-empty name")
        if not self.id:
            object.__setattr__(self, "id", entity_id(self.name))


@dataclass(frozen=True, slots=True)
class Triple:
    """A (subject, predicate, object) statement with its provenance.

    ``doc_id`` names the document it came from and ``chunk_id`` the chunk (empty
    for triples imported from a KB file, which have a document but no chunk).
    """

    subject: str
    predicate: str
    object: str
    doc_id: str = ""
    chunk_id: str = ""
    confidence: float = 1.0
    subject_type: str = ""
    object_type: str = ""

    def __post_init__(self) -> None:
        for part in ("subject", "predicate", "object"):
            value = getattr(self, part)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"triple {part} must be a non-empty string, got {value!r}")

    @property
    def subject_id(self) -> str:
        return entity_id(self.subject)

    @property
    def object_id(self) -> str:
        return entity_id(self.object)

    @property
    def type(self) -> str:
        """The relationship type this triple is stored under (e.g. ``DIRECTED_BY``)."""
        return relation_type(self.predicate)


@dataclass(frozen=True, slots=True)
class Relation:
    """A stored relationship between two entities, with its provenance lists."""

    source: str
    type: str
    target: str
    predicate: str
    chunk_ids: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Subgraph:
    """A bounded neighbourhood: entities, the relations between them, and whether a bound cut it."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    seeds: tuple[str, ...] = ()
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class ScoredId:
    """A search hit: a node id with its score (higher is better) and a display text."""

    id: str
    score: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class GraphStats:
    documents: int
    chunks: int
    entities: int
    relations: int
    relation_types: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a reasoning path from ``source`` to ``target`` and where it was read.

    The stored relation is ``source -[predicate]-> target``, or with ``inverse`` the stored
    ``target -[predicate]-> source`` walked backwards (shown ``source <-[predicate]- target``).
    ``source_id``/``target_id`` are the stored entity ids of the two ends and ``type`` the stored
    relationship type, as the reasoner read them (empty when unknown); the path-in-store check
    uses them, so an entity renamed after it was stored still checks. They take no part in
    equality.
    """

    source: str
    predicate: str
    target: str
    chunk_ids: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    inverse: bool = False
    source_id: str = field(default="", compare=False)
    target_id: str = field(default="", compare=False)
    type: str = field(default="", compare=False)

    @property
    def arrow(self) -> str:
        """``-[predicate]->``, or ``<-[predicate]-`` for a backwards step."""
        return f"<-[{self.predicate}]-" if self.inverse else f"-[{self.predicate}]->"


@dataclass(frozen=True, slots=True)
class ReasoningPath:
    """An ordered chain of hops through the graph, with its score."""

    hops: tuple[Hop, ...]
    score: float = 0.0

    def __str__(self) -> str:
        if not self.hops:
            return ""
        parts = [self.hops[0].source]
        for hop in self.hops:
            parts.append(f"{hop.arrow} {hop.target}")
        return " ".join(parts)

    @property
    def answer(self) -> str:
        return self.hops[-1].target if self.hops else ""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a question gets: the answer text, its reasoning paths, chunks and citations.

    ``citations`` are labels into this answer: ``P1`` is ``paths[0]``, ``C2`` is ``chunks[1]``.
    ``unknown_citations`` are labels the generator cited that match no path or chunk (dropped from
    ``citations`` and flagged). ``chunk_scores`` are the retrieval scores of ``chunks`` (same
    order), ``seeds`` the entities linked from the question, ``evidence`` the scored subgraph the
    paths were found in (for drawing), ``answerer`` what wrote ``text`` (``extractive``,
    ``llm:<model>``, ``kb``), ``timings`` milliseconds per stage. ``confidence`` (0..1, None when
    not estimated) is how sure the answerer is of ``best_guess``, its answer; ``abstained`` is
    True when that was below the confidence threshold and ``text`` says "no confident answer"
    instead. ``asked_type`` is what the question asks for and ``answer_type`` the type of
    ``best_guess`` (:mod:`hopgraph.reason.doc.answer_types`; extractive answers). ``notes`` are
    warnings for the reader (a question not in English, ...). ``titles``: the titles of the
    documents it draws on.
    """

    text: str
    paths: tuple[ReasoningPath, ...] = ()
    chunks: tuple[Chunk, ...] = ()
    citations: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    chunk_scores: tuple[float, ...] = ()
    seeds: tuple[ScoredId, ...] = ()
    unknown_citations: tuple[str, ...] = ()
    evidence: Subgraph | None = field(default=None, compare=False, hash=False)
    answerer: str = ""
    question: str = ""
    confidence: float | None = None
    best_guess: str = ""
    abstained: bool = False
    notes: tuple[str, ...] = ()
    asked_type: str = ""
    answer_type: str = ""
    titles: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Document id -> title of the documents the answer cites (filled by :meth:`HopGraph.ask`;
    the renderers use it when no titles are passed)."""


__all__ = [
    "Answer",
    "Chunk",
    "Document",
    "Entity",
    "GraphStats",
    "Hop",
    "ReasoningPath",
    "Relation",
    "ScoredId",
    "Subgraph",
    "Triple",
    "normalize_name",
]
