"""Job state (SQLite) and the job runner's plumbing, with an in-memory fake store and extractors.

The real store, extractors and CLI are exercised in tests/e2e/test_ingest_job.py and
tests/e2e/test_ingest_kill.py; here only the bookkeeping is checked.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hopgraph.errors import ConfigError
from hopgraph.extract.extractors.base import Extraction
from hopgraph.extract.jobs.job import IngestJob
from hopgraph.extract.jobs.progress import JobProgress, format_cost, format_duration, format_summary
from hopgraph.extract.jobs.state import ChunkResult, DocumentRow, JobState
from hopgraph.kg.base import DeleteCounts, WriteCounts
from hopgraph.llm.base import Usage
from hopgraph.types import Chunk, Document, GraphStats, Triple


# -- fakes ----------------------------------------------------------------------------------------
@dataclass
class FakeStore:
    """Records writes; ``fail_after`` makes the n-th upsert_triples call raise (a crash stand-in)."""

    documents: dict[str, Document] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    triple_writes: list[Triple] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    fail_after: int | None = None
    calls: int = 0

    def stats(self) -> GraphStats:
        return GraphStats(len(self.documents), len(self.chunks), 0, len(set(self.triple_writes)))

    def upsert_documents(self, documents: Iterable[Document]) -> WriteCounts:
        for d in documents:
            self.documents[d.id] = d
        return WriteCounts()

    def upsert_chunks(self, chunks: Iterable[Chunk]) -> WriteCounts:
        for c in chunks:
            assert c.doc_id in self.documents, "a chunk was written before its document"
            self.chunks[c.id] = c
        return WriteCounts()

    def upsert_triples(self, triples: Iterable[Triple]) -> WriteCounts:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise ConnectionError("store went away")
        for t in triples:
            assert t.chunk_id in self.chunks, "triples were written before their chunk"
            self.triple_writes.append(t)
        return WriteCounts()

    def upsert_entities(self, entities: Iterable[Any]) -> WriteCounts:
        return WriteCounts()

    def delete_document(self, doc_id: str) -> DeleteCounts:
        self.deleted.append(doc_id)
        self.documents.pop(doc_id, None)
        self.chunks = {k: c for k, c in self.chunks.items() if c.doc_id != doc_id}
        self.triple_writes = [t for t in self.triple_writes if t.doc_id != doc_id]
        return DeleteCounts(documents=1)


class LineChunker:
    """One chunk per non-empty line."""

    def chunk(self, document: Document) -> list[Chunk]:
        lines = [line for line in document.text.splitlines() if line.strip()]
        return [Chunk(doc_id=document.id, ord=i, text=line) for i, line in enumerate(lines)]


class WordExtractor:
    """Batched: one triple per chunk (first word -> last word); chunks containing FAIL fail."""

    name = "fake"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def extract(self, chunk: Chunk) -> Extraction:
        self.seen.append(chunk.id)
        if "FAIL" in chunk.text:
            return Extraction(chunk.id, error="model said no")
        words = chunk.text.split()
        triple = Triple(words[0], "next to", words[-1], doc_id=chunk.doc_id, chunk_id=chunk.id)
        return Extraction(chunk.id, triples=(triple,), usage=Usage(10, 5))

    def extract_many(self, chunks: Iterable[Chunk]) -> Iterator[Extraction]:
        for c in chunks:
            yield self.extract(c)


class AsyncWordExtractor(WordExtractor):
    def __init__(self) -> None:
        super().__init__()
        self.active = 0
        self.peak = 0

    async def aextract(self, chunk: Chunk) -> Extraction:
        self.active += 1
        self.peak = max(self.peak, self.active)
        await asyncio.sleep(0.005)
        self.active -= 1
        if "BOOM" in chunk.text:
            raise TimeoutError("server too slow")
        return self.extract(chunk)


def docs(n: int, lines: int = 3, *, extra: str = "") -> list[Document]:
    return [
        Document(
            source=f"doc{i}.txt", text="\n".join(f"alpha{i} beta {j} gamma{j}{extra}" for j in range(lines))
        )
        for i in range(n)
    ]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[JobState]:
    with JobState.open(tmp_path / "jobs.sqlite") as s:
        yield s


def job(store: FakeStore, state: JobState, extractor: Any = None, **kw: Any) -> IngestJob:
    kw.setdefault("batch_size", 4)
    return IngestJob(store, state, extractor=extractor or WordExtractor(), chunker=LineChunker(), **kw)  # type: ignore[arg-type]


# -- JobState -------------------------------------------------------------------------------------
def test_state_file_uses_wal_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with JobState.open(path) as s:
        job_id = s.start_job({"sources": ["x"]})
        s.register_document(job_id, DocumentRow("d1", "x", "sha", "", job_id, 2), ["c1", "c2"])
        s.record(job_id, [ChunkResult("c1", tokens=7, triples=2), ChunkResult("c2", error="bad json")])
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with JobState.open(path) as s:
        rows = {r.chunk_id: r for r in s.chunks()}
        assert rows["c1"].status == "done" and rows["c1"].tokens == 7 and rows["c1"].completions == 1
        assert rows["c2"].status == "failed" and rows["c2"].error == "bad json" and rows["c2"].attempts == 1
        assert s.status_counts(job_id) == {"done": 1, "failed": 1}
        assert s.job(job_id) is not None and s.job(job_id).args == {"sources": ["x"]}  # type: ignore[union-attr]


def test_register_keeps_known_chunk_state_and_replace_forgets_it(state: JobState) -> None:
    j = state.start_job({})
    state.register_document(j, DocumentRow("d1", "x", "sha1", "", j, 2), ["c1", "c2"])
    state.record(j, [ChunkResult("c1")])
    state.register_document(j, DocumentRow("d1", "x", "sha1", "", j, 2), ["c1", "c2"])
    assert state.statuses(["c1", "c2"]) == {"c1": "done", "c2": "pending"}
    state.register_document(j, DocumentRow("d1", "x", "sha2", "", j, 1), ["c3"], replace=True)
    assert state.statuses(["c1", "c2", "c3"]) == {"c3": "pending"}
    assert state.document("d1") is not None and state.document("d1").sha256 == "sha2"  # type: ignore[union-attr]
    assert state.forget_document("d1") == 1 and state.document("d1") is None


def test_forgetting_the_journal_of_an_unfinished_retry_in_place_sends_its_documents_back(
    state: JobState,
) -> None:
    """A retry in place cut off part-way left its documents' extracted layer half written; a delete
    (which clears the journal that would finish it) makes their done chunks pending again."""
    j = state.start_job({})
    for doc in ("d1", "d2", "d3"):
        state.register_document(j, DocumentRow(doc, doc, "sha", "", j, 1), [f"{doc}c"])
        state.record(j, [ChunkResult(f"{doc}c")])
    seq = state.begin_batch(j, b"old")
    state.begin_rederive({seq: b"new"}, ["d1", "d2"])
    assert state.rederive_docs() == ["d1", "d2"] and state.batches() == [(seq, "applying", b"new")]
    state.forget_document("d2")
    assert state.statuses(["d1c", "d2c", "d3c"]) == {"d1c": "pending", "d3c": "done"}
    assert state.rederive_docs() == [] and state.batches() == []
    state.begin_rederive({}, ["d3"])
    state.end_rederive()  # finished: nothing goes back
    state.clear_batches()
    assert state.statuses(["d3c"]) == {"d3c": "done"}


def test_a_running_job_of_a_dead_process_shows_as_interrupted(state: JobState) -> None:
    j = state.start_job({})
    state.db.execute("UPDATE jobs SET pid = ? WHERE id = ?", (2**22 + 12345, j))  # no such process
    assert state.job(j).live_status == "interrupted"  # type: ignore[union-attr]
    state.start_job({})
    assert state.job(j).status == "interrupted"  # type: ignore[union-attr]


# -- IngestJob plumbing ---------------------------------------------------------------------------
def test_every_chunk_extracted_once_and_rerun_skips_done(state: JobState) -> None:
    store, extractor = FakeStore(), WordExtractor()
    summary = job(store, state, extractor).run(docs(3))
    assert summary.status == "done" and summary.chunks == 9 and summary.chunks_extracted == 9
    assert summary.triples == 9 and summary.tokens == 9 * 15
    assert sorted(extractor.seen) == sorted(store.chunks)
    again = WordExtractor()
    summary = job(store, state, again).run(docs(3) + docs(4)[3:])  # one new document
    assert summary.documents_unchanged == 3 and summary.chunks_skipped == 9
    assert len(again.seen) == 3 and summary.chunks_extracted == 3
    assert all(r.completions == 1 for r in state.chunks())


def test_crash_before_state_commit_redoes_only_unacknowledged_batches(state: JobState) -> None:
    store = FakeStore(fail_after=2)  # the third batch write fails
    with pytest.raises(ConnectionError):
        job(store, state).run(docs(4))  # 12 chunks, batches of 4
    assert state.status_counts() == {"done": 8, "pending": 4}
    assert state.jobs()[-1].status == "failed" and "store went away" in state.jobs()[-1].counters["error"]
    store.fail_after = None
    redo = WordExtractor()
    summary = job(store, state, redo).run(docs(4))
    assert len(redo.seen) == 4 and summary.chunks_skipped == 8
    rows = list(state.chunks())
    assert len(rows) == 12 and all(r.status == "done" and r.completions == 1 for r in rows)
    assert Counter(t.chunk_id for t in store.triple_writes) == Counter({c: 1 for c in store.chunks})


def test_failed_chunks_are_recorded_and_retried_only_when_asked(state: JobState) -> None:
    store = FakeStore()
    bad = [Document(source="bad.txt", text="one FAIL here\nfine line")]
    summary = job(store, state).run(bad)
    assert summary.chunks_failed == 1 and summary.chunks_extracted == 1
    failed = list(state.chunks(status="failed"))
    assert [f.error for f in failed] == ["model said no"]
    assert job(store, state).run(bad).chunks_failed_before == 1
    retry = job(store, state, retry_failed=True)
    assert retry.run(bad).chunks_failed == 1  # still fails, attempted again
    assert next(iter(state.chunks(status="failed"))).attempts == 2


def test_changed_document_replaces_its_old_contribution(state: JobState) -> None:
    store = FakeStore()
    job(store, state).run([Document(source="a.txt", text="x one y\nx two y")])
    changed = Document(source="a.txt", text="x one y\nz three w")
    summary = job(store, state).run([changed])
    assert summary.documents_replaced == 1 and store.deleted == [changed.id]
    assert summary.chunks_extracted == 2  # the whole new version is extracted
    assert sorted(t.object for t in store.triple_writes) == ["w", "y"]
    assert {r.chunk_id for r in state.chunks()} == set(store.chunks)


def test_problems_are_reported_by_path_and_the_rest_is_stored(state: JobState) -> None:
    @dataclass
    class Problem:
        path: str
        reason: str

    store = FakeStore()
    items = [Problem("bin.dat", "binary file"), *docs(1), Document(source="blank.txt", text="  \n")]
    summary = job(store, state).run(items)
    assert [(p["path"], p["reason"]) for p in summary.problems] == [
        ("bin.dat", "binary file"),
        ("blank.txt", "no text to extract"),
    ]
    assert summary.chunks_extracted == 3 and len(store.documents) == 1
    assert state.problems(summary.job_id)[0] == ("bin.dat", "error: binary file")


def test_async_extractor_runs_n_at_once_and_records_exceptions(state: JobState) -> None:
    store, extractor = FakeStore(), AsyncWordExtractor()
    items = [*docs(5, lines=4), Document(source="x.txt", text="a BOOM b")]
    summary = job(store, state, extractor, concurrency=3).run(items)
    assert extractor.peak == 3
    assert summary.chunks_extracted == 20 and summary.chunks_failed == 1
    assert "TimeoutError: server too slow" in next(iter(state.chunks(status="failed"))).error


def test_config_errors_stop_the_job_and_leave_chunks_pending(state: JobState) -> None:
    class Broken(WordExtractor):
        def extract(self, chunk: Chunk) -> Extraction:
            raise ConfigError("no model installed")

    class OneByOne:
        name = "one"
        inner = Broken()

        def extract(self, chunk: Chunk) -> Extraction:
            return self.inner.extract(chunk)

    with pytest.raises(ConfigError):
        job(FakeStore(), state, OneByOne()).run(docs(1))
    assert state.status_counts() == {"pending": 3}


def test_empty_store_with_old_state_starts_afresh(state: JobState) -> None:
    job(FakeStore(), state).run(docs(1))
    summary = job(FakeStore(), state).run(docs(1))  # e.g. the remote graph was cleared
    assert summary.chunks_extracted == 3


# -- progress and summary -------------------------------------------------------------------------
def test_progress_plain_lines_show_rate_eta_tokens_and_cost() -> None:
    now = [0.0]
    out = io.StringIO()
    p = JobProgress(out, price_per_1k=0.5, tty=False, every=1.0, clock=lambda: now[0])
    p.begin(100)
    now[0] = 10.0
    p.advance(done=20, failed=5, tokens=4000, triples=60)
    lines = out.getvalue().splitlines()
    assert lines[-1] == (
        "chunks 25/100 (25%) | 2.5/s | ETA 0:30 | 4,000 tokens | $2.0000 | 60 triples | 5 failed"
    )
    p.close()
    assert format_cost(0, None) == "" and format_duration(3725) == "1:02:05"


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    out = io.StringIO()
    p = JobProgress(out, tty=True, every=0.0)
    p.begin(4)
    p.advance(done=2)
    assert out.getvalue().count("\r\x1b[K") == 2 and "\n" not in out.getvalue()
    assert "[############------------] chunks 2/4 (50%)" in out.getvalue()


def test_summary_lists_counters() -> None:
    text = format_summary({"job_id": 3, "status": "done", "documents": 2, "chunks": 5, "chunks_failed": 1,
                           "tokens": 1234, "seconds": 61, "problems": [{"path": "x"}]})  # fmt: skip
    assert text.splitlines()[0] == "job 3 done"
    assert "  failed                                  1" in text and "input problems" in text
    assert text.splitlines()[-1].endswith("1:01")
