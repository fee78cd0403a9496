"""Entity merging in a Cypher store: fold one entity (the alias) into another (the canonical).

Used by ``CypherGraphStore.merge_entities``; written against the backend primitive ``run`` alone,
so every Cypher backend shares it.
"""

from __future__ import annotations

from hopgraph.ids import checked_type_name
from hopgraph.kg.cypher.parts import RunCypher, count_of, merge_provenance

# Types cannot be parameters: one statement per (checked) type and direction. A relation between
# the two, or a self-loop of the alias, becomes a self-loop of the canonical.
_MOVE = (
    "MATCH (c:Entity {id: $c}) WITH {carried}, c, coalesce(r.predicate, type(r)) AS wording MERGE {pattern} "
    + merge_provenance("x", "wording", "r.chunk_ids", "r.doc_ids", "r.confidence")
    + "RETURN count(*) AS n"
)
_SHAPES = (
    ("(a:Entity {id: $a})-[r:{t}]->(o:Entity) WHERE o.id <> $a", "(c)-[x:{t} {predicate: wording}]->(o)"),
    ("(a:Entity {id: $a})<-[r:{t}]-(o:Entity) WHERE o.id <> $a", "(o)-[x:{t} {predicate: wording}]->(c)"),
    ("(a:Entity {id: $a})-[r:{t}]->(a)", "(c)-[x:{t} {predicate: wording}]->(c)"),
)
"""(what to match around the alias, the relationship to merge onto the canonical) per direction.
Relationships are merged by type and wording, as ``upsert_triples`` writes them."""


def merge_entities(run: RunCypher, alias_id: str, canonical_id: str) -> int:
    """Fold entity ``alias_id`` into ``canonical_id`` (see ``GraphStore.merge_entities``).

    Its relations and MENTIONS move to the canonical with provenance unioned, its name and aliases
    join the canonical's aliases, its documents the canonical's, its type fills an empty one; then
    it is deleted. Returns the number of relations moved; 0 and no change when either entity is
    missing or they are the same.
    """
    params = {"a": alias_id, "c": canonical_id}
    found = run("MATCH (e:Entity) WHERE e.id IN [$a, $c] RETURN count(e) AS n", params, write=False)
    if alias_id == canonical_id or count_of(found) != 2:
        return 0
    moved = _move_relations(run, params)
    run(
        "MATCH (ch:Chunk)-[:MENTIONS]->(a:Entity {id: $a}) MATCH (c:Entity {id: $c}) "
        "MERGE (ch)-[:MENTIONS]->(c)",
        params,
        write=True,
    )
    run(
        "MATCH (a:Entity {id: $a}) MATCH (c:Entity {id: $c}) "
        "WITH a, c, [n IN [a.name] + coalesce(a.aliases, []) "
        "WHERE n <> c.name AND NOT n IN coalesce(c.aliases, [])] AS extra "
        "SET c.aliases = coalesce(c.aliases, []) + extra, "
        "c.doc_ids = coalesce(c.doc_ids, []) + "
        "[d IN coalesce(a.doc_ids, []) WHERE NOT d IN coalesce(c.doc_ids, [])], "
        "c.type = CASE WHEN coalesce(c.type, '') = '' THEN a.type ELSE c.type END",
        params,
        write=True,
    )
    run("MATCH (a:Entity {id: $a}) DETACH DELETE a", params, write=True)
    return moved


def _move_relations(run: RunCypher, params: dict[str, str]) -> int:
    """Merge every relation of the alias onto the canonical, type by type and direction by direction."""
    types = run("MATCH (a:Entity {id: $a})-[r]-(:Entity) RETURN DISTINCT type(r) AS t", params, write=False)
    moved = 0
    for rel_type in sorted(checked_type_name(row["t"]) for row in types):
        for match, pattern in _SHAPES:
            carried = "r, o" if "o.id" in match else "r"
            rows = run(
                f"MATCH {match.replace('{t}', rel_type)} WITH {carried} "
                + _MOVE.replace("{pattern}", pattern.replace("{t}", rel_type)).replace("{carried}", carried),
                params,
                write=True,
            )
            moved += count_of(rows)
    return moved


__all__ = ["merge_entities"]
