"""The Cypher that differs between backends: index DDL, vector and full-text procedures.

Nothing else in hopgraph knows which database it talks to. Label names passed here are
always checked against the allow-list pattern before they are interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass

from hopgraph.errors import InvalidNameError
from hopgraph.util.text import search_terms

FULLTEXT_FIELDS = {"Entity": "name", "Chunk": "text"}


def node_label(label: str) -> str:
    """``label`` if it is a node label with embeddings and full-text search, else raise."""
    if label not in FULLTEXT_FIELDS:
        raise InvalidNameError(f"unknown node label {label!r}; valid: {', '.join(sorted(FULLTEXT_FIELDS))}")
    return label


@dataclass(frozen=True)
class Dialect:
    """Backend-specific Cypher. Subclasses override; the base holds no behaviour of its own."""

    name: str

    def setup_statements(self) -> list[str]:
        """Idempotent schema statements (id indexes, full-text indexes) run when a store opens."""
        raise NotImplementedError

    def vector_index(self, label: str, dimension: int) -> str:
        raise NotImplementedError

    def vector_query(self, label: str) -> str:
        """A query over ``$k`` and ``$vector`` returning ``id``, ``text`` and ``score`` (cosine)."""
        raise NotImplementedError

    def fulltext_query(self, label: str) -> str:
        """A query over ``$k`` and ``$query`` returning ``id``, ``text`` and ``score``."""
        raise NotImplementedError

    def fulltext_string(self, text: str) -> str:
        """The full-text engine's query string matching any of the words of ``text``."""
        raise NotImplementedError

    def set_embedding(self, var: str, expr: str) -> str:
        """A SET clause storing the list ``expr`` as ``var.embedding``."""
        raise NotImplementedError


@dataclass(frozen=True)
class FalkorDBDialect(Dialect):
    name: str = "falkordb"

    def setup_statements(self) -> list[str]:
        return [
            "CREATE INDEX FOR (d:Document) ON (d.id)",
            "CREATE INDEX FOR (c:Chunk) ON (c.id)",
            "CREATE INDEX FOR (e:Entity) ON (e.id)",
            "CREATE INDEX FOR (e:Entity) ON (e.key)",
            "CALL db.idx.fulltext.createNodeIndex('Entity', 'name')",
            "CALL db.idx.fulltext.createNodeIndex('Chunk', 'text')",
        ]

    def vector_index(self, label: str, dimension: int) -> str:
        label = node_label(label)
        return (
            f"CREATE VECTOR INDEX FOR (n:{label}) ON (n.embedding) "
            f"OPTIONS {{dimension: {int(dimension)}, similarityFunction: 'cosine'}}"
        )

    def vector_query(self, label: str) -> str:
        field = FULLTEXT_FIELDS[node_label(label)]
        # FalkorDB yields the cosine *distance*; 1 - distance is the cosine similarity.
        return (
            f"CALL db.idx.vector.queryNodes('{label}', 'embedding', $k, vecf32($vector)) "
            f"YIELD node, score RETURN node.id AS id, node.{field} AS text, 1.0 - score AS score"
        )

    def fulltext_query(self, label: str) -> str:
        field = FULLTEXT_FIELDS[node_label(label)]
        return (
            f"CALL db.idx.fulltext.queryNodes('{label}', $query) YIELD node, score "
            f"RETURN node.id AS id, node.{field} AS text, score ORDER BY score DESC LIMIT $k"
        )

    def fulltext_string(self, text: str) -> str:
        return "|".join(search_terms(text))

    def set_embedding(self, var: str, expr: str) -> str:
        return f"SET {var}.embedding = vecf32({expr})"


@dataclass(frozen=True)
class Neo4jDialect(Dialect):
    name: str = "neo4j"

    def setup_statements(self) -> list[str]:
        return [
            "CREATE CONSTRAINT hopgraph_document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
            "CREATE CONSTRAINT hopgraph_chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE",
            "CREATE CONSTRAINT hopgraph_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
            "CREATE INDEX hopgraph_entity_key IF NOT EXISTS FOR (e:Entity) ON (e.key)",
            "CREATE FULLTEXT INDEX hopgraph_entity_name IF NOT EXISTS FOR (e:Entity) ON EACH [e.name]",
            "CREATE FULLTEXT INDEX hopgraph_chunk_text IF NOT EXISTS FOR (c:Chunk) ON EACH [c.text]",
        ]

    def vector_index(self, label: str, dimension: int) -> str:
        label = node_label(label)
        return (
            f"CREATE VECTOR INDEX hopgraph_{label.lower()}_embedding IF NOT EXISTS "
            f"FOR (n:{label}) ON n.embedding OPTIONS {{indexConfig: "
            f"{{`vector.dimensions`: {int(dimension)}, `vector.similarity_function`: 'cosine'}}}}"
        )

    def vector_query(self, label: str) -> str:
        field = FULLTEXT_FIELDS[node_label(label)]
        # Neo4j's cosine score is (1 + cos) / 2; map it back to the cosine similarity.
        return (
            f"CALL db.index.vector.queryNodes('hopgraph_{label.lower()}_embedding', $k, $vector) "
            f"YIELD node, score RETURN node.id AS id, node.{field} AS text, 2 * score - 1 AS score"
        )

    def fulltext_query(self, label: str) -> str:
        field = FULLTEXT_FIELDS[node_label(label)]
        index = "hopgraph_entity_name" if label == "Entity" else "hopgraph_chunk_text"
        return (
            f"CALL db.index.fulltext.queryNodes('{index}', $query) YIELD node, score "
            f"RETURN node.id AS id, node.{field} AS text, score ORDER BY score DESC LIMIT $k"
        )

    def fulltext_string(self, text: str) -> str:
        return " OR ".join(search_terms(text))

    def set_embedding(self, var: str, expr: str) -> str:
        return f"SET {var}.embedding = {expr}"
