"""Rule 4 of entity resolution: a short person name folds into the one longer name of its document."""

from __future__ import annotations

import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.resolution.names import person_types_ok, person_words, short_form_of
from hopgraph.extract.resolution.resolver import EntityResolver
from hopgraph.types import Triple


def names_of(triples: tuple[Triple, ...]) -> set[str]:
    return {n for t in triples for n in (t.subject, t.object)}


# -- name rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("short", "long", "reason"),
    [
        ("Sommerfeld", "Arnold Sommerfeld", "short-name"),
        ("John Thomson", "Joseph John Thomson", "short-name"),
        ("Thomson", "J. J. Thomson", "short-name"),
        ("Beethoven", "Ludwig van Beethoven", "short-name"),
        ("J. J. Thomson", "Joseph John Thomson", "initials"),
        ("J.J. Thomson", "Joseph John Thomson", "initials"),
        ("J. Thomson", "Joseph John Thomson", ""),  # one initial for two given names
        ("Joseph John Thomson", "J. J. Thomson", ""),  # the full form never folds into initials
        ("Arnold", "Arnold Sommerfeld", ""),  # leading words are not a person's short name
        ("Germany", "West Germany", ""),
        ("York", "New York", ""),
        ("Laboratory", "Cavendish Laboratory", ""),
        ("Copenhagen", "University of Copenhagen", ""),
        ("Chicago", "Loyola University Chicago", ""),  # a head noun inside
        ("Canada", "HGTV Canada", ""),  # an acronym first
        ("Finland", "South-East Finland", ""),
        ("bohr", "niels bohr", ""),  # not capitalised
        ("Apollo", "Saturn Apollo 11", ""),  # digits
        ("Bohr", "Bohr", ""),
    ],
)
def test_short_form_of(short: str, long: str, reason: str) -> None:
    assert short_form_of(short, long) == reason


def test_person_words_and_types() -> None:
    assert person_words("J.J. Thomson") == ("j", "j", "thomson")
    assert person_words("University of Vienna") is None
    assert person_types_ok({"", "PERSON", "GPE"}, {"PERSON"}, acts_as_person=False)
    # untyped (OpenIE): one of the two names must act as a person ("Canada" / "Bell Canada" must not fold)
    assert not person_types_ok({""}, {""}, acts_as_person=False)
    assert person_types_ok({""}, {""}, acts_as_person=True)
    assert person_types_ok({""}, {""}, acts_as_person=False, long_acts_as_person=True)
    assert not person_types_ok({"GPE"}, {"PERSON"}, acts_as_person=False)  # "Washington"
    assert person_types_ok({"GPE", "LOC"}, {"PER"}, acts_as_person=True)  # "Pauli" was born
    assert not person_types_ok({""}, {"ORG"}, acts_as_person=True)


# -- the resolver ---------------------------------------------------------------------------------
def test_short_name_folds_into_the_long_name_of_its_document() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple(
                "Arnold Sommerfeld", "worked at", "University of Munich", doc_id="d1", subject_type="PERSON"
            ),
            Triple("Sommerfeld", "born in", "Königsberg", doc_id="d1", object_type="GPE"),
            Triple("Sommerfeld", "remembered as", "teacher", doc_id="d1", subject_type="PERSON"),
        ]
    )
    assert [t.subject for t in res.triples] == ["Arnold Sommerfeld"] * 3
    assert [(m.alias, m.canonical, m.reason) for m in res.merges] == [
        ("Sommerfeld", "Arnold Sommerfeld", "short-name")
    ]
    entities = {e.name: e for e in res.entities}
    assert entities["Arnold Sommerfeld"].aliases == ("Sommerfeld",)
    assert "Sommerfeld" not in entities
    assert resolver.canonical("Sommerfeld", "d1") == "Arnold Sommerfeld"
    assert resolver.canonical("Sommerfeld") == "Arnold Sommerfeld"  # mentions of the last batch


def test_the_fold_stays_in_its_document() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple("Niels Bohr", "born in", "Copenhagen", doc_id="bohr"),
            Triple("Bohr", "won", "Nobel Prize in Physics", doc_id="bohr"),
            Triple("Bohr", "visited", "Manchester", doc_id="rutherford"),  # no long form there
        ]
    )
    assert [t.subject for t in res.triples] == ["Niels Bohr", "Niels Bohr", "Bohr"]
    assert resolver.canonical("Bohr", "bohr") == "Niels Bohr"
    assert resolver.canonical("Bohr", "rutherford") == "Bohr"
    assert resolver.canonical("Bohr") == "Bohr"
    later = resolver.resolve([Triple("Bohr", "met", "Einstein", doc_id="other")])
    assert later.triples[0].subject == "Bohr" and later.merges == ()


def test_two_longer_names_are_ambiguous() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple("Niels Bohr", "father of", "Aage Bohr", doc_id="d"),
            Triple("Bohr", "won", "Nobel Prize in Physics", doc_id="d"),
        ]
    )
    assert res.merges == ()
    assert names_of(res.triples) == {"Niels Bohr", "Aage Bohr", "Bohr", "Nobel Prize in Physics"}
    assert resolver.canonical("Bohr", "d") == "Bohr"


def test_longer_names_that_are_one_entity_are_not_ambiguous() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            Triple("Joseph John Thomson", "born in", "Cheetham Hill", doc_id="d"),
            Triple("J. J. Thomson", "led", "Cavendish Laboratory", doc_id="d"),
            Triple("Thomson", "discovered", "electron", doc_id="d"),
            Triple("Joseph John Thomson", "known as", "J. J. Thomson", doc_id="d"),  # what the fold says
        ]
    )
    assert [t.subject for t in res.triples] == ["Joseph John Thomson"] * 3  # the self-loop is dropped
    assert {(m.alias, m.reason) for m in res.merges} == {
        ("J. J. Thomson", "initials"),
        ("Thomson", "short-name"),
    }


def test_type_guards() -> None:
    resolver = EntityResolver(None, None)
    res = resolver.resolve(
        [
            # a place named like the person: typed GPE, nothing says it is a person
            Triple("George Washington", "led", "Continental Army", doc_id="d1", subject_type="PERSON"),
            Triple("Washington", "capital of", "United States", doc_id="d1", subject_type="GPE"),
            # a surname typed GPE by the tagger, but it was born: a person
            Triple("Wolfgang Pauli", "wrote", "survey", doc_id="d2", subject_type="PERSON"),
            Triple("Pauli", "born in", "Vienna", doc_id="d2", subject_type="GPE"),
            # the long name is an organisation
            Triple("Kaiser Wilhelm", "founded", "Kaiser Wilhelm Society", doc_id="d3", subject_type="ORG"),
            Triple("Wilhelm", "ruled", "Prussia", doc_id="d3"),
        ]
    )
    assert [t.subject for t in res.triples] == [
        "George Washington",
        "Washington",
        "Wolfgang Pauli",
        "Wolfgang Pauli",
        "Kaiser Wilhelm",
        "Wilhelm",
    ]
    assert [(m.alias, m.canonical) for m in res.merges] == [("Pauli", "Wolfgang Pauli")]


def test_untyped_places_and_lowercase_names_do_not_fold() -> None:
    resolver = EntityResolver(None, None)
    triples = [
        Triple("West Germany", "part of", "NATO", doc_id="d"),
        Triple("Germany", "reunified in", "1990", doc_id="d"),
        Triple("New York", "largest city of", "United States", doc_id="d"),
        Triple("York", "city in", "England", doc_id="d"),
        Triple("niels bohr", "born in", "copenhagen", doc_id="d"),
        Triple("bohr", "won", "prize", doc_id="d"),
    ]
    res = resolver.resolve(triples)
    assert res.merges == ()
    assert res.triples == tuple(triples)


def test_triples_without_a_document_never_fold() -> None:
    resolver = EntityResolver(None, None)
    triples = [Triple("Arnold Sommerfeld", "taught", "Pauli"), Triple("Sommerfeld", "born in", "Königsberg")]
    assert resolver.resolve(triples).triples == tuple(triples)


def test_existing_entity_of_other_documents_is_left_alone() -> None:
    resolver = EntityResolver(None, None)
    resolver.resolve([Triple("Sommerfeld", "wrote", "Atombau", doc_id="d0")])  # becomes an entity
    res = resolver.resolve(
        [
            Triple("Arnold Sommerfeld", "taught", "Heisenberg", doc_id="d1"),
            Triple("Sommerfeld", "born in", "Königsberg", doc_id="d1"),
        ]
    )
    assert [t.subject for t in res.triples] == ["Arnold Sommerfeld", "Arnold Sommerfeld"]
    assert [(m.alias, m.canonical, m.reason) for m in res.merges] == [
        ("Sommerfeld", "Arnold Sommerfeld", "short-name")
    ]
    assert resolver.canonical("Sommerfeld") == "Sommerfeld"  # d0's entity is still itself
    assert resolver.canonical("Sommerfeld", "d1") == "Arnold Sommerfeld"


def test_a_document_split_over_batches_sees_its_earlier_long_names() -> None:
    resolver = EntityResolver(None, None)
    resolver.resolve([Triple("Lise Meitner", "born in", "Vienna", doc_id="d", subject_type="PERSON")])
    res = resolver.resolve([Triple("Meitner", "worked at", "Kaiser Wilhelm Institute", doc_id="d")])
    assert res.triples[0].subject == "Lise Meitner"
    assert [e.aliases for e in res.entities if e.name == "Lise Meitner"] == [("Meitner",)]


def test_with_embeddings_only_unfolded_names_get_vectors(embedder: SentenceTransformerEmbedder) -> None:
    resolver = EntityResolver(None, embedder)
    res = resolver.resolve(
        [
            Triple("Werner Heisenberg", "born in", "Würzburg", doc_id="h"),
            Triple("Heisenberg", "studied under", "Arnold Sommerfeld", doc_id="h"),
            Triple("Niels Bohr", "father of", "Aage Bohr", doc_id="b"),
            Triple("Bohr", "won", "Nobel Prize in Physics", doc_id="b"),  # ambiguous: stays
        ]
    )
    assert [t.subject for t in res.triples] == [
        "Werner Heisenberg",
        "Werner Heisenberg",
        "Niels Bohr",
        "Bohr",
    ]
    vectors = {e.name for e in res.entities if e.embedding is not None}
    assert "Bohr" in vectors and "Heisenberg" not in vectors
    assert {e.name: e.aliases for e in res.entities}["Werner Heisenberg"] == ("Heisenberg",)
