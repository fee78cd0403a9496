"""Passage NER computed once, batched, and kept in the cache dir: the same entities as parsing
each passage alone (real spaCy, real passages), reused for unchanged chunks after a change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.recording_nlp import RecordingNlp

from hopgraph.retrieval.linking import ParseCache, load_spacy
from hopgraph.retrieval.passage_ner import (
    NER_CHARS,
    NameLabels,
    PassageEntities,
    batch_entities,
    last_line,
    model_name,
    name_label,
    name_labels,
    proper_label,
    text_entities,
)

DOCS = Path(__file__).resolve().parents[3] / "data" / "typed" / "docs"


@pytest.fixture(scope="module")
def nlp() -> Any:
    loaded = load_spacy()
    if loaded is None:
        pytest.skip("no spaCy English model installed")
    return loaded


def passages() -> list[str]:
    """Real passages: the typed check set's documents, each cut in paragraphs."""
    out: list[str] = []
    for path in sorted(DOCS.glob("*.txt"))[:6]:
        out.extend(p.strip() for p in path.read_text().split("\n\n") if p.strip())
    assert len(out) >= 6
    return out


class Store:
    """The one paged Cypher read PassageEntities makes, over a dict of chunk id -> text."""

    name = "fake"

    def __init__(self, chunks: dict[str, str]) -> None:
        self.chunks = chunks

    def cypher(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        assert "MATCH (c:Chunk)" in query and params is not None
        rows = [{"id": c, "text": t} for c, t in sorted(self.chunks.items()) if c > params["after"]]
        return rows[: params["n"]]


NAMES = [
    "Halvard Lind",
    "Oslo",
    "Nimbus Robotics",
    "1979",
    "the river",
    "2009–10 National League A season",
    "-58 Degrees – Exploring Siberia on Skies",
    "University of Ibadan",
    "Glass Harbour",
    "December 2011",
    "Lagos",
    "peer-reviewed journal",
]


def test_name_labels_equal_parsing_each_name_in_a_small_batch(nlp: Any) -> None:
    # what the answerer parsed per question: up to 10 path-end names through the whole pipeline
    single = [name_label(nlp(name)) for name in NAMES]
    assert sum(bool(label) for label in single) >= 4
    assert name_labels(nlp, NAMES) == single
    assert name_labels(ParseCache(nlp), NAMES[::-1]) == single[::-1]


def test_a_lower_case_name_is_no_proper_noun(nlp: Any) -> None:
    # alone, the small model reads "atomic nucleus" as a PERSON: a path end typed a person
    assert [e.label_ for e in nlp("atomic nucleus").ents] == ["PERSON"]
    assert name_label(nlp("atomic nucleus")) == ""
    assert name_label(nlp("Niels Bohr")) == "PERSON"
    assert (proper_label("1990", "DATE"), proper_label("three", "CARDINAL")) == ("DATE", "CARDINAL")
    assert (proper_label("ruhr", "LOC"), proper_label("Ruhr", "LOC"), proper_label("東京", "GPE")) == (
        "",
        "LOC",
        "GPE",
    )
    # a cache file written before the rule is read with it
    assert NameLabels({"atomic nucleus": "PERSON", "Bergen": "GPE"}).get("atomic nucleus") == ""
    assert NameLabels({"Bergen": "GPE"}).get("Bergen") == "GPE"


def test_name_labels_are_parsed_once_then_read_and_reused_by_name(nlp: Any, tmp_path: Path) -> None:
    counting = RecordingNlp(nlp)
    built = NameLabels.load([*NAMES, NAMES[0], " "], counting, tmp_path, "fp1")
    assert sorted(counting.parsed) == sorted(NAMES)  # each name once, no blank one
    assert {n: built.get(n) for n in NAMES} == {n: name_label(nlp(n)) for n in NAMES}
    assert built.get("a name not in the graph") is None
    assert len(list(tmp_path.glob("name-ner-*.npz"))) == 1

    again = RecordingNlp(nlp)
    assert NameLabels.load(NAMES, again, tmp_path, "fp1").labels == built.labels
    assert again.parsed == []
    changed = RecordingNlp(nlp)  # the graph changed: only its new name is parsed
    rebuilt = NameLabels.load([*NAMES[1:], "Bergen"], changed, tmp_path, "fp2")
    assert changed.parsed == ["Bergen"]
    assert rebuilt.get("Bergen") == name_label(nlp("Bergen")) and rebuilt.get(NAMES[0]) is None
    assert len(list(tmp_path.glob("name-ner-*.npz"))) == 1
    (path,) = tmp_path.glob("name-ner-*.npz")
    path.write_bytes(b"not a zip file")
    damaged = RecordingNlp(nlp)
    assert NameLabels.load(NAMES[:2], damaged, tmp_path, "fp2").labels == {
        n: built.labels[n] for n in NAMES[:2]
    }
    assert sorted(damaged.parsed) == sorted(NAMES[:2])


def test_batched_entities_equal_parsing_each_passage_alone(nlp: Any) -> None:
    texts = passages()
    single = [text_entities(nlp, t) for t in texts]
    assert sum(len(s) for s in single) > 10  # real passages name people, places, dates
    assert batch_entities(nlp, texts, batch_size=4) == single
    assert batch_entities(ParseCache(nlp), texts) == single


def test_entities_are_parsed_once_then_read_from_the_cache_dir(nlp: Any, tmp_path: Path) -> None:
    texts = passages()
    store = Store({f"c{i:02d}": t for i, t in enumerate(texts)})
    counting = RecordingNlp(nlp)
    built = PassageEntities.load(store, counting, tmp_path, "fp1")  # type: ignore[arg-type]
    assert sorted(counting.parsed) == sorted(t[:NER_CHARS] for t in texts)
    assert len(list(tmp_path.glob("passage-ner-*.npz"))) == 1
    for chunk, text in store.chunks.items():
        assert built.get(chunk) == text_entities(nlp, text[:NER_CHARS])

    again = RecordingNlp(nlp)
    read = PassageEntities.load(store, again, tmp_path, "fp1")  # type: ignore[arg-type]
    assert again.parsed == []
    assert read.entities == built.entities


def test_a_rebuild_parses_only_new_or_changed_chunks(nlp: Any, tmp_path: Path) -> None:
    texts = passages()
    chunks = {f"c{i:02d}": t for i, t in enumerate(texts[:-2])}
    PassageEntities.load(Store(chunks), nlp, tmp_path, "fp1")  # type: ignore[arg-type]
    chunks["c00"] = texts[-2]  # same id, other text (an edit that kept the id)
    chunks["c99"] = texts[-1]  # a new chunk
    counting = RecordingNlp(nlp)
    rebuilt = PassageEntities.load(Store(chunks), counting, tmp_path, "fp2")  # type: ignore[arg-type]
    assert sorted(counting.parsed) == sorted([texts[-2], texts[-1]])
    assert rebuilt.get("c00") == text_entities(nlp, texts[-2])
    assert len(rebuilt) == len(chunks)
    assert len(list(tmp_path.glob("passage-ner-*.npz"))) == 1  # the older file was replaced


def test_another_model_parses_everything_again(nlp: Any, tmp_path: Path) -> None:
    texts = passages()[:3]
    store = Store({f"c{i}": t for i, t in enumerate(texts)})
    PassageEntities.load(store, nlp, tmp_path, "fp1")  # type: ignore[arg-type]

    other = RecordingNlp(nlp)
    other.meta = {**nlp.meta, "version": "0.0.1"}  # the same pipeline under another version
    assert model_name(other) != model_name(nlp)
    PassageEntities.load(store, other, tmp_path, "fp1")  # type: ignore[arg-type]
    assert sorted(other.parsed) == sorted(texts)


def test_an_unreadable_cache_file_is_parsed_again(nlp: Any, tmp_path: Path) -> None:
    texts = passages()[:2]
    store = Store({"a": texts[0], "b": texts[1]})
    PassageEntities.load(store, nlp, tmp_path, "fp1")  # type: ignore[arg-type]
    (path,) = tmp_path.glob("passage-ner-*.npz")
    path.write_bytes(b"not a zip file")
    counting = RecordingNlp(nlp)
    again = PassageEntities.load(store, counting, tmp_path, "fp1")  # type: ignore[arg-type]
    assert sorted(counting.parsed) == sorted(texts)
    assert again.get("b") == text_entities(nlp, texts[1])


def test_a_name_spread_over_a_title_and_the_next_line_is_cut_to_its_last_line(nlp: Any) -> None:
    # the small model tags the title and the name that starts the text as one entity
    text = "Anselm Brandt\n\nAnselm Brandt (1790-1866) was a mathematician. He was born in Velden."
    entities = text_entities(nlp, text)
    assert not any("\n" in name for name, _, _ in entities)
    sentence = "Anselm Brandt (1790-1866) was a mathematician"
    assert ("Anselm Brandt", sentence) in {(n, s) for n, _, s in entities}
    cached = [("Anselm Brandt\n\nAnselm Brandt", "ORG", "Anselm Brandt")]  # a cache of the older parse
    assert last_line(cached) == [("Anselm Brandt", "ORG", "Anselm Brandt")]
    assert PassageEntities({"c": cached}).get("c") == last_line(cached)
