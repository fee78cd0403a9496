"""The typed-answer check set (data/typed/): its documents ingested with the offline extractor,
its 63 one- and two-hop questions answered without an LLM, scored as ``hopgraph eval answers`` does;
the session-12 trial set (data/caldoria/) the same way, against a floor."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.recording_nlp import RecordingNlp

from hopgraph import embed
from hopgraph.api import HopGraph
from hopgraph.eval.typed_answers import evaluate_typed_answers, load_typed_questions
from hopgraph.reason.doc.answer_types import ANSWER_TYPES, YESNO
from hopgraph.reason.doc.pipeline import GraphQA
from hopgraph.retrieval.linking import ParseCache
from tests.helpers.shared_embedder import share_embedder

ROOT = Path(__file__).resolve().parents[2]
TYPED = ROOT / "data" / "typed"
EXACT_FLOOR = 0.80
"""A regression floor, not the target (0.85): 58 of 63 exact (0.921) in session 10 (46 of the first
49 before it added 14 questions); a question or two below that is within the noise of one graph
build. Before the typed reader: 34 of 49 (0.694)."""


TRIAL_FLOORS = {"caldoria": 0.70, "lanterns": 0.60, "festival": 0.75}
"""Regression floors of the new users' trial sets, a question or so below their figures at the end
of session 13: caldoria 18 of 24 (0.750; 13 before session 12's rules), lanterns 12 of 18 (0.667;
10 before), festival 15 of 18 (0.833; 10 with session 12's code, 13 with session 13's rules
before any was written for it)."""


@contextlib.contextmanager
def _ingested(tmp_path_factory: pytest.TempPathFactory, docs: Path) -> Iterator[HopGraph]:
    shared = embed.SentenceTransformerEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        share_embedder(mp, shared)
        with HopGraph.open(tmp_path_factory.mktemp(docs.parent.name)) as graph:
            summary = graph.ingest(str(docs))
            assert summary.status == "done" and not summary.problems
            yield graph


@pytest.fixture(scope="module")
def hg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HopGraph]:
    with _ingested(tmp_path_factory, TYPED / "docs") as graph:
        yield graph


@pytest.mark.parametrize("trial", sorted(TRIAL_FLOORS))
def test_a_trial_set_stays_above_its_floor(tmp_path_factory: pytest.TempPathFactory, trial: str) -> None:
    folder = ROOT / "data" / trial
    with _ingested(tmp_path_factory, folder / "docs") as graph:
        report = evaluate_typed_answers(graph.ask, load_typed_questions(folder / "questions.tsv"))
        assert report.exact >= TRIAL_FLOORS[trial], report.rows
        assert not any(row["contradicts"] and row["confidence"] >= 0.2 for row in report.rows), report.rows


def test_the_check_set_covers_every_answer_type_with_two_hop_questions() -> None:
    items = load_typed_questions(TYPED / "questions.tsv")
    assert len(items) >= 40
    assert {i.kind for i in items} == set(ANSWER_TYPES) - {YESNO}


def test_typed_answers_are_mostly_exact_and_never_contradict_when_a_fitting_one_exists(hg: HopGraph) -> None:
    report = evaluate_typed_answers(hg.ask, load_typed_questions(TYPED / "questions.tsv"))
    assert report.exact >= EXACT_FLOOR, report.rows
    # an answer contradicting the asked type only where no candidate of that type was supported:
    # its confidence is then discounted (CONFIDENCE_FACTOR[False] = 0.2)
    for row in report.rows:
        if row["contradicts"]:
            assert row["confidence"] < 0.2, row
    assert all(row["asked_type"] == row["type"] for row in report.rows if row["type"] != "thing"), [
        (r["question"], r["asked_type"]) for r in report.rows if r["asked_type"] != r["type"]
    ]


def test_the_answer_is_the_first_of_the_candidates(hg: HopGraph) -> None:
    qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
    for question in (
        "Where was the founder of Nimbus Robotics born?",
        "Which university did the founder of Orbital Ink study at?",
    ):
        found = qa.candidates(question)
        assert found and found[0].name == hg.ask(question).best_guess
        assert all(a.score >= b.score for a, b in itertools.pairwise(found))


def test_a_question_parses_no_passage_once_their_entities_are_kept(hg: HopGraph) -> None:
    """The passages' entities are parsed once into the cache dir; a question then parses only
    itself and path-end names, and answers as parsing each passage on the fly does."""
    assert hg.cache_dir is not None
    kept = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
    assert kept.passage_entities() is not None
    assert list(hg.cache_dir.glob("passage-ner-*.npz"))
    recording = RecordingNlp(kept.nlp)
    kept._nlp = recording
    on_the_fly = GraphQA.load(hg.store)  # no cache dir: passages parsed when shown
    for question in (
        "Where was the founder of Nimbus Robotics born?",
        "Who founded the company that acquired Verdant Rail?",
        "In what year was the founder of Nimbus Robotics born?",
    ):
        recording.parsed.clear()
        answer = kept.ask(question)
        passages = {c.text[:5000] for c in answer.chunks}
        assert answer.chunks and not passages & set(recording.parsed), recording.parsed
        fresh = on_the_fly.ask(question)
        assert (answer.text, answer.confidence, answer.chunks) == (fresh.text, fresh.confidence, fresh.chunks)


class ThreadRecording(RecordingNlp):
    """A recording pipeline that also notes the thread each text is parsed on."""

    def __init__(self, nlp: object) -> None:
        super().__init__(nlp)
        self.threads: list[str] = []

    def __call__(self, text: str, **kwargs: object) -> object:
        self.threads.append(threading.current_thread().name)
        return super().__call__(text, **kwargs)


def test_a_question_is_parsed_once_and_no_path_end_name_with_the_cache_dir(hg: HopGraph) -> None:
    """With the cache dir, the entity names' labels are read from it (no path-end name parsed per
    question) and the question is parsed once, on the asking thread while the helper thread reads
    the entity full-text hits, the linker and the answer typer reading that parse; the answers are
    those of parsing names per question (no cache dir)."""
    assert hg.cache_dir is not None
    kept = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
    assert kept.name_labels() is not None and list(hg.cache_dir.glob("name-ner-*.npz"))
    recording = ThreadRecording(kept.nlp.nlp)
    kept._nlp = ParseCache(recording)
    on_the_fly = GraphQA.load(hg.store)
    for question in (
        "Where was the founder of Nimbus Robotics born?",
        "Which university did the founder of Orbital Ink study at?",
        "In what year was the founder of Nimbus Robotics born?",
    ):
        recording.parsed.clear()
        recording.threads.clear()
        answer = kept.ask(question)
        assert answer.paths and recording.parsed == [question]
        assert recording.threads == [threading.current_thread().name]
        fresh = on_the_fly.ask(question)
        assert (answer.text, answer.confidence, answer.chunks) == (fresh.text, fresh.confidence, fresh.chunks)
