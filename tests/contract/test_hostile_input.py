"""Hostile strings are stored as data and never executed; names round-trip exactly."""

from __future__ import annotations

import pytest

from hopgraph.errors import InvalidNameError
from hopgraph.ids import TYPE_NAME, checked_type_name, entity_id, relation_type
from hopgraph.kg.base import GraphStore
from hopgraph.types import Document, Triple

HOSTILE = [
    'O\'Brien "the" `tick`',
    "}) DETACH DELETE n //",
    "x'}) MATCH (n) DETACH DELETE n //",
    "line one\nline two\r\nline three\ttab",
    "back\\slash \\n \\' \\\"",
    "$param {curly} [square] :colon;semicolon",
    "日本語の映画 Ελληνικά русский עברית العربية 🎬",
    "A" * 10_000,
    "ends with backslash \\",
    "CALL db.labels() YIELD label RETURN label",
]


def test_hostile_names_and_predicates_round_trip(store: GraphStore) -> None:
    doc = Document(source="hostile.tsv")
    store.upsert_documents([doc])
    triples = [Triple(name, name, f"object of {i}", doc_id=doc.id) for i, name in enumerate(HOSTILE)]
    store.upsert_triples(triples)
    stats = store.stats()
    assert stats.entities == 2 * len(HOSTILE)
    assert stats.relations == len(HOSTILE)
    stored = {e.name for e in store.iter_entities()}
    assert set(HOSTILE) <= stored
    for name in HOSTILE:
        (rel,) = store.neighbours(entity_id(name), direction="out")
        assert rel.predicate == name
        assert TYPE_NAME.match(rel.type)
        rows = store.cypher("MATCH (e:Entity {name: $name}) RETURN e.name AS name", {"name": name})
        assert rows == [{"name": name}]
    sub = store.subgraph([entity_id(name) for name in HOSTILE], hops=1)
    assert {e.name for e in sub.entities} == set(HOSTILE) | {f"object of {i}" for i in range(len(HOSTILE))}
    assert {r.predicate for r in sub.relations} == set(HOSTILE)
    store.delete_document(doc.id)
    assert store.stats().entities == 0


def test_hostile_document_fields_round_trip(store: GraphStore) -> None:
    doc = Document(source=HOSTILE[2], title=HOSTILE[3], metadata={"note": HOSTILE[4]})
    store.upsert_documents([doc])
    (back,) = store.get_documents([doc.id])
    assert (back.source, back.title) == (HOSTILE[2], HOSTILE[3])


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("directed by", "DIRECTED_BY"),
        ("release_year", "RELEASE_YEAR"),
        ("co-discovered", "CO_DISCOVERED"),
        ("}) DETACH DELETE n //", "DETACH_DELETE_N"),
        ("`X` MERGE", "X_MERGE"),
        ("1st place", "R_1ST_PLACE"),
        ("Ünïcödé", "UNICODE"),
    ],
)
def test_relation_types_are_sanitised(predicate: str, expected: str) -> None:
    assert relation_type(predicate) == expected


def test_relation_type_always_matches_the_allow_list() -> None:
    for predicate in [*HOSTILE, "監督", "x" * 200, "_", "__init__"]:
        assert TYPE_NAME.match(relation_type(predicate)), predicate
    assert relation_type("監督") != relation_type("出演")


@pytest.mark.parametrize("name", ["", "lower", "A-B", "A B", "A`B", "X" * 65, "Ä", "A)-[:X]->(b"])
def test_checked_type_name_refuses_anything_else(name: str) -> None:
    with pytest.raises(InvalidNameError, match="must match"):
        checked_type_name(name)
