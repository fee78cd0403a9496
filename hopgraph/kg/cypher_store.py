"""GraphStore operations written once in Cypher; backends supply ``_run`` and a Dialect.

Rows are pre-aggregated in Python (one row per node or relationship, provenance unioned), so
each batch is a plain ``UNWIND ... MERGE`` that is idempotent and never races with itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from hopgraph.batching import batched
from hopgraph.ids import TYPE_NAME, checked_type_name, name_key
from hopgraph.kg.base import DeleteCounts, Direction, NodeLabel, WriteCounts
from hopgraph.kg.cypher_parts import count_of, merge_provenance
from hopgraph.kg.dialect import Dialect, node_label
from hopgraph.kg.entity_merge import merge_entities
from hopgraph.types import Chunk, Document, Entity, GraphStats, Relation, ScoredId, Subgraph, Triple

log = logging.getLogger(__name__)

_RELATION_RETURN = (
    "startNode(r).id AS s, type(r) AS t, endNode(r).id AS o, r.predicate AS p, "
    "r.chunk_ids AS c, r.doc_ids AS d, r.confidence AS conf"
)
_ENTITY_RETURN = "e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases"
TYPES_PER_STATEMENT = 50
"""Relationship types merged per statement by ``upsert_triples``."""
_RELATION_MERGE = (
    "UNWIND $rows{k} AS r MATCH (s:Entity {{id: r.s}}) MATCH (o:Entity {{id: r.o}}) "
    "MERGE (s)-[x:{t}]->(o) " + merge_provenance("x", "r.p", "r.c", "r.d", "r.conf")
)


def _union(target: list[str], extra: Iterable[str]) -> None:
    for value in extra:
        if value and value not in target:
            target.append(value)


def _relation(row: dict[str, Any]) -> Relation:
    return Relation(
        source=row["s"],
        type=row["t"],
        target=row["o"],
        predicate=row["p"] or row["t"],
        chunk_ids=tuple(row["c"] or ()),
        doc_ids=tuple(row["d"] or ()),
        confidence=float(row["conf"] if row["conf"] is not None else 1.0),
    )


def _entity(row: dict[str, Any]) -> Entity:
    return Entity(id=row["id"], name=row["name"], type=row["type"] or "", aliases=tuple(row["aliases"] or ()))


class CypherGraphStore:
    """Everything a GraphStore does, over an abstract ``_run``. Not used directly."""

    name = "cypher"
    dialect: Dialect
    batch_size: int = 2000

    # -- backend primitive --------------------------------------------------------------------
    def _run(self, query: str, params: dict[str, Any] | None = None, *, write: bool) -> list[dict[str, Any]]:
        raise NotImplementedError

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

    def upsert_entities(self, entities: Iterable[Entity]) -> WriteCounts:
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
                    "docs": [],
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
        relations: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
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
                (s_id, o_id), {"s": s_id, "o": o_id, "p": t.predicate, "c": [], "d": [], "conf": t.confidence}
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
        chunk_rows = self._run(
            "MATCH (:Document {id: $doc})-[:HAS_CHUNK]->(c:Chunk) DETACH DELETE c RETURN count(*) AS n",
            params,
            write=True,
        )
        self._run("MATCH (d:Document {id: $doc}) DETACH DELETE d", params, write=True)
        return DeleteCounts(
            documents=1,
            chunks=count_of(chunk_rows),
            entities=count_of(ent_rows),
            relations=count_of(rel_rows),
        )

    def clear(self) -> None:
        self._run("MATCH (n) DETACH DELETE n", write=True)

    # -- reads ----------------------------------------------------------------------------------
    def stats(self) -> GraphStats:
        counts = {}
        for label in ("Document", "Chunk", "Entity"):
            counts[label] = count_of(self._run(f"MATCH (n:{label}) RETURN count(n) AS n", write=False))
        types = self._run(
            "MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS t, count(r) AS n ORDER BY n DESC, t",
            write=False,
        )
        by_type = {row["t"]: int(row["n"]) for row in types}
        return GraphStats(
            documents=counts["Document"],
            chunks=counts["Chunk"],
            entities=counts["Entity"],
            relations=sum(by_type.values()),
            relation_types=by_type,
        )

    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        rows = self._run(
            f"UNWIND $ids AS id MATCH (e:Entity {{id: id}}) RETURN {_ENTITY_RETURN}",
            {"ids": list(dict.fromkeys(ids))},
            write=False,
        )
        return [_entity(r) for r in rows]

    def get_relations(self, keys: Iterable[tuple[str, str, str]]) -> list[Relation]:
        by_type: dict[str, list[list[str]]] = defaultdict(list)
        for source, rel_type, target in dict.fromkeys(keys):
            if TYPE_NAME.match(rel_type):  # any other name cannot be a stored relationship type
                by_type[checked_type_name(rel_type)].append([source, target])
        out: list[Relation] = []
        types = list(by_type)
        for group in batched(types, TYPES_PER_STATEMENT):
            # one typed pattern per type: an untyped [r] makes FalkorDB visit every type's matrix
            parts = [
                f"UNWIND $k{i} AS k MATCH (:Entity {{id: k[0]}})-[r:{t}]->(:Entity {{id: k[1]}}) "
                f"RETURN {_RELATION_RETURN}"
                for i, t in enumerate(group)
            ]
            params = {f"k{i}": by_type[t] for i, t in enumerate(group)}
            out += [_relation(r) for r in self._run(" UNION ALL ".join(parts), params, write=False)]
        return out

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        keys = list(dict.fromkeys(name_key(n) for n in names if n and n.strip()))
        rows = self._run(
            f"UNWIND $keys AS k MATCH (e:Entity {{key: k}}) RETURN {_ENTITY_RETURN}",
            {"keys": keys},
            write=False,
        )
        return [_entity(r) for r in rows]

    def get_chunks(self, ids: Iterable[str]) -> list[Chunk]:
        rows = self._run(
            "UNWIND $ids AS id MATCH (c:Chunk {id: id}) RETURN c.id AS id, c.doc_id AS doc, c.ord AS ord, "
            "c.text AS text",
            {"ids": list(dict.fromkeys(ids))},
            write=False,
        )
        return [Chunk(id=r["id"], doc_id=r["doc"], ord=int(r["ord"]), text=r["text"]) for r in rows]

    def get_documents(self, ids: Iterable[str]) -> list[Document]:
        rows = self._run(
            "UNWIND $ids AS id MATCH (d:Document {id: id}) "
            "RETURN d.id AS id, d.source AS source, d.title AS title",
            {"ids": list(dict.fromkeys(ids))},
            write=False,
        )
        return [Document(id=r["id"], source=r["source"] or "", title=r["title"] or "") for r in rows]

    def neighbours(
        self, entity_id: str, *, direction: Direction = "both", limit: int = 100
    ) -> list[Relation]:
        pattern = {"out": "(e)-[r]->(:Entity)", "in": "(e)<-[r]-(:Entity)", "both": "(e)-[r]-(:Entity)"}
        if direction not in pattern:
            raise ValueError(f"direction must be one of out, in, both; got {direction!r}")
        rows = self._run(
            f"MATCH (e:Entity {{id: $id}}) MATCH {pattern[direction]} RETURN {_RELATION_RETURN} LIMIT $limit",
            {"id": entity_id, "limit": int(limit)},
            write=False,
        )
        return _unique_relations(rows)

    def subgraph(
        self,
        seed_ids: Iterable[str],
        *,
        hops: int = 2,
        max_nodes: int = 500,
        max_edges: int = 2000,
    ) -> Subgraph:
        seeds = list(dict.fromkeys(seed_ids))
        found = self.get_entities(seeds)
        nodes: dict[str, Entity] = {e.id: e for e in found[:max_nodes]}
        relations: dict[tuple[str, str, str], Relation] = {}
        frontier = list(nodes)
        truncated = len(found) > max_nodes
        for _ in range(hops):
            if not frontier or truncated:
                break
            budget = max_edges - len(relations)
            rows = self._run(
                "UNWIND $ids AS id MATCH (e:Entity {id: id})-[r]-(n:Entity) "
                f"RETURN {_RELATION_RETURN}, n.id AS id, n.name AS name, n.type AS type, "
                "n.aliases AS aliases "
                "LIMIT $limit",
                {"ids": frontier, "limit": budget + 1},
                write=False,
            )
            next_frontier: list[str] = []
            for row in rows:
                key = (row["s"], row["t"], row["o"])
                if key in relations:
                    continue
                new_node = row["id"] not in nodes
                if len(relations) >= max_edges or (new_node and len(nodes) >= max_nodes):
                    truncated = True
                    continue
                if new_node:
                    nodes[row["id"]] = _entity(row)
                    next_frontier.append(row["id"])
                relations[key] = _relation(row)
            if len(rows) > budget:
                truncated = True
            frontier = next_frontier
        return Subgraph(
            entities=tuple(nodes.values()),
            relations=tuple(relations.values()),
            seeds=tuple(e.id for e in found),
            truncated=truncated,
        )

    def vector_search(self, label: NodeLabel, vector: Sequence[float], k: int = 10) -> list[ScoredId]:
        rows = self._run(
            self.dialect.vector_query(label), {"k": int(k), "vector": [float(x) for x in vector]}, write=False
        )
        return [ScoredId(id=r["id"], score=float(r["score"]), text=r["text"] or "") for r in rows]

    def fulltext_search(self, label: NodeLabel, text: str, k: int = 10) -> list[ScoredId]:
        query = self.dialect.fulltext_string(text)
        if not query:
            return []
        rows = self._run(self.dialect.fulltext_query(label), {"k": int(k), "query": query}, write=False)
        return [ScoredId(id=r["id"], score=float(r["score"]), text=r["text"] or "") for r in rows]

    def iter_entities(self, batch_size: int = 10_000) -> Iterator[Entity]:
        after = ""
        while True:
            rows = self._run(
                f"MATCH (e:Entity) WHERE e.id > $after RETURN {_ENTITY_RETURN} ORDER BY id LIMIT $n",
                {"after": after, "n": int(batch_size)},
                write=False,
            )
            yield from (_entity(r) for r in rows)
            if len(rows) < batch_size:
                return
            after = rows[-1]["id"]

    def missing_embeddings(self, label: NodeLabel, limit: int = 10_000) -> list[tuple[str, str]]:
        field = {"Entity": "name", "Chunk": "text"}[node_label(label)]
        rows = self._run(
            f"MATCH (n:{label}) WHERE n.embedding IS NULL "
            f"RETURN n.id AS id, n.{field} AS text ORDER BY id LIMIT $n",
            {"n": int(limit)},
            write=False,
        )
        return [(row["id"], row["text"] or "") for row in rows]

    def iter_relations(self, batch_size: int = 10_000) -> Iterator[Relation]:
        # Paged by source entity id, so a page holds whole adjacency lists and no edge is skipped.
        after = ""
        while True:
            ids = [
                r["id"]
                for r in self._run(
                    "MATCH (e:Entity) WHERE e.id > $after RETURN e.id AS id ORDER BY id LIMIT $n",
                    {"after": after, "n": int(batch_size)},
                    write=False,
                )
            ]
            if not ids:
                return
            rows = self._run(
                f"UNWIND $ids AS id MATCH (e:Entity {{id: id}})-[r]->(:Entity) RETURN {_RELATION_RETURN}",
                {"ids": ids},
                write=False,
            )
            yield from _unique_relations(rows)
            after = ids[-1]

    # -- exploration ----------------------------------------------------------------------------
    def cypher(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        if not isinstance(query, str) or not query.strip():
            raise ValueError("the Cypher query is empty")
        return self._run(query, params or {}, write=write)


def _unique_relations(rows: list[dict[str, Any]]) -> list[Relation]:
    seen: dict[tuple[str, str, str], Relation] = {}
    for row in rows:
        seen.setdefault((row["s"], row["t"], row["o"]), _relation(row))
    return list(seen.values())


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
