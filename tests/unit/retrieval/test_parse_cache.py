"""ParseCache: one parse per question text and enabled pipeline, the pipeline's own attributes."""

from __future__ import annotations

import pytest

from hopgraph.reason.doc.answer_types import question_type
from hopgraph.retrieval.linking import ParseCache, load_spacy, spacy_mentions


class CountingNlp:
    """A stand-in pipeline that counts its parses (the cache's plumbing only)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.pipe_names = ["tok2vec", "tagger", "parser", "ner"]

    def __call__(self, text: str) -> object:
        self.calls.append(text)
        return object()

    def pipe(self, texts: list[str]) -> list[str]:
        return [t.upper() for t in texts]


def test_same_text_is_parsed_once_and_the_same_doc_returned() -> None:
    nlp = CountingNlp()
    cached = ParseCache(nlp, size=2)
    first = cached("Who directed Heat?")
    assert cached("Who directed Heat?") is first
    assert nlp.calls == ["Who directed Heat?"]


def test_oldest_parse_is_dropped_beyond_the_size() -> None:
    nlp = CountingNlp()
    cached = ParseCache(nlp, size=2)
    for text in ("a", "b", "a", "c", "a", "b"):
        cached(text)
    # "a" stays (used again before "c" came), "b" was dropped by "c" and parsed again
    assert nlp.calls == ["a", "b", "c", "b"]


def test_a_parse_with_other_components_enabled_is_not_reused() -> None:
    nlp = CountingNlp()
    cached = ParseCache(nlp)
    whole = cached("Heat")
    nlp.pipe_names = ["tok2vec", "ner"]  # what select_pipes(enable=...) shows while it is active
    partial = cached("Heat")
    nlp.pipe_names = ["tok2vec", "tagger", "parser", "ner"]
    assert partial is not whole
    assert cached("Heat") is whole
    assert nlp.calls == ["Heat", "Heat"]


def test_other_attributes_are_the_pipelines() -> None:
    cached = ParseCache(CountingNlp())
    assert cached.pipe(["x"]) == ["X"]
    assert cached.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    with pytest.raises(ValueError, match="size"):
        ParseCache(CountingNlp(), size=0)


def test_real_pipeline_gives_the_same_mentions_and_question_type() -> None:
    nlp = load_spacy()
    if nlp is None:
        pytest.skip("no spaCy English model installed")
    cached = ParseCache(nlp)
    question = "Which European country did the director of Heat visit in 1995?"
    assert spacy_mentions(cached, question) == spacy_mentions(nlp, question)
    assert question_type(question, cached) == question_type(question, nlp)
    with cached.select_pipes(enable=["tok2vec", "ner"]):
        ner_only = cached(question)
    assert [e.text for e in ner_only.ents] == [e.text for e in nlp(question).ents]
    assert cached(question).has_annotation("DEP")  # the whole pipeline's parse, not the NER-only one
