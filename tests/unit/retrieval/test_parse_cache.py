"""ParseCache: one parse per question text and enabled pipeline, the pipeline's own attributes."""

from __future__ import annotations

import pytest

from hopgraph.reason.doc.answer_types import question_type
from hopgraph.retrieval.linking import ParseCache, load_spacy, name_runs, spacy_mentions
from tests.helpers.recording_nlp import RecordingNlp


class CountingNlp:
    """A stand-in pipeline that counts its parses (the cache's plumbing only)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.pipe_names = ["tok2vec", "tagger", "parser", "ner"]

    def __call__(self, text: str, disable: list[str] | None = None) -> object:
        self.calls.append(text if not disable else f"{text} without {','.join(disable)}")
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


def test_a_parse_without_a_component_is_kept_apart_from_the_whole_one() -> None:
    nlp = CountingNlp()
    cached = ParseCache(nlp)
    lean = cached("Heat", disable=["ner"])
    assert cached("Heat", disable=["ner"]) is lean
    assert cached("Heat") is not lean
    assert nlp.calls == ["Heat without ner", "Heat"]


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


def test_a_question_is_parsed_once_without_the_recogniser_for_mentions_and_type() -> None:
    """The linker and the answer typer share one parse of the question, made without the
    recogniser (its names come from the capitalised runs), which the whole pipeline's callers
    never get."""
    nlp = load_spacy()
    if nlp is None:
        pytest.skip("no spaCy English model installed")
    recording = RecordingNlp(nlp)
    cached = ParseCache(recording)
    question = "Which European country did the director of Heat visit in 1995?"
    mentions = spacy_mentions(cached, question)
    kind = question_type(question, cached)
    assert recording.parsed == [question]
    assert {"Heat", "1995"} <= set(mentions)
    assert kind == question_type(question, nlp)
    assert not cached(question, disable=["ner"]).has_annotation("ENT_IOB")
    assert cached(question).has_annotation("ENT_IOB")


@pytest.mark.parametrize(
    ("question", "names"),
    [
        (
            "Who was the first president of the association which published Journal of "
            "Psychotherapy Integration?",
            ["Journal of Psychotherapy Integration"],
        ),
        ("What county shares a border with Johnnycake, West Virginia?", ["Johnnycake", "West Virginia"]),
        ("In which year did Hello Love's performer die?", ["Hello Love's"]),
        ("Who directed the 1995 film Heat?", ["1995", "Heat"]),
        ("what is the capital of france?", []),
        (
            "Which film came out first, The Vagabond King or Los Últimos Días?",
            ["Vagabond King", "Los Últimos Días"],
        ),
        ("Where did Émile Zola and Łódź meet?", ["Émile Zola and Łódź"]),
        ("Who made the iPhone?", []),
    ],
)
def test_name_runs_are_the_capitalised_names_without_question_words(question: str, names: list[str]) -> None:
    assert name_runs(question) == names
