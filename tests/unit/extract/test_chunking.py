"""Chunking: sizes measured with the embedder's real tokenizer, overlap, determinism, ids."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.errors import ConfigError
from hopgraph.extract.chunking import Chunker, split_sentences
from hopgraph.extract.load.files import load_documents
from hopgraph.ids import chunk_id
from hopgraph.types import Document

ROOT = Path(__file__).resolve().parents[3]
MUSIQUE = ROOT.parent / "shared" / "data" / "musique100" / "corpus.json"

TEXT = " ".join(
    f"Physicist number {i} studied under J. J. Thomson and later worked at a university in Europe."
    for i in range(60)
)


@pytest.fixture(scope="module")
def count(embedder: SentenceTransformerEmbedder) -> Callable[[str], int]:
    return embedder.count_tokens


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentence_splitter_knows_initials_abbreviations_paragraphs_and_lists() -> None:
    text = (
        "J. J. Thomson taught Ernest Rutherford, e.g. at the Cavendish. Dr. Bohr came later! Why?\n\n"
        "A heading without a full stop\nA line that runs on.\n- first item\n- second item"
    )
    assert sentences(text) == [
        "J. J. Thomson taught Ernest Rutherford, e.g. at the Cavendish.",
        "Dr. Bohr came later!",
        "Why?",
        "A heading without a full stop\nA line that runs on.",
        "- first item",
        "- second item",
    ]
    assert sentences("   ") == [] and sentences("No end") == ["No end"]


def test_chunks_stay_under_the_limit_and_overlap_by_whole_sentences(count: Callable[[str], int]) -> None:
    doc = Document(source="t", text=TEXT)
    chunks = Chunker(count, max_tokens=64, overlap_tokens=20).chunk(doc)
    assert len(chunks) > 5
    assert [c.ord for c in chunks] == list(range(len(chunks)))
    assert all(count(c.text) <= 64 for c in chunks)
    sentence_tokens = count(sentences(TEXT)[0])
    assert sentence_tokens <= 20  # so exactly one whole sentence fits in the overlap
    for before, after in itertools.pairwise(chunks):
        shared = sentences(after.text)[0]
        assert sentences(before.text)[-1] == shared  # whole trailing sentence repeated
        assert sentences(after.text)[1] not in before.text  # and no more than fits in 20 tokens
    # every sentence of the text is in some chunk, and chunks are slices of the text
    assert all(any(s in c.text for c in chunks) for s in sentences(TEXT))
    assert all(c.text in TEXT for c in chunks)


def test_no_overlap_partitions_the_sentences(count: Callable[[str], int]) -> None:
    doc = Document(source="t", text=TEXT)
    chunks = Chunker(count, max_tokens=100, overlap_tokens=0).chunk(doc)
    assert [s for c in chunks for s in sentences(c.text)] == sentences(TEXT)
    assert all(count(c.text) <= 100 for c in chunks)


def test_long_sentences_are_cut_at_words_and_long_words_at_tokens(count: Callable[[str], int]) -> None:
    words = [f"atom{i}" for i in range(400)]
    text = " ".join(words) + " " + "x" * 3000 + " tail"
    chunks = Chunker(count, max_tokens=50, overlap_tokens=0).chunk(Document(source="long", text=text))
    assert all(count(c.text) <= 50 for c in chunks)
    # without overlap the chunks tile the text: in order, only whitespace between them
    position, starts = 0, []
    for c in chunks:
        start = text.index(c.text, position)
        assert not text[position:start].strip()
        starts.append(start)
        position = start + len(c.text)
    assert position == len(text)
    word_region = len(" ".join(words))
    assert all(s == 0 or text[s - 1] == " " for s in starts if s < word_region)  # cut at words
    assert sum(c.text.count("x") for c in chunks) == 3000  # the long word is cut at tokens


def test_plain_counting_functions_even_non_additive_ones_are_kept_under_the_limit() -> None:
    def by_chars(text: str) -> int:  # joining two texts adds the separating space
        return len(text) // 10 + 1

    doc = Document(source="t", text=TEXT)
    chunks = Chunker(by_chars, max_tokens=40, overlap_tokens=8).chunk(doc)
    assert len(chunks) > 10 and all(by_chars(c.text) <= 40 for c in chunks)
    words = Chunker(lambda t: len(t.split()), max_tokens=3, overlap_tokens=0)
    assert [c.text for c in words.chunk(Document(source="w", text="one two three four five. six"))] == [
        "one two three",
        "four five. six",
    ]


def test_tokenizer_embedder_and_function_agree(embedder: SentenceTransformerEmbedder) -> None:
    doc = Document(source="t", text=TEXT)
    results = [
        Chunker(counter, max_tokens=80, overlap_tokens=16).chunk(doc)
        for counter in (embedder, embedder.tokenizer, embedder.count_tokens)
    ]
    assert results[0] == results[1] == results[2]


def test_deterministic_ids_and_stable_prefix(count: Callable[[str], int]) -> None:
    doc = Document(source="s.txt", text=TEXT)
    first = Chunker(count, max_tokens=64, overlap_tokens=16).chunk(doc)
    second = Chunker(count, max_tokens=64, overlap_tokens=16).chunk(Document(source="s.txt", text=TEXT))
    assert first == second
    assert [c.id for c in first] == [chunk_id(doc.id, c.text) for c in first]
    assert len({c.id for c in first}) == len(first)
    assert all(c.doc_id == doc.id for c in first)
    # an appended sentence changes only the tail; another source changes every id
    grown = Chunker(count, max_tokens=64, overlap_tokens=16).chunk(
        Document(source="s.txt", text=TEXT + " One more sentence at the very end.")
    )
    assert [c.id for c in grown[: len(first) - 1]] == [c.id for c in first[:-1]]
    other = Chunker(count, max_tokens=64, overlap_tokens=16).chunk(Document(source="other", text=TEXT))
    assert not {c.id for c in other} & {c.id for c in first}


def test_repeated_text_gives_no_duplicate_chunks(count: Callable[[str], int]) -> None:
    doc = Document(source="r", text="Same sentence again. " * 200)
    chunks = Chunker(count, max_tokens=20, overlap_tokens=0).chunk(doc)
    assert [c.text for c in chunks] == [("Same sentence again. " * 5).strip()]


def test_empty_documents_give_no_chunks(count: Callable[[str], int]) -> None:
    chunker = Chunker(count)
    assert chunker.chunk(Document(source="e")) == []
    assert chunker.chunk(Document(source="w", text=" \n\t ")) == []
    many = list(chunker.chunk_many([Document(source="e"), Document(source="x", text="Hi.")]))
    assert [c.text for c in many] == ["Hi."]


def test_chunk_many_matches_chunk_on_demo_documents(count: Callable[[str], int]) -> None:
    docs, problems = load_documents([ROOT / "data" / "demo" / "docs"])
    assert problems == [] and docs
    chunker = Chunker(count, max_tokens=48, overlap_tokens=12)
    many = list(chunker.chunk_many(docs))
    assert many == [c for d in docs for c in chunker.chunk(d)]
    assert all(count(c.text) <= 48 for c in many)
    heisenberg = next(d for d in docs if d.title == "Werner Heisenberg")
    texts = [c.text for c in chunker.chunk(heisenberg)]
    assert any("Heisenberg studied under Arnold Sommerfeld" in t for t in texts)


@pytest.mark.skipif(not MUSIQUE.exists(), reason="no benchmark data")
def test_real_passages_fit_the_default_limit(count: Callable[[str], int]) -> None:
    records = json.loads(MUSIQUE.read_text())[:300]
    docs = [Document(source=f"m#{i}", text=r["text"], title=r["title"]) for i, r in enumerate(records)]
    chunks = list(Chunker(count).chunk_many(docs))
    assert {c.doc_id for c in chunks} == {d.id for d in docs}
    assert max(count(c.text) for c in chunks) <= 256


def test_bad_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="overlap_tokens"):
        Chunker(len, max_tokens=10, overlap_tokens=10)
    with pytest.raises(ConfigError, match="max_tokens"):
        Chunker(len, max_tokens=0)
    with pytest.raises(ConfigError, match="function str -> int"):
        Chunker(42).chunk(Document(source="x", text="Some text."))
