"""Per-chunk state of batch extraction jobs, in one SQLite file next to the graph (``DIR/jobs.sqlite``).

Tables::

    jobs       id, started, finished, args (JSON), status, counters (JSON summary), pid
    chunks     chunk_id PRIMARY KEY, doc_id, job_id, status (pending|done|failed), error,
               attempts, completions, tokens, triples, updated
    documents  doc_id PRIMARY KEY, source, sha256, chunking, job_id, chunks, updated
    problems   job_id, path, reason          (inputs that could not be loaded)
    batches    seq, job_id, status (applying|committed), payload   (the resolution journal of the
               unfinished job, see :mod:`hopgraph.extract.jobs.journal`)
    rederive   doc_id    (while a retry in place is unfinished: the documents whose extracted
               layer it removes and writes again from the journal, see ``IngestJob``)

The job runner marks a chunk ``done`` only after the store acknowledged its triples, in one
transaction per written batch. ``completions`` counts how often a chunk went to ``done``: a chunk
that is done is never extracted again, so it stays 1 (tests check it after ``kill -9``).
WAL journal with ``synchronous=FULL``: a committed batch survives a crash of the process or the
machine. No I/O happens before :meth:`JobState.open`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hopgraph.errors import JobStateError
from hopgraph.util.batching import batched
from hopgraph.util.processes import pid_alive

ChunkStatus = Literal["pending", "done", "failed"]
STATE_FILE_NAME = "jobs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    args TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'running',
    counters TEXT NOT NULL DEFAULT '{}',
    pid INTEGER
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    job_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    completions INTEGER NOT NULL DEFAULT 0,
    tokens INTEGER NOT NULL DEFAULT 0,
    triples INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id);
CREATE INDEX IF NOT EXISTS chunks_by_job ON chunks (job_id, status);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    chunking TEXT NOT NULL DEFAULT '',
    job_id INTEGER NOT NULL,
    chunks INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_source ON documents (source);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applying', 'committed')),
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS rederive (
    doc_id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS problems (
    job_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    started: float
    finished: float | None
    args: dict[str, Any]
    status: str
    counters: dict[str, Any]
    pid: int | None

    @property
    def live_status(self) -> str:
        """``status``, except that a ``running`` job whose process is gone shows as ``interrupted``."""
        return "interrupted" if self.status == "running" and not _alive(self.pid) else self.status


@dataclass(frozen=True, slots=True)
class ChunkRow:
    chunk_id: str
    doc_id: str
    job_id: int
    status: str
    error: str
    attempts: int
    completions: int
    tokens: int
    triples: int
    updated: float


@dataclass(frozen=True, slots=True)
class DocumentRow:
    doc_id: str
    source: str
    sha256: str
    chunking: str
    job_id: int
    chunks: int


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What the runner records for one extracted chunk."""

    chunk_id: str
    error: str = ""
    tokens: int = 0
    triples: int = 0


@dataclass(slots=True)
class JobState:
    """The job-state database at ``path``; use as a context manager or call :meth:`close`."""

    path: Path
    _db: sqlite3.Connection | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> JobState:
        state = cls(Path(path))
        state.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(state.path, isolation_level=None, timeout=30.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            (check,) = db.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {check}")
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise JobStateError(
                f"the job state {state.path} is damaged ({exc}). The graph is not affected: move the "
                f"file away (mv {state.path} {state.path}.damaged) and run the ingest again; it then "
                "extracts every document again (what is stored stays; writing it again adds nothing)"
            ) from None
        state._db = db
        return state

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("JobState is closed; use JobState.open(path)")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> JobState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self, statements: Iterable[tuple[str, Sequence[Any] | Iterable[Sequence[Any]], bool]]) -> None:
        """Run ``(sql, params, many)`` statements in one immediate transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params, many in statements:
                if many:
                    db.executemany(sql, params)
                else:
                    db.execute(sql, params)  # type: ignore[arg-type]
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # a failed COMMIT (a full disk) leaves the transaction open
                db.execute("ROLLBACK")
            raise

    # -- jobs -----------------------------------------------------------------------------------
    def start_job(self, args: dict[str, Any]) -> int:
        """A new ``running`` job row; jobs left ``running`` by a dead process become ``interrupted``."""
        for job in self.jobs():
            if job.status == "running" and not _alive(job.pid):
                self.finish_job(job.id, "interrupted", job.counters, finished=job.finished)
        cur = self.db.execute(
            "INSERT INTO jobs (started, args, status, pid) VALUES (?, ?, 'running', ?)",
            (time.time(), json.dumps(args, default=str), os.getpid()),
        )
        return int(cur.lastrowid or 0)

    def update_counters(self, job_id: int, counters: dict[str, Any]) -> None:
        self.db.execute("UPDATE jobs SET counters = ? WHERE id = ?", (json.dumps(counters), job_id))

    def finish_job(
        self, job_id: int, status: str, counters: dict[str, Any], *, finished: float | None = None
    ) -> None:
        self.db.execute(
            "UPDATE jobs SET status = ?, counters = ?, finished = ? WHERE id = ?",
            (status, json.dumps(counters), finished if finished is not None else time.time(), job_id),
        )

    def jobs(self) -> list[JobRow]:
        rows = self.db.execute(
            "SELECT id, started, finished, args, status, counters, pid FROM jobs ORDER BY id"
        ).fetchall()
        return [_job(r) for r in rows]

    def job(self, job_id: int) -> JobRow | None:
        row = self.db.execute(
            "SELECT id, started, finished, args, status, counters, pid FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def add_problem(self, job_id: int, path: str, reason: str) -> None:
        self.db.execute("INSERT INTO problems VALUES (?, ?, ?)", (job_id, path, reason))

    def problems(self, job_id: int) -> list[tuple[str, str]]:
        rows = self.db.execute("SELECT path, reason FROM problems WHERE job_id = ? ORDER BY rowid", (job_id,))
        return [(str(p), str(r)) for p, r in rows]

    # -- documents and chunks -------------------------------------------------------------------
    def document(self, doc_id: str) -> DocumentRow | None:
        row = self.db.execute(
            "SELECT doc_id, source, sha256, chunking, job_id, chunks FROM documents WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        return DocumentRow(*row) if row else None

    def documents_by_source(self, source: str) -> list[DocumentRow]:
        rows = self.db.execute(
            "SELECT doc_id, source, sha256, chunking, job_id, chunks FROM documents WHERE source = ?",
            (source,),
        ).fetchall()
        return [DocumentRow(*r) for r in rows]

    def documents(self) -> list[DocumentRow]:
        """Every document the job state knows, by source."""
        rows = self.db.execute(
            "SELECT doc_id, source, sha256, chunking, job_id, chunks FROM documents ORDER BY source"
        ).fetchall()
        return [DocumentRow(*r) for r in rows]

    def register_document(
        self, job_id: int, doc: DocumentRow, chunk_ids: Sequence[str], *, replace: bool = False
    ) -> None:
        """Record a document and its chunks (new chunks ``pending``; known chunks keep their state).

        ``replace``: forget the document's previous chunks first (its text or chunking changed).
        """
        now = time.time()
        statements: list[tuple[str, Any, bool]] = []
        if replace:
            statements.append(("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,), False))
        statements.append(
            (
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET "
                "source = excluded.source, sha256 = excluded.sha256, chunking = excluded.chunking, "
                "job_id = excluded.job_id, chunks = excluded.chunks, updated = excluded.updated",
                (doc.doc_id, doc.source, doc.sha256, doc.chunking, job_id, len(chunk_ids), now),
                False,
            )
        )
        statements.append(
            (
                "INSERT OR IGNORE INTO chunks (chunk_id, doc_id, job_id, status, updated) "
                "VALUES (?, ?, ?, 'pending', ?)",
                [(cid, doc.doc_id, job_id, now) for cid in chunk_ids],
                True,
            )
        )
        self._tx(statements)

    def statuses(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in batched(chunk_ids, 500):
            marks = ",".join("?" * len(part))
            rows = self.db.execute(f"SELECT chunk_id, status FROM chunks WHERE chunk_id IN ({marks})", part)
            out.update({str(c): str(s) for c, s in rows})
        return out

    def record(self, job_id: int, results: Sequence[ChunkResult], *, batch: int | None = None) -> None:
        """Mark each chunk done (no error) or failed, in one transaction. Call after the store acked.

        ``batch``: the journal entry of these results (:meth:`begin_batch`), marked committed in the
        same transaction.
        """
        now = time.time()
        tail: list[tuple[str, Any, bool]] = []
        if batch is not None:
            tail.append(("UPDATE batches SET status = 'committed' WHERE seq = ?", (batch,), False))
        done = [(job_id, r.tokens, r.triples, now, r.chunk_id) for r in results if not r.error]
        failed = [(job_id, r.error, r.tokens, now, r.chunk_id) for r in results if r.error]
        self._tx(
            [
                (
                    "UPDATE chunks SET status = 'done', error = '', job_id = ?, attempts = attempts + 1, "
                    "completions = completions + 1, tokens = tokens + ?, triples = ?, updated = ? "
                    "WHERE chunk_id = ?",
                    done,
                    True,
                ),
                (
                    "UPDATE chunks SET status = 'failed', error = ?, job_id = ?, attempts = attempts + 1, "
                    "tokens = tokens + ?, updated = ? WHERE chunk_id = ?",
                    [(e, j, t, u, c) for j, e, t, u, c in failed],
                    True,
                ),
                *tail,
            ]
        )

    # -- the resolution journal -----------------------------------------------------------------
    def begin_batch(self, job_id: int, payload: bytes) -> int:
        """Journal a resolved batch before its store write (status ``applying``); returns its seq."""
        cur = self.db.execute(
            "INSERT INTO batches (job_id, status, payload) VALUES (?, 'applying', ?)", (job_id, payload)
        )
        return int(cur.lastrowid or 0)

    def batches(self) -> list[tuple[int, str, bytes]]:
        """The journal of the unfinished job, oldest first: ``(seq, status, payload)``."""
        rows = self.db.execute("SELECT seq, status, payload FROM batches ORDER BY seq")
        return [(int(q), str(s), bytes(p)) for q, s, p in rows]

    def clear_batches(self) -> None:
        """Forget the journal (the job finished, or the graph changed under it)."""
        self._tx(_FORGET_JOURNAL)

    def begin_rederive(self, payloads: dict[int, bytes], doc_ids: Iterable[str]) -> None:
        """Start a retry in place: the journal batches ``payloads`` (seq -> new payload) take the
        retried results, and ``doc_ids`` are the documents whose extracted layer is written again,
        in one transaction."""
        self._tx(
            [
                ("UPDATE batches SET payload = ? WHERE seq = ?", [(p, q) for q, p in payloads.items()], True),
                ("INSERT OR IGNORE INTO rederive (doc_id) VALUES (?)", [(d,) for d in doc_ids], True),
            ]
        )

    def rederive_docs(self) -> list[str]:
        """The documents of an unfinished retry in place (empty when there is none)."""
        return [str(r[0]) for r in self.db.execute("SELECT doc_id FROM rederive ORDER BY doc_id")]

    def rewrite_batch(self, seq: int, payload: bytes) -> None:
        """Replace a journalled batch's payload (its resolution was done again)."""
        self.db.execute("UPDATE batches SET payload = ? WHERE seq = ?", (payload, seq))

    def end_rederive(self) -> None:
        self.db.execute("DELETE FROM rederive")

    def forget_document(self, doc_id: str) -> int:
        """Drop a document's rows; returns how many chunk rows went."""
        (count,) = self.db.execute("SELECT count(*) FROM chunks WHERE doc_id = ?", (doc_id,)).fetchone()
        self._tx(
            [
                ("DELETE FROM chunks WHERE doc_id = ?", (doc_id,), False),
                ("DELETE FROM documents WHERE doc_id = ?", (doc_id,), False),
                *_FORGET_JOURNAL,
            ]
        )
        return int(count)

    def chunks(
        self, *, job_id: int | None = None, status: str | None = None, doc_id: str | None = None
    ) -> Iterator[ChunkRow]:
        where, params = [], []
        for column, value in (("job_id", job_id), ("status", status), ("doc_id", doc_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT chunk_id, doc_id, job_id, status, error, attempts, completions, tokens, triples, "
        sql += "updated FROM chunks" + (" WHERE " + " AND ".join(where) if where else "")
        for row in self.db.execute(sql + " ORDER BY updated, chunk_id", params):
            yield ChunkRow(*row)

    def doc_status_counts(self, doc_id: str) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT status, count(*) FROM chunks WHERE doc_id = ? GROUP BY status", (doc_id,)
        )
        return {str(s): int(n) for s, n in rows}

    def document_count(self) -> int:
        (count,) = self.db.execute("SELECT count(*) FROM documents").fetchone()
        return int(count)

    def forget_all(self) -> None:
        """Drop every document and chunk row (the store was emptied behind the state's back)."""
        self._tx(
            [
                ("DELETE FROM chunks", (), False),
                ("DELETE FROM documents", (), False),
                *_FORGET_JOURNAL,
            ]
        )

    def status_counts(self, job_id: int | None = None) -> dict[str, int]:
        if job_id is None:
            rows = self.db.execute("SELECT status, count(*) FROM chunks GROUP BY status")
        else:
            rows = self.db.execute(
                "SELECT status, count(*) FROM chunks WHERE job_id = ? GROUP BY status", (job_id,)
            )
        return {str(s): int(n) for s, n in rows}


_FORGET_JOURNAL: list[tuple[str, Any, bool]] = [
    # a retry in place cut off part-way left its documents' extracted layer half written: without the
    # journal that would write it again, their done chunks are extracted again by the next ingest
    (
        "UPDATE chunks SET status = 'pending' "
        "WHERE status = 'done' AND doc_id IN (SELECT doc_id FROM rederive)",
        (),
        False,
    ),
    ("DELETE FROM rederive", (), False),
    ("DELETE FROM batches", (), False),
]


def _alive(pid: int | None) -> bool:
    """Whether the process that recorded a job still runs (no pid recorded: no)."""
    return pid_alive(pid) if pid else False


def _job(row: tuple[Any, ...]) -> JobRow:
    return JobRow(
        id=int(row[0]),
        started=float(row[1]),
        finished=float(row[2]) if row[2] is not None else None,
        args=json.loads(row[3] or "{}"),
        status=str(row[4]),
        counters=json.loads(row[5] or "{}"),
        pid=int(row[6]) if row[6] is not None else None,
    )


__all__ = ["STATE_FILE_NAME", "ChunkResult", "ChunkRow", "DocumentRow", "JobRow", "JobState"]
