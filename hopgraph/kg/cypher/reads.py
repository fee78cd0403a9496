"""The read side of the Cypher store: stats, lookups by id or name, neighbourhoods, vector and
full-text search, and paged iteration, over the backend primitive ``_run``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from hopgraph.ids import TYPE_NAME, checked_type_name, name_key
from hopgraph.kg.base import Direction, NodeLabel
from hopgraph.kg.cypher.dialect import Dialect, node_label
from hopgraph.kg.cypher.parts import RunCypher, count_of
from hopgraph.kg.cypher.rows import (
    ENTITY_RETURN,
    RELATION_RETURN,
    TYPES_PER_STATEMENT,
    as_entity,
    as_relation,
    unique_relations,
)
from hopgraph.types import Chunk, Document, Entity, GraphStats, Relation, ScoredId, Subgraph
from hopgraph.util.batching import batched


class CypherReads:
    """GraphStore's reads, mixed into ``CypherGraphStore``, which supplies what is declared here."""

    dialect: Dialect
    _run: RunCypher

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
            f"UNWIND $ids AS id MATCH (e:Entity {{id: id}}) RETURN {ENTITY_RETURN}",
            {"ids": list(dict.fromkeys(ids))},
            write=False,
        )
        return [as_entity(r) for r in rows]

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
                f"RETURN {RELATION_RETURN}"
                for i, t in enumerate(group)
            ]
            params = {f"k{i}": by_type[t] for i, t in enumerate(group)}
            out += [as_relation(r) for r in self._run(" UNION ALL ".join(parts), params, write=False)]
        return out

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        keys = list(dict.fromkeys(name_key(n) for n in names if n and n.strip()))
        rows = self._run(
            f"UNWIND $keys AS k MATCH (e:Entity {{key: k}}) RETURN {ENTITY_RETURN}",
            {"keys": keys},
            write=False,
        )
        return [as_entity(r) for r in rows]

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
            f"MATCH (e:Entity {{id: $id}}) MATCH {pattern[direction]} RETURN {RELATION_RETURN} LIMIT $limit",
            {"id": entity_id, "limit": int(limit)},
            write=False,
        )
        return unique_relations(rows)

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
        relations: dict[tuple[str, str, str, str], Relation] = {}
        frontier = list(nodes)
        truncated = len(found) > max_nodes
        for _ in range(hops):
            if not frontier or truncated:
                break
            budget = max_edges - len(relations)
            rows = self._run(
                "UNWIND $ids AS id MATCH (e:Entity {id: id})-[r]-(n:Entity) "
                f"RETURN {RELATION_RETURN}, n.id AS id, n.name AS name, n.type AS type, "
                "n.aliases AS aliases "
                "LIMIT $limit",
                {"ids": frontier, "limit": budget + 1},
                write=False,
            )
            next_frontier: list[str] = []
            for row in rows:
                key = (row["s"], row["t"], row["o"], row["p"] or row["t"])
                if key in relations:
                    continue
                new_node = row["id"] not in nodes
                if len(relations) >= max_edges or (new_node and len(nodes) >= max_nodes):
                    truncated = True
                    continue
                if new_node:
                    nodes[row["id"]] = as_entity(row)
                    next_frontier.append(row["id"])
                relations[key] = as_relation(row)
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
                f"MATCH (e:Entity) WHERE e.id > $after RETURN {ENTITY_RETURN} ORDER BY id LIMIT $n",
                {"after": after, "n": int(batch_size)},
                write=False,
            )
            yield from (as_entity(r) for r in rows)
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
                f"UNWIND $ids AS id MATCH (e:Entity {{id: id}})-[r]->(:Entity) RETURN {RELATION_RETURN}",
                {"ids": ids},
                write=False,
            )
            yield from unique_relations(rows)
            after = ids[-1]


__all__ = ["CypherReads"]
