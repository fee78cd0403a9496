"""Resolution and embeddings against a real store: cross-run merges, aliases, merge_entities,
missing_embeddings and embed_graph."""

from __future__ import annotations

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.embed_graph import embed_graph
from hopgraph.extract.resolution.resolver import EntityResolver
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk, Document, Triple


def write(store: GraphStore, resolver: EntityResolver, triples: list[Triple]) -> None:
    """What a batch job does per batch: resolve, then store triples and the resolved entities."""
    res = resolver.resolve(triples)
    store.upsert_triples(res.triples)
    if res.entities:
        store.upsert_entities(res.entities)


def test_later_run_reuses_stored_entities_by_key(store: GraphStore) -> None:
    write(store, EntityResolver(store, None), [Triple("Niels Bohr", "born in", "Copenhagen")])
    second = EntityResolver(store, None)  # a new process: nothing in memory
    write(store, second, [Triple("niels bohr", "worked at", "University of Copenhagen")])
    assert store.stats().entities == 3
    [bohr] = store.get_entities([entity_id("Niels Bohr")])
    assert bohr.aliases == ("niels bohr",)
    assert {r.type for r in store.neighbours(bohr.id, direction="out")} == {"BORN_IN", "WORKED_AT"}


def test_later_run_merges_through_the_vector_index(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    write(store, EntityResolver(store, embedder), [Triple("United States Congress", "meets in", "Capitol")])
    second = EntityResolver(store, embedder)
    res = second.resolve([Triple("U.S. Congress", "passed", "Civil Rights Act")])
    assert [(m.alias, m.canonical, m.reason) for m in res.merges] == [
        ("U.S. Congress", "United States Congress", "embedding")
    ]
    assert res.triples[0].subject == "United States Congress"


def test_merge_entities_moves_relations_mentions_and_provenance(store: GraphStore) -> None:
    store.upsert_documents([Document(source="a", id="d1"), Document(source="b", id="d2")])
    store.upsert_chunks([Chunk(doc_id="d1", ord=0, text="one", id="c1"), Chunk("d2", 0, "two", id="c2")])
    store.upsert_triples(
        [
            Triple("NYC", "located in", "New York State", doc_id="d1", chunk_id="c1"),
            Triple("Statue of Liberty", "near", "NYC", doc_id="d1", chunk_id="c1"),
            Triple("New York City", "located in", "New York State", doc_id="d2", chunk_id="c2"),
            Triple("NYC", "twinned with", "New York City", doc_id="d2", chunk_id="c2"),
        ]
    )
    alias, canonical = entity_id("NYC"), entity_id("New York City")
    assert store.merge_entities(alias, canonical) == 3
    assert store.get_entities([alias]) == []
    [city] = store.get_entities([canonical])
    assert city.aliases == ("NYC",)
    rels = {(r.source, r.type, r.target): r for r in store.neighbours(canonical)}
    located = rels[(canonical, "LOCATED_IN", entity_id("New York State"))]
    assert set(located.chunk_ids) == {"c1", "c2"} and set(located.doc_ids) == {"d1", "d2"}
    assert (entity_id("Statue of Liberty"), "NEAR", canonical) in rels
    assert (canonical, "TWINNED_WITH", canonical) in rels
    mentioned = store.cypher(
        "MATCH (c:Chunk)-[:MENTIONS]->(e:Entity {id: $id}) RETURN c.id AS c ORDER BY c", {"id": canonical}
    )
    assert [row["c"] for row in mentioned] == ["c1", "c2"]
    # provenance moved too: deleting d1 keeps the city (d2 still mentions it), drops d1's relation ends
    store.delete_document("d1")
    assert store.get_entities([canonical]) != []
    assert store.merge_entities(canonical, canonical) == 0
    assert store.merge_entities("e-missing", canonical) == 0


def test_missing_embeddings_and_embed_graph(store: GraphStore, embedder: SentenceTransformerEmbedder) -> None:
    store.upsert_documents([Document(source="s", id="d1")])
    store.upsert_chunks([Chunk("d1", 0, "Copenhagen is the capital of Denmark.", id="c1")])
    store.upsert_triples([Triple("Copenhagen", "capital of", "Denmark", doc_id="d1", chunk_id="c1")])
    assert store.missing_embeddings("Chunk") == [("c1", "Copenhagen is the capital of Denmark.")]
    assert sorted(text for _, text in store.missing_embeddings("Entity")) == ["Copenhagen", "Denmark"]
    assert len(store.missing_embeddings("Entity", limit=1)) == 1

    counts = embed_graph(store, embedder, batch_size=1)
    assert (counts.chunks, counts.entities) == (1, 2)
    assert store.missing_embeddings("Chunk") == [] and store.missing_embeddings("Entity") == []
    assert embed_graph(store, embedder).total == 0  # computed once
    [hit, *_] = store.vector_search("Entity", embedder.embed(["Danish capital Copenhagen"])[0], k=2)
    assert hit.id == entity_id("Copenhagen")
