"""The write side of the Cypher store: upserts, relation batching, mentions, embeddings, entity
merging, document deletion and the schema, over the backend primitive ``_run``.

Rows are pre-aggregated in Python (one row per node or relationship, provenance unioned), so
each batch is a plain ``UNWIND ... MERGE`` that is idempotent and never races with itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from hopgraph.ids import checked_type_name, name_key
from hopgraph.kg.base import DeleteCounts, NodeLabel, WriteCounts
from hopgraph.kg.cypher.dialect import Dialect, node_label
from hopgraph.kg.cypher.entity_merge import merge_entities
from hopgraph.kg.cypher.parts import RunCypher, count_of, merge_provenance
from hopgraph.kg.cypher.rows import TYPES_PER_STATEMENT
from hopgraph.types import Chunk, Document, Entity, Triple
from hopgraph.util.batching import batched

# Keyed by the predicate's wording too: two wordings that sanitise to one type ("directed by",
# "Directed_By") stay two relationships, each with its own provenance (see hopgraph.ids).
_RELATION_MERGE = (
    "UNWIND $rows{k} AS r MATCH (s:Entity {{id: r.s}}) MATCH (o:Entity {{id: r.o}}) "
    "MERGE (s)-[x:{t} {{predicate: r.p}}]->(o) " + merge_provenance("x", "r.p", "r.c", "r.d", "r.conf")
)


def _union(target: list[str], extra: Iterable[str]) -> None:
    for value in extra:
        if value and value not in target:
            target.append(value)


class CypherWrites:
    """GraphStore's writes, mixed into ``CypherGraphStore``, which supplies what is declared here."""

    dialect: Dialect
    batch_size: int
    _run: RunCypher

    # -- schema ---------------------------------------------------------------------------------
    def _schema_changed(self) -> None:
        """Called after an index was created: backends wait for it to be usable."""

    def _create_index(self, statement: str) -> bool:
        """Run one index DDL statement; False when the index already existed."""
        try:
            self._run(statement, write=True)
        except Exception as exc:  # the "already indexed" error class differs per backend
            if "already" not in str(exc).lower():
                raise
            return False
        return True

    def _ensure_schema(self) -> None:
        created = [self._create_index(statement) for statement in self.dialect.setup_statements()]
        if any(created):
            self._schema_changed()

    # -- writes ---------------------------------------------------------------------------------
    def _write_rows(self, query: str, rows: list[dict[str, Any]]) -> None:
        for batch in batched(rows, self.batch_size):
            self._run(query, {"rows": batch}, write=True)

    def upsert_documents(self, documents: Iterable[Document]) -> WriteCounts:
        rows = {
            d.id: {"id": d.id, "source": d.source, "title": d.title, "meta": _scalars(d.metadata)}
            for d in documents
        }
        self._write_rows(
            "UNWIND $rows AS r MERGE (d:Document {id: r.id}) "
            "SET d.source = r.source, d.title = r.title, d += r.meta",
            list(rows.values()),
        )
        return WriteCounts(documents=len(rows))

    def upsert_chunks(self, chunks: Iterable[Chunk]) -> WriteCounts:
        rows: dict[str, dict[str, Any]] = {}
        vectors: dict[str, Sequence[float]] = {}
        for c in chunks:
            rows[c.id] = {"id": c.id, "doc": c.doc_id, "ord": c.ord, "text": c.text}
            if c.embedding is not None:
                vectors[c.id] = c.embedding
        self._write_rows(
            "UNWIND $rows AS r MATCH (d:Document {id: r.doc}) MERGE (c:Chunk {id: r.id}) "
            "SET c.doc_id = r.doc, c.ord = r.ord, c.text = r.text MERGE (d)-[:HAS_CHUNK]->(c)",
            list(rows.values()),
        )
        if vectors:
            self.set_embeddings("Chunk", vectors)
        return WriteCounts(chunks=len(rows))

    def _merge_entities(self, rows: list[dict[str, Any]]) -> None:
        self._write_rows(
            "UNWIND $rows AS r MERGE (e:Entity {id: r.id}) "
            "ON CREATE SET e.name = r.name, e.key = r.key, e.type = r.type, e.aliases = r.aliases, "
            "e.doc_ids = r.docs "
            "ON MATCH SET e.type = CASE WHEN coalesce(e.type, '') = '' THEN r.type ELSE e.type END, "
            "e.aliases = coalesce(e.aliases, []) + [a IN r.aliases WHERE NOT a IN coalesce(e.aliases, [])], "
            "e.doc_ids = coalesce(e.doc_ids, []) + [x IN r.docs WHERE NOT x IN coalesce(e.doc_ids, [])]",
            rows,
        )

    def upsert_entities(self, entities: Iterable[Entity], *, doc_id: str = "") -> WriteCounts:
        rows: dict[str, dict[str, Any]] = {}
        vectors: dict[str, Sequence[float]] = {}
        for e in entities:
            row = rows.setdefault(
                e.id,
                {
                    "id": e.id,
                    "name": e.name,
                    "key": name_key(e.name),
                    "type": e.type,
                    "aliases": [],
                    "docs": [doc_id] if doc_id else [],
                },
            )
            row["type"] = row["type"] or e.type
            _union(row["aliases"], e.aliases)
            if e.embedding is not None:
                vectors[e.id] = e.embedding
        self._merge_entities(list(rows.values()))
        if vectors:
            self.set_embeddings("Entity", vectors)
        return WriteCounts(entities=len(rows))

    def upsert_triples(self, triples: Iterable[Triple]) -> WriteCounts:
        entities: dict[str, dict[str, Any]] = {}
        relations: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = defaultdict(dict)
        mentions: set[tuple[str, str]] = set()
        for t in triples:
            s_id, o_id, rel_type = t.subject_id, t.object_id, checked_type_name(t.type)
            for ent_id, name, etype in ((s_id, t.subject, t.subject_type), (o_id, t.object, t.object_type)):
                row = entities.setdefault(
                    ent_id,
                    {
                        "id": ent_id,
                        "name": name,
                        "key": name_key(name),
                        "type": etype,
                        "aliases": [],
                        "docs": [],
                    },
                )
                row["type"] = row["type"] or etype
                _union(row["docs"], [t.doc_id])
                if t.chunk_id:
                    mentions.add((t.chunk_id, ent_id))
            rel = relations[rel_type].setdefault(
                (s_id, o_id, t.predicate),
                {"s": s_id, "o": o_id, "p": t.predicate, "c": [], "d": [], "conf": t.confidence},
            )
            _union(rel["c"], [t.chunk_id])
            _union(rel["d"], [t.doc_id])
            rel["conf"] = max(rel["conf"], t.confidence)
        self._merge_entities(list(entities.values()))
        self._write_relations({t: list(rows.values()) for t, rows in relations.items()})
        self._merge_mentions(mentions)
        return WriteCounts(
            entities=len(entities),
            relations=sum(len(rows) for rows in relations.values()),
            mentions=len(mentions),
        )

    def _write_relations(self, by_type: dict[str, list[dict[str, Any]]]) -> None:
        """Merge relation rows, several types per statement.

        A type cannot be a parameter, so each type needs its own ``MERGE`` clause; sending each in a
        statement of its own costs a round trip and a query plan per type (OpenIE output has
        thousands of predicates). Up to ``TYPES_PER_STATEMENT`` ``UNWIND`` segments, joined by
        ``WITH count(*)``, go in one statement instead, about ``batch_size`` rows in all.
        """
        parts: list[str] = []
        params: dict[str, Any] = {}
        size = 0

        def flush() -> None:
            nonlocal parts, params, size
            if parts:
                self._run(" ".join(parts), params, write=True)
            parts, params, size = [], {}, 0

        for rel_type, rows in by_type.items():
            rel_type = checked_type_name(rel_type)
            for batch in batched(rows, self.batch_size):
                if size + len(batch) > self.batch_size or len(parts) >= TYPES_PER_STATEMENT:
                    flush()
                k = len(parts)
                glue = f"WITH count(*) AS done{k} " if k else ""
                parts.append(glue + _RELATION_MERGE.format(k=k, t=rel_type))
                params[f"rows{k}"] = batch
                size += len(batch)
        flush()

    def _merge_mentions(self, mentions: set[tuple[str, str]]) -> None:
        # The chunk's document becomes part of the entity's provenance, so deleting it is exact.
        self._write_rows(
            "UNWIND $rows AS r MATCH (c:Chunk {id: r.c}) MATCH (e:Entity {id: r.e}) "
            "MERGE (c)-[:MENTIONS]->(e) "
            "SET e.doc_ids = CASE WHEN c.doc_id IN e.doc_ids THEN e.doc_ids ELSE e.doc_ids + [c.doc_id] END",
            [{"c": c, "e": e} for c, e in sorted(mentions)],
        )

    def add_mentions(self, mentions: Iterable[tuple[str, str]]) -> WriteCounts:
        """Link chunks to entities they mention, as ``(chunk_id, entity_id)`` pairs."""
        pairs = set(mentions)
        self._merge_mentions(pairs)
        return WriteCounts(mentions=len(pairs))

    def set_embeddings(self, label: NodeLabel, vectors: dict[str, Sequence[float]]) -> int:
        label = node_label(label)  # type: ignore[assignment]
        if not vectors:
            return 0
        dims = {len(v) for v in vectors.values()}
        if len(dims) != 1:
            raise ValueError(f"all {label} embeddings must have one dimension, got {sorted(dims)}")
        self._ensure_vector_index(label, dims.pop())
        self._write_rows(
            f"UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) " + self.dialect.set_embedding("n", "r.v"),
            [{"id": k, "v": [float(x) for x in v]} for k, v in vectors.items()],
        )
        return len(vectors)

    def merge_entities(self, alias_id: str, canonical_id: str) -> int:
        return merge_entities(self._run, alias_id, canonical_id)

    def _ensure_vector_index(self, label: str, dimension: int) -> None:
        if self._create_index(self.dialect.vector_index(label, dimension)):
            self._schema_changed()

    def delete_document(self, doc_id: str) -> DeleteCounts:
        params = {"doc": doc_id}
        found = self._run("MATCH (d:Document {id: $doc}) RETURN count(d) AS n", params, write=False)
        if not found or not found[0]["n"]:
            return DeleteCounts()
        counts = self._delete_extracted(params)
        chunk_rows = self._run(
            "MATCH (:Document {id: $doc})-[:HAS_CHUNK]->(c:Chunk) DETACH DELETE c RETURN count(*) AS n",
            params,
            write=True,
        )
        self._run("MATCH (d:Document {id: $doc}) DETACH DELETE d", params, write=True)
        return DeleteCounts(documents=1, chunks=count_of(chunk_rows), **counts)

    def delete_extraction(self, doc_id: str) -> DeleteCounts:
        params = {"doc": doc_id}
        counts = self._delete_extracted(params)
        mentions = "MATCH (:Document {id: $doc})-[:HAS_CHUNK]->(:Chunk)-[m:MENTIONS]->() DELETE m"
        self._run(mentions, params, write=True)
        return DeleteCounts(**counts)

    def _delete_extracted(self, params: dict[str, Any]) -> dict[str, int]:
        """The entity layer of document ``$doc``: its relations and entities go, shared ones lose its
        provenance. Idempotent (a crash part-way is finished by running it again)."""
        # Two statements each (delete the emptied, then trim the rest): an update is not
        # visible to later clauses of the same statement on every backend.
        owned = "MATCH (e:Entity) WHERE $doc IN e.doc_ids "
        rel_rows = self._run(
            owned + "MATCH (e)-[r]->(:Entity) WHERE $doc IN r.doc_ids "
            "AND size([x IN r.doc_ids WHERE x <> $doc]) = 0 DELETE r RETURN count(*) AS n",
            params,
            write=True,
        )
        self._run(
            "MATCH (:Document {id: $doc})-[:HAS_CHUNK]->(c:Chunk) WITH collect(c.id) AS chunks "
            + owned
            + "MATCH (e)-[r]->(:Entity) WHERE $doc IN r.doc_ids "
            "SET r.doc_ids = [x IN r.doc_ids WHERE x <> $doc], "
            "r.chunk_ids = [x IN r.chunk_ids WHERE NOT x IN chunks]",
            params,
            write=True,
        )
        self._run(
            owned + "AND size([x IN e.doc_ids WHERE x <> $doc]) > 0 "
            "SET e.doc_ids = [x IN e.doc_ids WHERE x <> $doc]",
            params,
            write=True,
        )
        ent_rows = self._run(owned + "DETACH DELETE e RETURN count(*) AS n", params, write=True)
        return {"entities": count_of(ent_rows), "relations": count_of(rel_rows)}

    def clear(self) -> None:
        self._run("MATCH (n) DETACH DELETE n", write=True)


def _scalars(metadata: dict[str, Any]) -> dict[str, Any]:
    """Document metadata that can be stored as properties (scalars and lists of scalars)."""
    ok = (str, int, float, bool)
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if key in {"id", "source", "title"} or not isinstance(key, str) or "`" in key or not key:
            continue
        if isinstance(value, ok) or (isinstance(value, list) and all(isinstance(v, ok) for v in value)):
            out[key] = value
    return out


__all__ = ["CypherWrites"]
