"""The GraphStore contract: every operation, run against every backend (see conftest)."""

from __future__ import annotations

import math

import pytest

from hopgraph.errors import CypherError, InvalidNameError, ReadOnlyError
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.kg.canonical import canonical_graph, graph_diff
from hopgraph.types import Chunk, Document, Entity, Triple

DOC_A = Document(source="a.txt", title="A")
DOC_B = Document(source="b.txt", title="B")
CHUNK_A = Chunk(doc_id=DOC_A.id, ord=0, text="Joel Zwick directed My Big Fat Greek Wedding, a film in Greek.")
CHUNK_B = Chunk(doc_id=DOC_B.id, ord=0, text="Joel Zwick directed the Greek wedding film.")


def _build(store: GraphStore) -> None:
    store.upsert_documents([DOC_A, DOC_B])
    store.upsert_chunks([CHUNK_A, CHUNK_B])
    store.upsert_triples(
        [
            Triple("Joel Zwick", "directed", "My Big Fat Greek Wedding", DOC_A.id, CHUNK_A.id, 0.9),
            Triple("My Big Fat Greek Wedding", "in language", "Greek", DOC_A.id, CHUNK_A.id),
            Triple("Joel Zwick", "directed", "My Big Fat Greek Wedding", DOC_B.id, CHUNK_B.id, 0.7),
            Triple("Joel Zwick", "born in", "Brooklyn", DOC_B.id, CHUNK_B.id),
        ]
    )


def _edges(store: GraphStore) -> set[tuple[str, str, str]]:
    names = {e.id: e.name for e in store.iter_entities()}
    return {(names[r.source], r.type, names[r.target]) for r in store.iter_relations()}


def test_upserts_build_the_schema(store: GraphStore) -> None:
    _build(store)
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (2, 2, 4, 3)
    assert stats.relation_types == {"DIRECTED": 1, "IN_LANGUAGE": 1, "BORN_IN": 1}
    rows = store.cypher(
        "MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk)-[:MENTIONS]->(e:Entity {name: $n}) "
        "RETURN d.title AS doc ORDER BY doc",
        {"n": "Joel Zwick"},
    )
    assert [r["doc"] for r in rows] == ["A", "B"]


def test_relations_merge_provenance_and_keep_wording(store: GraphStore) -> None:
    _build(store)
    (rel,) = [r for r in store.neighbours(entity_id("Joel Zwick"), direction="out") if r.type == "DIRECTED"]
    assert rel.predicate == "directed"
    assert set(rel.doc_ids) == {DOC_A.id, DOC_B.id}
    assert set(rel.chunk_ids) == {CHUNK_A.id, CHUNK_B.id}
    assert rel.confidence == pytest.approx(0.9)
    rows = store.cypher("MATCH (m)-[:DIRECTED]->(d) RETURN m.name AS m, d.name AS d")
    assert rows == [{"m": "Joel Zwick", "d": "My Big Fat Greek Wedding"}]


def test_get_relations_reads_exactly_the_stored_keys(store: GraphStore) -> None:
    _build(store)
    zwick, wedding, greek = entity_id("Joel Zwick"), entity_id("My Big Fat Greek Wedding"), entity_id("Greek")
    found = store.get_relations(
        [
            (zwick, "DIRECTED", wedding),
            (wedding, "IN_LANGUAGE", greek),
            (wedding, "DIRECTED", zwick),  # the wrong direction
            (zwick, "BORN_IN", greek),  # no such relation
            (zwick, "NO_SUCH_TYPE", wedding),
            (zwick, "not a type}) DETACH DELETE n //", wedding),  # never interpolated
            (zwick, "DIRECTED", wedding),  # asked twice, read once
        ]
    )
    assert sorted((r.source, r.type, r.target) for r in found) == sorted(
        [(zwick, "DIRECTED", wedding), (wedding, "IN_LANGUAGE", greek)]
    )
    directed = next(r for r in found if r.type == "DIRECTED")
    assert set(directed.chunk_ids) == {CHUNK_A.id, CHUNK_B.id} and directed.predicate == "directed"
    assert store.get_relations([]) == [] and store.stats().relations == 3


def test_writes_are_idempotent(store: GraphStore) -> None:
    _build(store)
    before = store.stats()
    _build(store)
    after = store.stats()
    assert (after.documents, after.chunks, after.entities, after.relations) == (
        before.documents,
        before.chunks,
        before.entities,
        before.relations,
    )
    (rel,) = [r for r in store.neighbours(entity_id("Joel Zwick"), direction="out") if r.type == "DIRECTED"]
    assert sorted(rel.doc_ids) == sorted({DOC_A.id, DOC_B.id})


def test_delete_document_removes_exactly_its_contribution(store: GraphStore) -> None:
    _build(store)
    removed = store.delete_document(DOC_A.id)
    assert (removed.documents, removed.chunks) == (1, 1)
    assert removed.relations == 1  # IN_LANGUAGE had only A's provenance
    assert removed.entities == 1  # Greek
    assert _edges(store) == {
        ("Joel Zwick", "DIRECTED", "My Big Fat Greek Wedding"),
        ("Joel Zwick", "BORN_IN", "Brooklyn"),
    }
    (rel,) = [r for r in store.neighbours(entity_id("Joel Zwick"), direction="out") if r.type == "DIRECTED"]
    assert rel.doc_ids == (DOC_B.id,)
    assert rel.chunk_ids == (CHUNK_B.id,)
    assert store.get_chunks([CHUNK_A.id]) == []
    store.delete_document(DOC_B.id)
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (0, 0, 0, 0)


def test_delete_extraction_keeps_the_document_and_its_chunks_and_writing_again_restores_it(
    store: GraphStore,
) -> None:
    _build(store)
    before = canonical_graph(store)
    removed = store.delete_extraction(DOC_A.id)
    assert (removed.documents, removed.chunks, removed.relations, removed.entities) == (0, 0, 1, 1)
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (2, 2, 3, 2)
    assert store.get_chunks([CHUNK_A.id]) != []
    mentioned = store.cypher(
        "MATCH (c:Chunk {id: $c})-[:MENTIONS]->(e) RETURN count(e) AS n", {"c": CHUNK_A.id}
    )
    assert mentioned == [{"n": 0}]
    (rel,) = [r for r in store.neighbours(entity_id("Joel Zwick"), direction="out") if r.type == "DIRECTED"]
    assert (rel.doc_ids, rel.chunk_ids) == ((DOC_B.id,), (CHUNK_B.id,))
    assert store.delete_extraction(DOC_A.id).relations == 0  # idempotent
    _build(store)
    assert graph_diff(before, canonical_graph(store)) == []


def test_delete_unknown_document_changes_nothing(store: GraphStore) -> None:
    _build(store)
    assert store.delete_document("no-such-doc").documents == 0
    assert store.stats().relations == 3


def test_entities_keep_aliases_types_and_lookup(store: GraphStore) -> None:
    store.upsert_entities([Entity("Joel Zwick", type="PERSON", aliases=("J. Zwick",))])
    store.upsert_entities([Entity("Joel Zwick", aliases=("Zwick",))])
    (e,) = store.get_entities([entity_id("Joel Zwick")])
    assert e.type == "PERSON"
    assert set(e.aliases) == {"J. Zwick", "Zwick"}
    assert [x.name for x in store.find_entities(["joel   ZWICK", "nobody"])] == ["Joel Zwick"]


def test_get_documents_and_chunks(store: GraphStore) -> None:
    _build(store)
    (doc,) = store.get_documents([DOC_A.id])
    assert (doc.source, doc.title) == ("a.txt", "A")
    (chunk,) = store.get_chunks([CHUNK_B.id])
    assert (chunk.doc_id, chunk.ord, chunk.text) == (DOC_B.id, 0, CHUNK_B.text)


def test_neighbours_by_direction(store: GraphStore) -> None:
    _build(store)
    wedding = entity_id("My Big Fat Greek Wedding")
    assert {r.type for r in store.neighbours(wedding, direction="out")} == {"IN_LANGUAGE"}
    assert {r.type for r in store.neighbours(wedding, direction="in")} == {"DIRECTED"}
    assert {r.type for r in store.neighbours(wedding)} == {"IN_LANGUAGE", "DIRECTED"}
    with pytest.raises(ValueError, match="direction"):
        store.neighbours(wedding, direction="sideways")  # type: ignore[arg-type]


def test_subgraph_is_k_hop(store: GraphStore) -> None:
    _build(store)
    one = store.subgraph([entity_id("Brooklyn")], hops=1)
    assert {e.name for e in one.entities} == {"Brooklyn", "Joel Zwick"}
    two = store.subgraph([entity_id("Brooklyn")], hops=2)
    assert {e.name for e in two.entities} == {"Brooklyn", "Joel Zwick", "My Big Fat Greek Wedding"}
    assert {r.type for r in two.relations} == {"BORN_IN", "DIRECTED"}
    assert not two.truncated
    assert two.seeds == (entity_id("Brooklyn"),)
    assert store.subgraph(["missing"], hops=2).entities == ()


def test_subgraph_bounds_a_hub(store: GraphStore) -> None:
    hub = [Triple("Hub", "links", f"leaf {i}") for i in range(300)]
    store.upsert_triples([*hub, Triple("leaf 1", "links", "far")])
    sub = store.subgraph([entity_id("Hub")], hops=2, max_nodes=50, max_edges=1000)
    assert sub.truncated
    assert len(sub.entities) <= 50
    sub = store.subgraph([entity_id("Hub")], hops=2, max_nodes=1000, max_edges=40)
    assert sub.truncated
    assert len(sub.relations) <= 40
    ids = {e.id for e in sub.entities}
    assert all(r.source in ids and r.target in ids for r in sub.relations)


def test_vector_search_ranks_by_cosine(store: GraphStore) -> None:
    _build(store)
    store.set_embeddings(
        "Entity",
        {
            entity_id("Greek"): [1.0, 0.0, 0.0],
            entity_id("Brooklyn"): [0.0, 1.0, 0.0],
            entity_id("Joel Zwick"): [0.7, 0.7, 0.0],
        },
    )
    hits = store.vector_search("Entity", [1.0, 0.1, 0.0], k=2)
    assert [h.text for h in hits] == ["Greek", "Joel Zwick"]
    assert hits[0].score == pytest.approx(1 / math.sqrt(1.01), abs=1e-3)
    store.set_embeddings("Chunk", {CHUNK_A.id: [0.0, 0.0, 1.0], CHUNK_B.id: [1.0, 0.0, 0.0]})
    assert store.vector_search("Chunk", [0.1, 0.0, 1.0], k=1)[0].id == CHUNK_A.id


def test_embeddings_need_one_dimension_and_a_known_label(store: GraphStore) -> None:
    _build(store)
    with pytest.raises(ValueError, match="one dimension"):
        store.set_embeddings("Entity", {entity_id("Greek"): [1.0, 0.0], entity_id("Brooklyn"): [1.0]})
    with pytest.raises(InvalidNameError, match="valid: Chunk, Entity"):
        store.set_embeddings("Document", {DOC_A.id: [1.0]})  # type: ignore[arg-type]


def test_fulltext_search(store: GraphStore) -> None:
    _build(store)
    assert store.fulltext_search("Entity", "wedding")[0].text == "My Big Fat Greek Wedding"
    hits = store.fulltext_search("Chunk", "language film Greek", k=5)
    assert {h.id for h in hits} == {CHUNK_A.id, CHUNK_B.id}
    # Query syntax of the full-text engine is never interpreted: it is tokenised away.
    assert store.fulltext_search("Entity", '"}) OR * -@ ~ | ') == []
    assert store.fulltext_search("Entity", "") == []


def test_iterators_page_through_everything(store: GraphStore) -> None:
    store.upsert_triples([Triple(f"s{i}", f"rel {i % 3}", f"o{i}") for i in range(25)])
    entities = list(store.iter_entities(batch_size=7))
    relations = list(store.iter_relations(batch_size=4))
    assert len(entities) == 50
    assert len(relations) == 25
    # the pages hold every stored id exactly once: no page repeated, none skipped
    assert {e.id for e in entities} == {entity_id(f"{side}{i}") for side in "so" for i in range(25)}
    assert {(r.source, r.predicate, r.target) for r in relations} == {
        (entity_id(f"s{i}"), f"rel {i % 3}", entity_id(f"o{i}")) for i in range(25)
    }


def test_cypher_is_read_only_unless_asked(store: GraphStore) -> None:
    _build(store)
    for query in (
        "CREATE (n:Entity {id: 'x', name: 'x'})",
        "MATCH (e:Entity) SET e.name = 'changed'",
        "MATCH (e:Entity) DETACH DELETE e",
        "MERGE (n:Entity {id: 'y'})",
        "MATCH (e:Entity) REMOVE e.name",
    ):
        with pytest.raises(ReadOnlyError, match="--write"):
            store.cypher(query)
    assert store.stats().entities == 4
    assert {r["name"] for r in store.cypher("MATCH (e:Entity) RETURN e.name AS name")} >= {"Greek"}
    store.cypher("CREATE (:Entity {id: $id, name: $name})", {"id": "x", "name": "X"}, write=True)
    assert store.stats().entities == 5


def test_cypher_errors_name_the_query(store: GraphStore) -> None:
    with pytest.raises(CypherError) as info:
        store.cypher("MATCH (n RETURN n")
    assert "MATCH (n RETURN n" in str(info.value)
    assert info.value.query == "MATCH (n RETURN n"
    with pytest.raises(ValueError, match="empty"):
        store.cypher("   ")


def test_cypher_returns_plain_values(store: GraphStore) -> None:
    _build(store)
    (row,) = store.cypher(
        "MATCH (e:Entity {name: $n}) "
        "RETURN e AS node, e.name AS name, [1, 2] AS xs, {a: 1} AS m, null AS nothing",
        {"n": "Greek"},
    )
    assert row["node"]["name"] == "Greek"
    assert row["name"] == "Greek"
    assert row["xs"] == [1, 2]
    assert row["m"] == {"a": 1}
    assert row["nothing"] is None
