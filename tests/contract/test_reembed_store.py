"""Re-embedding chunks against a real store: title-aware chunk vectors, stale chunks of an older
graph, and the FalkorDB quirk that keeps an old vector when a new one is SET over it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.embed_graph import CHUNK_FORMAT, chunk_text, embed_graph, stale_chunks
from hopgraph.extract.reembed import clear_chunk_vectors, reembed_chunks
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk, Document
from tests.helpers.shared_embedder import share_embedder

TEXTS = {
    "c1": ("Heat (1995 film)", "It was directed by Michael Mann and stars Al Pacino."),
    "c2": ("Copenhagen", "It is the capital and most populous city of Denmark."),
    "c3": ("Niels Bohr", "He was born in 1885 and won the Nobel Prize in 1922."),
}


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    emb = SentenceTransformerEmbedder()
    emb.embed(["load once"])
    return emb


def add_chunks(store: GraphStore) -> None:
    store.upsert_documents([Document(source=c, id=f"d-{c}", title=t) for c, (t, _) in TEXTS.items()])
    store.upsert_chunks([Chunk(f"d-{c}", 0, text, id=c) for c, (_, text) in TEXTS.items()])


def add_old_chunks(store: GraphStore, embedder: SentenceTransformerEmbedder) -> None:
    """The chunks, embedded the old way: from their text alone, without their title."""
    add_chunks(store)
    old = embedder.embed([text for _, text in TEXTS.values()])
    store.set_embeddings("Chunk", {c: v for c, v in zip(TEXTS, old, strict=True)})


def stored_vector(store: GraphStore, chunk: str) -> np.ndarray:
    # read back, not searched: FalkorDB's vector index misses nodes created after a DETACH DELETE
    # of earlier ones (the fixture clears the store between tests)
    [row] = store.cypher("MATCH (c:Chunk {id: $id}) RETURN c.embedding AS v", {"id": chunk})
    return np.asarray(row["v"], dtype=np.float32)


def assert_embedded_with_title(store: GraphStore, embedder: SentenceTransformerEmbedder, chunk: str) -> None:
    title, text = TEXTS[chunk]
    expected = embedder.embed([chunk_text(text, title)])[0]
    without_title = embedder.embed([text])[0]
    stored = stored_vector(store, chunk)
    assert float(stored @ expected) == pytest.approx(1.0, abs=1e-3)
    assert float(stored @ without_title) < 0.99


def test_chunks_are_embedded_with_their_title_and_marked(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    add_chunks(store)
    assert embed_graph(store, embedder, labels=("Chunk",)).chunks == 3
    assert stale_chunks(store) == []
    rows = store.cypher("MATCH (c:Chunk) RETURN c.embedded_as AS mark")
    assert [r["mark"] for r in rows] == [CHUNK_FORMAT] * 3
    for chunk in TEXTS:
        assert_embedded_with_title(store, embedder, chunk)


def test_reembed_replaces_the_vectors_of_an_older_graph(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    add_old_chunks(store, embedder)  # an older graph: vectors of the text alone, no mark
    assert stale_chunks(store) == sorted(TEXTS)

    counts = reembed_chunks(store, embedder, batch_size=2)

    assert (counts.stale, counts.embedded) == (3, 3)
    assert stale_chunks(store) == [] and store.missing_embeddings("Chunk") == []
    for chunk in TEXTS:
        # the new vector is what the store holds now (FalkorDB kept the old one if it was SET over it)
        assert_embedded_with_title(store, embedder, chunk)
    assert reembed_chunks(store, embedder).embedded == 0  # nothing left to do


def test_reembed_resumes_after_an_interrupted_batch(
    store: GraphStore, embedder: SentenceTransformerEmbedder
) -> None:
    add_old_chunks(store, embedder)
    clear_chunk_vectors(store, ["c1"])  # killed after clearing c1, before embedding it again

    counts = reembed_chunks(store, embedder, batch_size=1)

    assert counts.embedded == 3 and stale_chunks(store) == []
    for chunk in TEXTS:
        assert_embedded_with_title(store, embedder, chunk)


def test_chunk_text_carries_the_title() -> None:
    assert chunk_text("He was born in 1885.", " Niels  Bohr ") == "Niels Bohr\nHe was born in 1885."
    assert chunk_text("No title here.") == "No title here."


def test_reembed_command_on_an_older_graph_folder(
    short_tmp: Path,
    embedder: SentenceTransformerEmbedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``hopgraph reembed --graph DIR`` on a graph embedded the old way, then once more (nothing
    left); afterwards no chunk is stale and every vector carries its title. It embeds with the
    graph's ``[embed]`` settings (the model the graph was built with)."""
    from hopgraph.api import HopGraph
    from hopgraph.cli.app import main

    monkeypatch.setenv("HOPGRAPH_EMBED_QUERY_PRECISION", "float32")
    shared = share_embedder(monkeypatch, embedder)
    folder = short_tmp / "old"
    with HopGraph.open(folder) as hg:
        add_old_chunks(hg.store, embedder)
        assert len(stale_chunks(hg.store)) == 3
    assert main(["reembed", "--graph", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"stale_chunks": 3, "embedded_chunks": 3}
    assert [s.query_precision if s else None for s in shared.built_from] == ["float32"]
    assert main(["reembed", "--graph", str(folder)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    with HopGraph.open(folder) as hg:
        assert stale_chunks(hg.store) == []
        for chunk in TEXTS:
            assert_embedded_with_title(hg.store, embedder, chunk)


def test_reembed_command_refreshes_the_graph_index_chunk_vectors(
    short_tmp: Path,
    embedder: SentenceTransformerEmbedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The graph index keeps the chunks' vectors (the second hop scores with them): after
    ``hopgraph reembed`` a cached index of the old vectors is not reused (re-embedding changes no
    count the cache key holds; the command bumps the write generation)."""
    from hopgraph.api import HopGraph
    from hopgraph.cli.app import main
    from hopgraph.retrieval.graph_index import GraphIndex

    share_embedder(monkeypatch, embedder)
    folder = short_tmp / "old"
    with HopGraph.open(folder) as hg:
        add_old_chunks(hg.store, embedder)
        before = GraphIndex.load(hg.store, embedder, hg.cache_dir)
    assert main(["reembed", "--graph", str(folder), "--json"]) == 0
    capsys.readouterr()
    with HopGraph.open(folder) as hg:
        after = GraphIndex.load(hg.store, embedder, hg.cache_dir)
        assert after.fingerprint != before.fingerprint
        vectors = after.chunk_vectors
        assert vectors is not None
        for chunk in TEXTS:
            stored = stored_vector(hg.store, chunk)
            row = after.chunk_row(chunk)
            assert row is not None
            np.testing.assert_allclose(vectors[row], stored / np.linalg.norm(stored), atol=1e-6)
