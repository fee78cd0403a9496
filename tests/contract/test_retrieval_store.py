"""Retrieval against a real embedded store: the graph index and its cache, text search, linking."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.errors import StoreError
from hopgraph.kg.base import GraphStore
from hopgraph.kg.content_cache import content_key
from hopgraph.retrieval.graph_index import (
    CHUNK_VECTORS,
    SYNONYM_THRESHOLD,
    SYNONYM_TOP_K,
    UPGRADABLE_FORMAT,
    GraphIndex,
)
from hopgraph.retrieval.linking import link_entities, link_seeds, load_spacy, start_linking
from hopgraph.retrieval.ppr import PassageGraph
from hopgraph.retrieval.text import dense_chunks, fulltext_chunks
from hopgraph.types import Chunk, Document, Entity, Relation, Triple

TEXTS = {
    "d1": "Alice Smith was born in Paris in 1950.",
    "d2": "Paris is the capital city of France.",
    "d3": "Bob Jones directed the film Blue Horizon.",
}
TRIPLES = [
    ("Alice Smith", "born in", "Paris", "d1"),
    ("Paris", "capital of", "France", "d2"),
    ("Bob Jones", "directed", "Blue Horizon", "d3"),
]


def build(store: GraphStore, embedder: SentenceTransformerEmbedder) -> dict[str, str]:
    docs = [Document(source=f"test#{d}", title=d, id=d) for d in TEXTS]
    chunks = [Chunk(doc_id=d, ord=0, text=t) for d, t in TEXTS.items()]
    store.upsert_documents(docs)
    store.upsert_chunks(chunks)
    chunk_of = {c.doc_id: c.id for c in chunks}
    store.upsert_triples(Triple(s, p, o, doc_id=d, chunk_id=chunk_of[d]) for s, p, o, d in TRIPLES)
    store.set_embeddings(
        "Chunk", dict(zip(chunk_of.values(), embedder.embed(list(TEXTS.values())).tolist(), strict=True))
    )
    # every entity but France gets a stored vector: the index embeds the missing one
    named = [Entity(n) for n in ("Alice Smith", "Paris", "Bob Jones", "Blue Horizon")]
    store.set_embeddings(
        "Entity",
        {e.id: v for e, v in zip(named, embedder.embed([e.name for e in named]).tolist(), strict=True)},
    )
    return chunk_of


class CountingStore:
    """Delegates to a store and counts relation reads (to see whether the cache was used)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.relation_reads = 0

    def iter_relations(self, batch_size: int = 10_000) -> Iterator[Relation]:
        self.relation_reads += 1
        return self.inner.iter_relations(batch_size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_index_holds_the_graph(store: GraphStore, embedder: SentenceTransformerEmbedder) -> None:
    chunk_of = build(store, embedder)
    index = GraphIndex.load(store, embedder, None)
    assert index.num_entities == 5 and index.num_chunks == 3
    france = index.entity_row(Entity("France").id)
    assert france is not None
    np.testing.assert_allclose(index.entity_vectors([france])[0], embedder.embed(["France"])[0], atol=1e-5)
    assert sorted(index.predicates) == ["born in", "capital of", "directed"]
    row = index.predicate_row("directed")
    assert row is not None
    np.testing.assert_allclose(index.predicate_vectors[row], embedder.embed(["directed"])[0], atol=1e-5)
    paris = index.entity_row(Entity("Paris").id)
    assert paris is not None
    assert [index.chunk_ids[r] for r in index.passages_of_entity(paris)] == sorted(
        [chunk_of["d1"], chunk_of["d2"]]
    )
    names = {
        (index.entity_names[s], index.predicates[p], index.entity_names[o])
        for s, p, o in zip(
            index.arrays["rel_src"], index.arrays["rel_pred"], index.arrays["rel_dst"], strict=True
        )
    }
    assert names == {(s, p, o) for s, p, o, _ in TRIPLES}
    # provenance: each relation lists the chunk it was read in
    ptr, rows = index.arrays["rel_chunk_ptr"], index.arrays["rel_chunk_rows"]
    assert all(ptr[i + 1] - ptr[i] == 1 for i in range(len(ptr) - 1)) and len(rows) == 3
    # PPR seeded on Alice Smith reaches France's passage through Paris before Bob's
    scores = PassageGraph.from_index(index).rank_passages(
        {index.entity_row(Entity("Alice Smith").id) or 0: 1.0}, {}
    )
    order = [index.chunk_doc_ids[r] for r in np.argsort(-scores)]
    assert order[:2] == ["d1", "d2"] and scores[index.chunk_row(chunk_of["d3"]) or 0] == 0


def test_bm25_of_the_index_reads_each_chunks_document_title(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    """A passage rarely repeats the name its title gives: BM25 indexes title and text, as chunks
    are embedded (a question naming the orchestra finds its passage)."""
    chunk_of = build(store, embedder)
    store.upsert_documents([Document(source="test#d4", title="Zanzibar Philharmonic", id="d4")])
    founded = Chunk(doc_id="d4", ord=0, text="It was founded in 1901 by a group of teachers.")
    store.upsert_chunks([founded])
    index = GraphIndex.load(store, embedder, None)
    assert [h.id for h in index.bm25_chunks("Who led the Zanzibar Philharmonic?", 5)] == [founded.id]
    # the other chunks keep their own text (titles "d1".."d3" add a term no question has)
    assert index.bm25_chunks("Bob Jones film", 1)[0].id == chunk_of["d3"]


def test_index_links_each_chunk_to_the_entity_its_title_names(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    """Bob Jones's own page names him only as "He": its triples do not mention him, the title
    edge does, and a walk from Bob Jones reaches the page about him."""
    build(store, embedder)
    store.upsert_documents([Document(source="test#d4", title="Bob Jones (director)", id="d4")])
    page = Chunk(doc_id="d4", ord=0, text="He was born in Leeds and studied at the film school there.")
    store.upsert_chunks([page])
    store.upsert_triples([Triple("film school", "in", "Leeds", doc_id="d4", chunk_id=page.id)])
    index = GraphIndex.load(store, embedder, None)
    bob = index.entity_row(Entity("Bob Jones").id)
    titled = {
        (index.chunk_ids[c], index.entity_names[e])
        for c, e in zip(index.arrays["title_chunk"], index.arrays["title_entity"], strict=True)
    }
    # titles "d1".."d3" name no entity; "Bob Jones (director)" names Bob Jones without its qualifier
    assert titled == {(page.id, "Bob Jones")}
    assert bob is not None and index.chunk_row(page.id) not in index.passages_of_entity(bob).tolist()
    walk = PassageGraph.from_index(index).rank_passages({bob: 1.0}, {})
    assert walk[index.chunk_row(page.id) or 0] > 0
    assert not PassageGraph.from_index(index, title_weight=0.0).rank_passages({bob: 1.0}, {})[
        index.chunk_row(page.id) or 0
    ]


def test_index_cache_is_reused_and_invalidated(
    store: GraphStore, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    build(store, embedder)
    counting = CountingStore(store)
    first = GraphIndex.load(cast(GraphStore, counting), embedder, tmp_path / "cache")
    files = list((tmp_path / "cache").glob("graph-index-*.npz"))
    assert len(files) == 1 and first.fingerprint in files[0].name
    again = GraphIndex.load(cast(GraphStore, counting), embedder, tmp_path / "cache")
    assert counting.relation_reads == 1  # the second load read the cache file, not the store
    assert again.entity_ids == first.entity_ids and again.predicates == first.predicates
    np.testing.assert_array_equal(again.arrays["entity_vecs"], first.arrays["entity_vecs"])

    store.upsert_triples([Triple("Bob Jones", "born in", "Lyon", doc_id="d3")])
    changed = GraphIndex.load(cast(GraphStore, counting), embedder, tmp_path / "cache")
    assert counting.relation_reads == 2 and changed.fingerprint != first.fingerprint
    assert changed.entity_row(Entity("Lyon").id) is not None
    assert [p.name for p in (tmp_path / "cache").glob("graph-index-*.npz")] == [
        f"graph-index-{changed.fingerprint}.npz"
    ]
    (tmp_path / "cache" / f"graph-index-{changed.fingerprint}.npz").write_bytes(b"not a zip")
    assert GraphIndex.load(store, embedder, tmp_path / "cache").num_entities == changed.num_entities


def test_dense_and_fulltext_chunks(store: GraphStore, embedder: SentenceTransformerEmbedder) -> None:
    chunk_of = build(store, embedder)
    hits = dense_chunks(store, embedder.embed(["Which film did Bob Jones direct?"])[0], 2)
    assert hits[0].id == chunk_of["d3"] and len(hits) == 2 and hits[0].score >= hits[1].score
    assert fulltext_chunks(store, "capital of France?", 3)[0].id == chunk_of["d2"]
    assert fulltext_chunks(store, "   ", 3) == [] and fulltext_chunks(store, "x", 0) == []
    assert fulltext_chunks(store, "'); MATCH (n) DETACH DELETE n //", 3) == []
    assert store.stats().chunks == 3
    with pytest.raises(ValueError, match="finite"):
        dense_chunks(store, [float("nan")] * 384, 2)


def test_index_dense_search_ranks_as_the_stores_vector_index(
    store: GraphStore, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    """The index's exact search over its chunk vectors gives the store's kNN: the same chunks in
    the same order, the same cosines (to float32 rounding); a chunk stored without a vector is
    never a hit."""
    build(store, embedder)
    store.upsert_documents([Document(source="test#d4", title="d4", id="d4")])
    store.upsert_chunks([Chunk(doc_id="d4", ord=0, text="A chunk nobody embedded.")])
    index = GraphIndex.load(store, embedder, tmp_path)
    assert index.num_chunks == 4
    for question in ("Which film did Bob Jones direct?", "Where was Alice born?", "capital of France"):
        vector = embedder.embed([question])[0]
        ours = index.dense_chunks(vector, 10)
        theirs = dense_chunks(store, vector, 10)
        assert ours is not None and [h.id for h in ours] == [h.id for h in theirs] and len(ours) == 3
        np.testing.assert_allclose([h.score for h in ours], [h.score for h in theirs], atol=1e-5)
        assert [h.id for h in index.dense_chunks(vector, 2) or []] == [h.id for h in theirs[:2]]
    with pytest.raises(ValueError, match="finite"):
        index.dense_chunks([float("nan")] * 384, 2)


def test_link_seeds_combines_exact_embedding_and_fulltext(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    build(store, embedder)
    index = GraphIndex.load(store, embedder, None)
    nlp = load_spacy()
    seeds = link_seeds(store, "Where was Alice Smith born?", embedder, nlp=nlp, index=index)
    assert seeds[0].text == "Alice Smith" and seeds[0].score == 1.0
    assert all(0.0 <= s.score <= 1.0 for s in seeds)
    # no exact name: full-text over names finds "Blue Horizon" from a partial mention
    partial = link_seeds(store, "Who made the Blue Horizon movie?", embedder, use_spacy=False)
    assert partial[0].text == "Blue Horizon" and partial[0].score == 1.0
    # full-text hits count when the question holds all the name's words, not only some
    loose = link_seeds(store, "Whose horizon was blue?", embedder, use_spacy=False)
    assert [s.text for s in loose] == ["Blue Horizon"] and loose[0].score == pytest.approx(0.5)
    assert link_seeds(store, "Who directed Horizon?", embedder, use_spacy=False) == []
    # a one-word name matched in another case is a weaker seed
    assert [
        (s.text, s.score) for s in link_seeds(store, "Which city is paris?", embedder, use_spacy=False)
    ] == [("Paris", 0.5)]
    if nlp is not None:  # a name written differently is found by its embedding
        fuzzy = link_seeds(store, "When was Alice Smiths born?", embedder, nlp=nlp, index=index)
        assert fuzzy and fuzzy[0].text == "Alice Smith" and 0.8 <= fuzzy[0].score < 1.0
    assert link_entities(store, "Where was Alice Smith born?")[0].text == "Alice Smith"


def test_link_seeds_reads_a_start_made_ahead_and_only_for_its_own_question(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    build(store, embedder)
    index = GraphIndex.load(store, embedder, None)
    nlp = load_spacy()
    question = "When was Alice Smiths born in Blue Horizon?"
    start = start_linking(store, question, embedder, nlp=nlp)
    assert start.text == question and [h.text for h in start.exact] == ["Blue Horizon"]
    if nlp is not None:
        assert start.vectors is not None and len(start.vectors) == len(start.mentions) >= 1
    made_here = link_seeds(store, question, embedder, nlp=nlp, index=index)
    assert link_seeds(store, question, embedder, nlp=nlp, index=index, start=start) == made_here
    # link_seeds reads the start: without its exact hit, Blue Horizon is only a full-text hit
    score = {s.text: s.score for s in made_here}
    emptied = dataclasses.replace(start, exact=())
    read = {s.text: s.score for s in link_seeds(store, question, embedder, index=index, start=emptied)}
    assert score["Blue Horizon"] == 1.0 and read["Blue Horizon"] == pytest.approx(0.5)
    # a start made for another question is not used
    other = start_linking(store, "Who is Bob Jones?", embedder, nlp=nlp)
    assert link_seeds(store, question, embedder, nlp=nlp, index=index, start=other) == made_here


def test_index_answers_name_type_and_title_reads_as_the_store(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    """The reads a question makes of the index instead of the store give the store's answers:
    exact names by stored key (any case, odd spacing, a key no name has), path-end types, titles."""
    build(store, embedder)
    store.upsert_entities([Entity("paris", type="CONCEPT"), Entity("Lyon", type="GPE")])
    store.upsert_documents([Document(source="test#d5", title="", id="d5")])
    index = GraphIndex.load(store, embedder, None)
    assert index.has_name_keys
    for names in (
        ["Paris"],
        ["PARIS", "  alice   smith ", "Nowhere", "", "   "],
        ["Blue Horizon", "bob jones", "lyon", "France"],
        [],
    ):
        expected = sorted((e.id, e.name) for e in store.find_entities(names))
        assert sorted((e.id, e.name) for e in index.find_entities(names)) == expected
    assert len(index.find_entities(["paris"])) == 2  # "Paris" and "paris" share a key
    ids = [Entity("Lyon").id, "missing", Entity("paris").id, Entity("Paris").id, Entity("Lyon").id]
    assert index.stored_types(ids) == [(e.id, e.type) for e in store.get_entities(ids)]
    assert index.stored_types(ids) == [
        (Entity("Lyon").id, "GPE"),
        (Entity("paris").id, "CONCEPT"),
        (Entity("Paris").id, ""),
    ]
    docs = ["d3", "d1", "d5", "nope"]
    assert index.doc_titles(docs) == {d.id: d.title for d in store.get_documents(docs) if d.title}
    assert index.doc_titles(docs) == {"d1": "d1", "d3": "d3"}


def test_link_entities_reads_the_index_when_it_has_the_name_keys(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    """Same links from the index as from the store; an index without keys (made by hand) reads the store."""
    build(store, embedder)
    index = GraphIndex.load(store, embedder, None)
    question = "Did Alice Smith or bob jones film Blue Horizon in PARIS, France?"
    from_store = link_entities(store, question, k=20)
    assert [h.text for h in from_store][:2] == ["Alice Smith", "Blue Horizon"]
    assert link_entities(store, question, k=20, index=index) == from_store

    class NoStoreNames:
        def __getattr__(self, name: str) -> Any:
            if name == "find_entities":
                raise AssertionError("the index holds the keys: no store read")
            return getattr(store, name)

    assert link_entities(cast(GraphStore, NoStoreNames()), question, k=20, index=index) == from_store
    keyless = GraphIndex({n: a for n, a in index.arrays.items() if n != "entity_keys"}, "x", embedder)
    assert not keyless.has_name_keys
    assert link_entities(store, question, k=20, index=keyless) == from_store
    with pytest.raises(ValueError, match="no entity name keys"):
        keyless.find_entities(["Paris"])


def test_a_start_without_vectors_is_embedded_by_link_seeds(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    """GraphQA's start: mentions parsed but not embedded (it embeds them in the question's pass),
    the full-text hits read ahead; link_seeds gives the same seeds from it as from nothing."""
    from hopgraph.retrieval.linking import entity_fulltext

    nlp = load_spacy()
    if nlp is None:
        pytest.skip("no spaCy English model installed")
    build(store, embedder)
    index = GraphIndex.load(store, embedder, None)
    question = "When was Alice Smiths born in Blue Horizon?"
    start = start_linking(store, question, embedder, nlp=nlp, index=index, embed=False)
    assert start.mentions and start.vectors is None
    made_here = link_seeds(store, question, embedder, nlp=nlp, index=index)
    assert link_seeds(store, question, embedder, nlp=nlp, index=index, start=start) == made_here
    ahead = dataclasses.replace(start, fulltext=entity_fulltext(store, question, 10))
    assert link_seeds(store, question, embedder, nlp=nlp, index=index, start=ahead) == made_here
    # the full-text hits read ahead are the ones used: none read, the full-text-only seed is gone
    without = link_seeds(
        store,
        question,
        embedder,
        nlp=nlp,
        index=index,
        start=dataclasses.replace(start, fulltext=(), exact=()),
    )
    assert "Blue Horizon" in {s.text for s in made_here} and "Blue Horizon" not in {s.text for s in without}


@pytest.mark.parametrize(
    "question",
    ["", "   ", "?", "Paris " * 2000, "東京タワーはどこですか？", "🙂 ∑ \x00 ' \" \\", "a" * 10_000],
)
def test_link_seeds_never_raises_on_odd_text(
    store: GraphStore, embedder: SentenceTransformerEmbedder, question: str
) -> None:
    build(store, embedder)
    seeds = link_seeds(store, question, embedder, nlp=load_spacy(), k=3)
    assert len(seeds) <= 3 and all(0.0 <= s.score <= 1.0 for s in seeds)
    if question.startswith("Paris"):
        assert seeds[0].text == "Paris"


def test_link_seeds_through_the_store_vector_index(
    short_tmp: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """Without an index, mentions are looked up with the store's vector index. A fresh store:
    FalkorDB's vector index can come back empty after several clear-and-rebuild cycles."""
    from hopgraph.kg.falkordb.store import FalkorDBStore

    nlp = load_spacy()
    if nlp is None:
        pytest.skip("no spaCy English model installed")
    with FalkorDBStore(short_tmp) as fresh:
        build(fresh, embedder)
        fuzzy = link_seeds(fresh, "When was Alice Smiths born?", embedder, nlp=nlp)
        assert fuzzy and fuzzy[0].text == "Alice Smith" and 0.8 <= fuzzy[0].score < 1.0


def test_empty_graph(store: GraphStore, embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    index = GraphIndex.load(store, embedder, tmp_path)
    assert index.num_entities == 0 and index.num_chunks == 0 and index.predicates == []
    assert index.bm25_chunks("anything at all", 5) == []
    assert PassageGraph.from_index(index).rank_passages({0: 1.0}, {0: 1.0}).size == 0
    assert link_seeds(store, "Who is Alice?", embedder, index=index) == []
    # a store that never held chunk vectors has no vector index and says so
    with contextlib.suppress(StoreError):
        assert dense_chunks(store, embedder.embed(["Alice"])[0], 3) == []
    assert GraphIndex.load(store, embedder, tmp_path).fingerprint == index.fingerprint


def test_index_holds_the_chunk_vectors_and_upgrades_a_format_8_file(
    store: GraphStore, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    """Format 9 holds each chunk's unit vector as stored; a format-8 file of the same graph is
    read and given the chunk vectors from the store, without reading the graph again."""
    chunk_of = build(store, embedder)
    cache = tmp_path / "cache"
    counting = CountingStore(store)
    index = GraphIndex.load(cast(GraphStore, counting), embedder, cache)
    vectors = index.chunk_vectors
    assert vectors is not None and vectors.shape == (3, embedder.dimension)
    want = embedder.embed(
        [TEXTS[d] for d in sorted(chunk_of, key=lambda d: index.chunk_row(chunk_of[d]) or 0)]
    )
    np.testing.assert_allclose(vectors, want / np.linalg.norm(want, axis=1, keepdims=True), atol=1e-6)

    # the same graph's file as format 8 wrote it (no chunk vectors), and no format-9 file
    key = content_key(store, cache, UPGRADABLE_FORMAT, embedder.model_name, SYNONYM_THRESHOLD, SYNONYM_TOP_K)
    old = {n: a for n, a in index.arrays.items() if n != CHUNK_VECTORS}
    (cache / f"graph-index-{index.fingerprint}.npz").unlink()
    np.savez(
        cache / f"graph-index-{key}.npz",
        **old,
        model=np.array(embedder.model_name),
        format=np.array(UPGRADABLE_FORMAT),
    )
    upgraded = GraphIndex.load(cast(GraphStore, counting), embedder, cache)
    assert counting.relation_reads == 1  # only the first load read the graph
    assert upgraded.fingerprint == index.fingerprint and upgraded.entity_ids == index.entity_ids
    np.testing.assert_array_equal(upgraded.chunk_vectors, vectors)
    assert [p.name for p in cache.glob("graph-index-*.npz")] == [f"graph-index-{index.fingerprint}.npz"]
    again = GraphIndex.load(cast(GraphStore, counting), embedder, cache)
    assert counting.relation_reads == 1 and again.chunk_vectors is not None

    # a format-8 file of another state of the graph is not upgraded: the graph is read again
    (cache / f"graph-index-{index.fingerprint}.npz").unlink()
    np.savez(cache / "graph-index-0000000000000000.npz", **old, format=np.array(UPGRADABLE_FORMAT))
    GraphIndex.load(cast(GraphStore, counting), embedder, cache)
    assert counting.relation_reads == 2
