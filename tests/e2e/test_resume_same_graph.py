"""A job interrupted anywhere during extraction, then resumed, builds the same graph as a clean run.

Real components in one process (FalkorDB, the offline spaCy extractor, MiniLM name vectors for
entity resolution), a 2WikiMultihopQA excerpt small enough for seconds, commit batches of 8 chunks.
Each interruption is a Ctrl-C (KeyboardInterrupt) raised inside a store write of one batch: before
its triples, between its triples and its entities, between its entities and its mentions, and in
the state commit after the store acknowledged. The same job then runs again and the two graphs are
compared in canonical form (:mod:`hopgraph.kg.canonical`). The default run has the hardest point
(triples written, entities not); ``make stress`` runs them all (without the resolution journal, all
four fail: the resumed graph splits names such as "albums" / "album" that the clean run merged).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers.faults import FaultyStore, canonical

from hopgraph.api import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.jobs.progress import JobSummary
from hopgraph.extract.jobs.state import JobState
from hopgraph.extract.jobs.wiring import IngestOptions, run_ingest
from hopgraph.kg.canonical import graph_diff

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "2wiki" / "corpus.json"
RECORDS = 24
OPTIONS = IngestOptions(batch_size=8)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not found (the shared benchmark data)")
    # records of the 300 that name the common nouns a fresh resolver split ("album" /
    # "albums", "actor" / "actors", "writer" / "writers"...): their merges span batches
    records = json.loads(CORPUS.read_text())[:300]
    pattern = re.compile(r"\b(?:album|actor|writer|award|artist|career)s?\b", re.IGNORECASE)
    path = tmp_path_factory.mktemp("corpus") / "2wiki.json"
    path.write_text(json.dumps([r for r in records if pattern.search(r["text"])][:RECORDS]))
    return path


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def ingest(folder: Path, corpus: Path, embedder: Any, wrap: Any = None) -> JobSummary:
    with HopGraph.open(folder) as hg:
        store = wrap(hg.store) if wrap is not None else hg.store
        return run_ingest(
            store, [str(corpus)], state_path=folder / "jobs.sqlite", options=OPTIONS, embedder=embedder
        )


@pytest.fixture(scope="module")
def clean(corpus: Path, embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("g")
    summary = ingest(folder, corpus, embedder)
    assert summary.status == "done" and summary.chunks_extracted == summary.chunks > RECORDS
    assert summary.merges > 0  # the resolver merges names in this excerpt: resolution state matters
    return canonical(folder)


@pytest.mark.parametrize(
    ("method", "at"),
    [
        # batch 2's triples written, its entities (aliases, vectors) not
        ("upsert_entities", 2),
        # nothing of batch 3 written: it is journalled 'applying'
        pytest.param("upsert_triples", 3, marks=pytest.mark.stress),
        # triples and entities written, mentions not
        pytest.param("add_mentions", 4, marks=pytest.mark.stress),
    ],
)
def test_interrupted_store_write_then_resume_equals_a_clean_run(
    method: str, at: int, corpus: Path, embedder: Any, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        ingest(short_tmp, corpus, embedder, wrap=lambda s: FaultyStore(s, method, at))
    resumed = ingest(short_tmp, corpus, embedder)
    assert resumed.status == "done"
    assert graph_diff(clean, canonical(short_tmp)) == []


@pytest.mark.stress
def test_interrupted_state_commit_then_resume_equals_a_clean_run(
    corpus: Path, embedder: Any, clean: dict[str, list[str]], short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = JobState.record
    calls = {"n": 0}

    def interrupted(self: JobState, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        record(self, *args, **kwargs)

    monkeypatch.setattr(JobState, "record", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(short_tmp, corpus, embedder)
    monkeypatch.setattr(JobState, "record", record)
    resumed = ingest(short_tmp, corpus, embedder)
    # two batches were committed; the third was journalled and written, and is redone from the journal
    assert resumed.status == "done" and resumed.chunks_skipped == 24
    assert graph_diff(clean, canonical(short_tmp)) == []


@pytest.mark.stress
def test_two_clean_runs_agree(
    corpus: Path, embedder: Any, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    ingest(short_tmp, corpus, embedder)
    assert graph_diff(clean, canonical(short_tmp)) == []
