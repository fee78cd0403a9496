"""Property-based round trips (issue 12, item 9), on the embedded FalkorDB store.

Names, predicates and values with quotes, backticks, newlines, Cypher fragments, RTL and
astral-plane characters and 10 KB strings go through import -> store -> Cypher -> dump / RDF
export -> re-import and come back exactly; predicates whose relationship types collide stay apart.

The default run tries a few examples of each; ``make stress`` (marker ``stress``) tries many more.
NUL (``\\x00``) is left out: FalkorDB cannot store it and hopgraph refuses it with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.graph_dump import graph_content
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hopgraph.extract.importers.triples import import_triples
from hopgraph.ids import TYPE_NAME, entity_id, normalize_name, relation_type
from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.kg.io.dump import dump_graph, restore_graph
from hopgraph.kg.io.rdf import write_rdf
from hopgraph.types import Document, Entity, Triple

FEW, MANY = 12, 300
SPECIAL = [
    "O'Brien",
    'say "hi"',
    "back`tick`",
    "``",
    "line\nbreak\r\nand\ttab",
    "'}) MATCH (n) DETACH DELETE n //",
    '"}]->(x) RETURN 1 UNION MATCH (m) SET m.x = 1 //',
    "$param {a: 1} \\' \\\" \\\\",
    "CALL db.idx.fulltext.queryNodes('Entity', '*')",
    "مرحبا بالعالم",
    "\u202eevil\u202c",
    "עברית 123",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉 𠜎",
    "a" * 10_240,
    ("q'`\"\n𝔘" * 1_800)[:10_240],
]
CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
WORDS = st.one_of(st.sampled_from(SPECIAL), st.text(CHARS, min_size=1, max_size=30)).filter(
    lambda s: bool(s.strip())
)
TRIPLES = st.lists(st.tuples(WORDS, WORDS, WORDS), min_size=1, max_size=4)
ALIASES = st.lists(WORDS, max_size=3)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FalkorDBStore, FalkorDBStore]]:
    first = FalkorDBStore(tmp_path_factory.mktemp("p"))
    second = FalkorDBStore(tmp_path_factory.mktemp("q"))
    yield first, second
    first.close()
    second.close()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


def _examples(n: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def _entities(store: FalkorDBStore) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {(e.id, e.name, e.type, tuple(sorted(e.aliases))) for e in store.iter_entities()}


def _relations(store: FalkorDBStore) -> set[tuple[str, str, str, str]]:
    names = {e.id: e.name for e in store.iter_entities()}
    return {(names[r.source], r.type, r.predicate, names[r.target]) for r in store.iter_relations()}


def _write(store: FalkorDBStore, triples: list[tuple[str, str, str]], aliases: list[str]) -> Document:
    store.clear()
    doc = Document(source="property-test", title=triples[0][0])
    store.upsert_documents([doc])
    store.upsert_triples(Triple(s, p, o, doc_id=doc.id) for s, p, o in triples)
    store.upsert_entities([Entity(triples[0][0], aliases=tuple(aliases))], doc_id=doc.id)
    return doc


def _check_store_and_cypher(
    store: FalkorDBStore, triples: list[tuple[str, str, str]], aliases: list[str]
) -> None:
    first_name: dict[str, str] = {}
    for s, _, o in triples:
        for name in (s, o):
            first_name.setdefault(entity_id(name), name)
    for ent_id, name in first_name.items():  # the name is stored exactly, and found by parameter
        assert store.cypher("MATCH (e:Entity {id: $id}) RETURN e.name AS n", {"id": ent_id}) == [{"n": name}]
    for s, p, o in triples:
        rows = store.cypher(
            "MATCH (a:Entity {id: $a})-[r]->(b:Entity {id: $b}) WHERE r.predicate = $p RETURN type(r) AS t",
            {"a": entity_id(s), "b": entity_id(o), "p": p},
        )
        assert rows == [{"t": relation_type(p)}], (s, p, o)
    stored_aliases = set(store.get_entities([entity_id(triples[0][0])])[0].aliases)
    assert set(aliases) <= stored_aliases
    docs = store.cypher("MATCH (d:Document) RETURN d.title AS t")
    assert docs == [{"t": triples[0][0]}]


def _round_trip(
    stores: tuple[FalkorDBStore, FalkorDBStore],
    work: Path,
    triples: list[tuple[str, str, str]],
    aliases: list[str],
) -> None:
    first, second = stores
    _write(first, triples, aliases)
    _check_store_and_cypher(first, triples, aliases)
    # dump -> restore: the same graph, to the byte of every property
    dump = work / "g.jsonl"
    dump_graph(first, dump)
    second.clear()
    restore_graph(second, dump)
    dump_graph(second, work / "again.jsonl")
    assert graph_content(dump) == graph_content(work / "again.jsonl")
    # RDF export -> import: the same entities (names, types, aliases) and relations (wordings)
    rdf = write_rdf(first, work / "g.ttl")
    second.clear()
    import_triples(second, rdf, format="rdf")
    assert _entities(second) == _entities(first)
    assert _relations(second) == _relations(first)


@given(triples=TRIPLES, aliases=ALIASES)
@_examples(FEW)
def test_names_predicates_and_aliases_round_trip_exactly(
    stores: tuple[FalkorDBStore, FalkorDBStore],
    work: Path,
    triples: list[tuple[str, str, str]],
    aliases: list[str],
) -> None:
    _round_trip(stores, work, triples, aliases)


@pytest.mark.stress
@given(triples=TRIPLES, aliases=ALIASES)
@_examples(MANY)
def test_names_predicates_and_aliases_round_trip_exactly_many(
    stores: tuple[FalkorDBStore, FalkorDBStore],
    work: Path,
    triples: list[tuple[str, str, str]],
    aliases: list[str],
) -> None:
    _round_trip(stores, work, triples, aliases)


# -- TSV import: what a TSV line can hold ------------------------------------------------------
TSV_WORDS = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"], exclude_characters="|\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: s == s.strip() and bool(s) and not s.startswith("#") and s == normalize_name(s))


def _tsv(
    stores: tuple[FalkorDBStore, FalkorDBStore], work: Path, triples: list[tuple[str, str, str]]
) -> None:
    first, _ = stores
    first.clear()
    path = work / "t.tsv"
    path.write_text("".join(f"{s}|{p}|{o}\n" for s, p, o in triples), encoding="utf-8")
    import_triples(first, path)
    # TSV names are trimmed and normalised by the strategy, so each is its own entity, stored as written
    assert {e.name for e in first.iter_entities()} == {n for s, _, o in triples for n in (s, o)}
    for s, p, o in triples:
        rows = first.cypher(
            "MATCH (a:Entity {name: $s})-[r]->(b:Entity {name: $o}) WHERE r.predicate = $p "
            "RETURN count(r) AS n",
            {"s": s, "o": o, "p": p},
        )
        assert rows == [{"n": 1}], (s, p, o)


@given(triples=st.lists(st.tuples(TSV_WORDS, TSV_WORDS, TSV_WORDS), min_size=1, max_size=4))
@_examples(FEW)
def test_tsv_import_keeps_names_and_predicates(
    stores: tuple[FalkorDBStore, FalkorDBStore], work: Path, triples: list[tuple[str, str, str]]
) -> None:
    _tsv(stores, work, triples)


# -- relationship types that collide ------------------------------------------------------------
def _variants(words: list[str]) -> st.SearchStrategy[list[str]]:
    """Distinct wordings of the same words that sanitise to one relationship type."""
    joins = st.sampled_from([" ", "_", "-", "  ", " / ", "'", "`"])
    cases = st.sampled_from([str.lower, str.upper, str.title, str.capitalize])
    one = st.builds(lambda j, c: c(j.join(words)), joins, cases)
    return st.lists(one, min_size=2, max_size=4, unique=True)


COLLIDING = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=3
).flatmap(_variants)


def _collisions(stores: tuple[FalkorDBStore, FalkorDBStore], work: Path, wordings: list[str]) -> None:
    first = stores[0]
    assert len({relation_type(w) for w in wordings}) == 1  # they do collide
    rel_type = relation_type(wordings[0])
    assert TYPE_NAME.match(rel_type)
    triples = [(f"s {i % 2}", w, "o") for i, w in enumerate(wordings)] + [("s 0", w, "o") for w in wordings]
    _write(first, triples, [])
    rows = first.cypher(f"MATCH (:Entity)-[r:{rel_type}]->(:Entity) RETURN r.predicate AS p")
    # each wording is its own relationship between s 0 and o (and s 1 for some): none merged into another
    assert {r["p"] for r in rows} == set(wordings)
    pairs = first.cypher(
        f"MATCH (a:Entity {{name: 's 0'}})-[r:{rel_type}]->(:Entity {{name: 'o'}}) RETURN r.predicate AS p"
    )
    assert sorted(r["p"] for r in pairs) == sorted(wordings)
    assert len([r for r in first.iter_relations() if r.source == entity_id("s 0")]) == len(wordings)
    _round_trip(stores, work, triples, [])


@given(wordings=COLLIDING)
@_examples(FEW)
def test_predicates_that_share_a_relationship_type_stay_apart(
    stores: tuple[FalkorDBStore, FalkorDBStore], work: Path, wordings: list[str]
) -> None:
    _collisions(stores, work, wordings)


@pytest.mark.stress
@given(wordings=COLLIDING)
@_examples(MANY)
def test_predicates_that_share_a_relationship_type_stay_apart_many(
    stores: tuple[FalkorDBStore, FalkorDBStore], work: Path, wordings: list[str]
) -> None:
    _collisions(stores, work, wordings)


@given(predicate=st.text(CHARS, min_size=1, max_size=200))
@settings(max_examples=300, deadline=None)
def test_relationship_types_always_match_the_interpolation_pattern(predicate: str) -> None:
    assert TYPE_NAME.match(relation_type(predicate))


def test_merging_entities_keeps_colliding_wordings_apart(stores: tuple[FalkorDBStore, FalkorDBStore]) -> None:
    first, _ = stores
    first.clear()
    first.upsert_triples(
        [Triple("Alien", "directed by", "Scott"), Triple("Alien (film)", "Directed_By", "Scott")]
    )
    first.merge_entities(entity_id("Alien (film)"), entity_id("Alien"))
    assert {r.predicate for r in first.iter_relations()} == {"directed by", "Directed_By"}
