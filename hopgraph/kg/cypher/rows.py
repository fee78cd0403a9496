"""What the Cypher store's reads and writes share: the ``RETURN`` clauses of entities and relations,
the converters from their rows to hopgraph types, and how many relationship types go in one statement.
"""

from __future__ import annotations

from typing import Any

from hopgraph.types import Entity, Relation

RELATION_RETURN = (
    "startNode(r).id AS s, type(r) AS t, endNode(r).id AS o, r.predicate AS p, "
    "r.chunk_ids AS c, r.doc_ids AS d, r.confidence AS conf"
)
"""Columns of the relationship ``r``, read back by ``as_relation``."""
ENTITY_RETURN = "e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases"
"""Columns of the entity node ``e``, read back by ``as_entity``."""
TYPES_PER_STATEMENT = 50
"""Relationship types merged per statement by ``upsert_triples`` (and matched per statement by
``get_relations``)."""


def as_relation(row: dict[str, Any]) -> Relation:
    """The relation of a ``RELATION_RETURN`` row (predicate defaults to the type, confidence to 1)."""
    return Relation(
        source=row["s"],
        type=row["t"],
        target=row["o"],
        predicate=row["p"] or row["t"],
        chunk_ids=tuple(row["c"] or ()),
        doc_ids=tuple(row["d"] or ()),
        confidence=float(row["conf"] if row["conf"] is not None else 1.0),
    )


def as_entity(row: dict[str, Any]) -> Entity:
    """The entity of an ``ENTITY_RETURN`` row."""
    return Entity(id=row["id"], name=row["name"], type=row["type"] or "", aliases=tuple(row["aliases"] or ()))


def unique_relations(rows: list[dict[str, Any]]) -> list[Relation]:
    """The relations of ``RELATION_RETURN`` rows, each ``(source, type, target, predicate)`` once,
    first row kept (two wordings of one type are two relations)."""
    seen: dict[tuple[str, str, str, str], Relation] = {}
    for row in rows:
        relation = as_relation(row)
        seen.setdefault((relation.source, relation.type, relation.target, relation.predicate), relation)
    return list(seen.values())


__all__ = [
    "ENTITY_RETURN",
    "RELATION_RETURN",
    "TYPES_PER_STATEMENT",
    "as_entity",
    "as_relation",
    "unique_relations",
]
