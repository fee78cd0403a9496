"""Entity resolution rules, without a store: keys, guards, type compatibility, real embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.resolution.names import (
    guard,
    resolution_key,
    string_similarity,
    types_compatible,
    word_key,
)
from hopgraph.extract.resolution.resolver import EntityResolver
from hopgraph.types import Triple


def canonical_map(resolver: EntityResolver, names: list[str]) -> dict[str, str]:
    return {n: resolver.canonical(n) for n in names}


# -- keys and guards ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("U.S.A.", "USA"),
        ("Jean-Paul  Sartre", "jean paul sartre"),
        ("ＡＢＣ Records", "abc records"),  # NFKC folds full-width letters
        ("Guinea - Bissau", "Guinea-Bissau"),
        ("Washington, D.C.", "Washington DC"),
        ("Simon & Garfunkel", "Simon and Garfunkel"),
    ],
)
def test_resolution_key_equal(a: str, b: str) -> None:
    assert resolution_key(a) == resolution_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Paris", "Paris, Texas"), ("1963", "1964"), ("Apollo 11", "Apollo 12")]
)
def test_resolution_key_distinct(a: str, b: str) -> None:
    assert resolution_key(a) != resolution_key(b)


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Paris", "Paris, Texas", "one name qualifies the other"),
        ("Oklahoma City, Oklahoma", "Oklahoma City", "one name qualifies the other"),
        ("Apollo 11", "Apollo 12", "numbers differ"),
        ("8 May 1945", "8 August 1945", "different words"),
        ("Henry VII", "Henry VIII", "different words"),
        ("West Germany", "East Germany", "different words"),
        ("John Smith", "John Smyth", "different words"),
        ("Pocahontas Mound A", "Pocahontas Mounds", "one name qualifies the other"),
        ("rail network", "Network Rail", "word order differs"),
        ("US Constitution", "United States Constitution", ""),
        ("The Beatles", "Beatles", ""),
        ("rivers", "River", ""),
    ],
)
def test_guard(a: str, b: str, reason: str) -> None:
    assert guard(a, b) == reason
    assert guard(b, a) == reason


def test_types_compatibility() -> None:
    assert types_compatible("", "PERSON")
    assert types_compatible("PER", "person")
    assert types_compatible("GPE", "LOCATION")
    assert not types_compatible("PERSON", "ORG")
    assert not types_compatible("WORK_OF_ART", "PERSON")


def test_string_similarity_and_word_key() -> None:
    assert string_similarity("U.S.A.", "usa") == 1.0
    assert string_similarity("John Smith", "John Smyth") >= 0.9  # high ratio, yet the guard forbids it
    assert word_key("The Rivers") == word_key("river")


# -- resolver without embeddings ------------------------------------------------------------------
def test_key_merges_rewrite_triples_and_report_aliases() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple("Barack Obama", "born in", "Honolulu", doc_id="d1", chunk_id="c1"),
            Triple("barack  obama", "president of", "U.S.A.", doc_id="d1", chunk_id="c1"),
            Triple("USA", "capital", "Washington, D.C."),
        ]
    )
    assert [(t.subject, t.object) for t in res.triples] == [
        ("Barack Obama", "Honolulu"),
        ("Barack Obama", "U.S.A."),
        ("U.S.A.", "Washington, D.C."),
    ]
    assert res.triples[1].doc_id == "d1" and res.triples[1].chunk_id == "c1"
    assert {(m.alias, m.canonical, m.reason) for m in res.merges} == {
        ("barack obama", "Barack Obama", "key"),
        ("USA", "U.S.A.", "key"),
    }
    aliases = {e.name: e.aliases for e in res.entities}
    assert aliases == {"Barack Obama": ("barack obama",), "U.S.A.": ("USA",)}


def test_incremental_across_batches() -> None:
    resolver = EntityResolver(None, None)
    resolver.resolve([Triple("Copenhagen", "capital of", "Denmark")])
    second = resolver.resolve([Triple("copenhagen", "has", "harbours"), Triple("Harbour", "in", "DENMARK")])
    assert [(t.subject, t.object) for t in second.triples] == [
        ("Copenhagen", "harbours"),
        ("harbours", "Denmark"),
    ]
    assert {(m.alias, m.canonical, m.reason) for m in second.merges} == {
        ("copenhagen", "Copenhagen", "key"),
        ("DENMARK", "Denmark", "key"),
        ("Harbour", "harbours", "string"),
    }


def test_false_merges_are_refused_without_embeddings() -> None:
    resolver = EntityResolver(None, None)
    names = [
        "Paris",
        "Paris, Texas",
        "1963",
        "1964",
        "West Germany",
        "East Germany",
        "John Smith",
        "John Smyth",
    ]
    res = resolver.resolve([Triple(n, "is", "thing") for n in names])
    assert res.merges == ()
    assert canonical_map(resolver, names) == {n: n for n in names}


def test_incompatible_types_never_merge() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple("Jordan", "plays for", "Bulls", subject_type="PERSON"),
            Triple("jordan", "borders", "Israel", subject_type="GPE"),
            Triple("JORDAN", "won", "titles", subject_type="PER"),
        ]
    )
    assert {(m.alias, m.canonical) for m in res.merges} == {("JORDAN", "Jordan")}
    assert resolver.canonical("jordan") == "jordan"


def test_bad_thresholds_are_rejected() -> None:
    with pytest.raises(ValueError, match="threshold"):
        EntityResolver(None, None, threshold=0)


# -- resolver with real embeddings ----------------------------------------------------------------
def test_embedding_merges_acronyms_and_returns_vectors(embedder: SentenceTransformerEmbedder) -> None:
    resolver = EntityResolver(None, embedder)
    res = resolver.resolve(
        [
            Triple("United States Constitution", "adopted in", "1787"),
            Triple("US Constitution", "has", "amendments"),
        ]
    )
    merge = {m.alias: m for m in res.merges}["US Constitution"]
    assert merge.canonical == "United States Constitution"
    assert merge.reason == "embedding" and merge.score >= 0.92
    vectors = {e.name: e.embedding for e in res.entities if e.embedding is not None}
    assert set(vectors) == {"United States Constitution", "1787", "amendments"}
    vec = np.asarray(vectors["1787"])
    assert vec.shape == (embedder.dimension,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3


def test_embedding_false_merges_are_refused(embedder: SentenceTransformerEmbedder) -> None:
    pairs = [
        ("Paris", "Paris, Texas"),
        ("8 May 1945", "8 August 1945"),
        ("Asian giant hornet", "Japanese giant hornet"),
        ("Karel Komzák I", "Karel Komzák II"),
        ("Tweedsmuir South Provincial Park", "Tweedsmuir North Provincial Park"),
        ("Santa Clara University", "Santa Clara College"),
    ]
    resolver = EntityResolver(None, embedder)
    res = resolver.resolve([Triple(a, "near", b) for a, b in pairs])
    assert res.merges == ()
    assert len({e.name for e in res.entities}) == 2 * len(pairs)
