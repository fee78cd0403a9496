"""What the HTTP API, the chat endpoint and the MCP tools do, in one place: :class:`GraphService`.

One service owns one open :class:`~hopgraph.api.HopGraph` (and through it the store) for the life
of the server. Questions are answered by a *reader* (a ``HopGraph`` over the shared store whose
loaded answerers are a snapshot of the graph); writes (ingest, delete) go through a *writer* over
the same store, one at a time (one lock). While a write runs, questions keep being answered from
the reader's snapshot; when it is done, a fresh reader is loaded and warmed, then swapped in, so
no question ever waits for a write, nor sees an answerer built from a half-written graph.

Ingest jobs run on a background thread with the same resumable job state as ``hopgraph ingest``
(``DIR/jobs.sqlite``); the texts a client posts are written as one-record JSON corpus files under
``DIR/uploads/`` (one file per document id, so re-posting a document replaces it), and those files
are the job's sources. :meth:`GraphService.close` stops a running job between batches (its done
chunks stay done, the rest pending: re-posting the texts, or restarting the server, resumes it).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from hopgraph.api import HopGraph
from hopgraph.config import ServeSettings
from hopgraph.errors import ConfigError, HopGraphError, QuestionError
from hopgraph.ids import document_id
from hopgraph.render.text import answer_to_dict
from hopgraph.types import Answer
from hopgraph.util.paths import write_atomic

log = logging.getLogger(__name__)

UPLOADS = "uploads"
UPLOADED_FILES = "files"
STAGING = ".staging"
MAX_FILE_NAME = 200
WARM_QUESTION = "Which entity is this graph about?"
MAX_HOPS = 3
MAX_NEIGHBOURHOOD_NODES = 500
MAX_NEIGHBOURHOOD_EDGES = 2000
STRUCTURAL = ("HAS_CHUNK", "MENTIONS")
SCHEMA_PROPERTIES = {
    "Document": ["id", "source", "title"],
    "Chunk": ["id", "doc_id", "ord", "text", "embedding"],
    "Entity": ["id", "name", "type", "aliases", "embedding"],
    "relation": ["predicate", "chunk_ids", "doc_ids", "confidence"],
}
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CYPHER_TIMEOUT = "timeout_s" in inspect.signature(HopGraph.cypher).parameters


class NotFoundError(HopGraphError):
    """What a request names (an entity, a passage, a job, a document) does not exist."""


class BusyError(HopGraphError):
    """A write is already running; writes run one at a time."""


class ShuttingDownError(HopGraphError):
    """The server is stopping and takes no more writes."""


class UnsupportedUploadError(HopGraphError):
    """An uploaded file (or the request body) is of no type the server ingests."""


@dataclass
class _Cancel:
    """A progress stream for the ingest job: remembers its last line, and raises
    ``KeyboardInterrupt`` (once) when the server stops, so the job ends as ``interrupted`` between
    two batches, exactly as Ctrl-C ends ``hopgraph ingest``."""

    stop: threading.Event
    line: str = ""
    raised: bool = False

    def isatty(self) -> bool:
        return True  # progress every 0.1 s rather than every 5 s

    def write(self, text: str) -> int:
        if self.stop.is_set() and not self.raised:
            self.raised = True
            raise KeyboardInterrupt
        text = text.replace("\r\x1b[K", "").strip()
        if text:
            self.line = text
        return len(text)

    def flush(self) -> None:
        return None


@dataclass
class _Running:
    job_id: int | None = None
    thread: threading.Thread | None = None
    progress: _Cancel | None = None
    error: str = ""
    started: threading.Event = field(default_factory=threading.Event)


def _jsonable(value: Any) -> Any:
    """A Cypher value as JSON data (unknown types as their text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class GraphService:
    """The graph behind the server: answers, explores, ingests, deletes (see the module docstring).

    ``embedder`` (optional) replaces the sentence-transformers model the answerers and ingest jobs
    would load; one is loaded at :meth:`warm_up` otherwise and shared by both.
    """

    def __init__(self, hg: HopGraph, *, settings: ServeSettings | None = None, embedder: Any = None) -> None:
        self.hg = hg
        self.settings = settings or hg.settings.serve
        self.embedder = embedder
        self._reader = hg
        self._writer = HopGraph(hg.store, hg.settings, hg.folder)
        self._write_lock = threading.Lock()
        self._asks = threading.BoundedSemaphore(max(1, self.settings.ask_concurrency))
        self._running = _Running()
        self._stop = threading.Event()
        self._closed = False
        self.started = time.time()
        self.warm_ms = 0.0

    # -- life cycle -----------------------------------------------------------------------------
    @property
    def state_path(self) -> Path | None:
        from hopgraph.extract.jobs.state import STATE_FILE_NAME

        return self.hg.folder / STATE_FILE_NAME if self.hg.folder is not None else None

    def _embedder(self) -> Any:
        if self.embedder is None:
            from hopgraph.embed import SentenceTransformerEmbedder

            self.embedder = SentenceTransformerEmbedder.from_settings(self.hg.settings.embed)
        return self.embedder

    def warm_up(self) -> float:
        """Load the embedder, the graph index and the models by answering one question; returns
        the milliseconds it took. An empty graph has nothing to load (its error is logged)."""
        started = time.perf_counter()
        self._warm(self._reader)
        self.warm_ms = (time.perf_counter() - started) * 1000.0
        return self.warm_ms

    def _warm(self, reader: HopGraph) -> None:
        embedder = self._embedder()
        embedder.embed(["warm-up"])  # loads the model even when the graph is empty
        try:
            reader.ask(WARM_QUESTION, embedder=embedder)
        except HopGraphError as exc:
            log.info("warm-up: %s", exc)

    def close(self) -> None:
        """Stop a running ingest job between batches, wait for it, close the store (the embedded
        server saves on stop). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        thread = self._running.thread
        if thread is not None and thread.is_alive():
            log.info("stopping ingest job %s between batches ...", self._running.job_id)
            thread.join(timeout=120)
        self.hg.close()

    # -- asking ---------------------------------------------------------------------------------
    def check_llm(self, llm: str | None) -> str | None:
        """A client may name the configured LLM (or none); any other spec is refused, so a client
        cannot make the server call a URL or load a model of its choosing."""
        if llm is None or llm == self.hg.settings.llm.spec:
            return llm
        configured = self.hg.settings.llm.spec or "none (answers are extractive)"
        raise ConfigError(f"llm {llm!r} is not served here; this server's LLM: {configured}")

    def ask(
        self,
        question: str,
        *,
        method: str = "full",
        k: int | None = None,
        llm: str | None = None,
        extractive: bool = False,
    ) -> Answer:
        from hopgraph.reason.doc.options import METHODS

        if method not in METHODS:
            raise QuestionError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
        llm = self.check_llm(llm)
        with self._asks:
            reader = self._reader
            return reader.ask(
                question, method=method, k=k, llm=llm, extractive=extractive, embedder=self._embedder()
            )

    def answer_dict(self, answer: Answer, explain: bool = False) -> dict[str, Any]:
        """``answer`` as the ``hopgraph.answer/1`` document ``hopgraph ask --json`` prints."""
        return answer_to_dict(answer, explain, titles=self.titles(answer))

    def titles(self, answer: Answer) -> dict[str, str]:
        ids = {c.doc_id for c in answer.chunks}
        ids.update(d for p in answer.paths for h in p.hops for d in h.doc_ids)
        return {d.id: d.title for d in self.hg.store.get_documents(sorted(ids)) if d.title}

    # -- exploring ------------------------------------------------------------------------------
    def cypher(self, query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A client's query, read-only (the database refuses writes), time-limited where the store
        can limit one query, at most ``cypher_max_rows`` rows."""
        if not query.strip():
            raise QuestionError(
                "the query is empty: send a Cypher query such as MATCH (e:Entity) RETURN e.name"
            )
        for name in params or {}:
            if not PARAM_NAME.match(name):
                raise QuestionError(
                    f"parameter name {name!r} is not a Cypher name: use letters, digits and _, "
                    "not starting with a digit"
                )
        try:
            if _CYPHER_TIMEOUT:
                rows = self.hg.cypher(query, params, timeout_s=self.settings.cypher_timeout_s)  # type: ignore[call-arg,unused-ignore]
            else:
                rows = self.hg.cypher(query, params)
        except (ValueError, TypeError) as exc:  # a parameter value the store cannot send
            if isinstance(exc, HopGraphError):
                raise
            raise QuestionError(f"the query's parameters cannot be sent to the database: {exc}") from None
        cap = self.settings.cypher_max_rows
        return {
            "columns": list(rows[0]) if rows else [],
            "rows": [_jsonable(r) for r in rows[:cap]],
            "truncated": len(rows) > cap,
            "row_cap": cap,
        }

    def stats(self) -> dict[str, Any]:
        s = self.hg.stats()
        return {
            "documents": s.documents,
            "chunks": s.chunks,
            "entities": s.entities,
            "relations": s.relations,
            "relation_types": dict(s.relation_types),
        }

    def schema(self) -> dict[str, Any]:
        """Labels with counts, relationship types with counts, and the properties each carries:
        what an agent needs to write Cypher over this graph."""
        s = self.hg.stats()
        return {
            "labels": {"Document": s.documents, "Chunk": s.chunks, "Entity": s.entities},
            "relationship_types": dict(s.relation_types),
            "structural_relationships": {
                "HAS_CHUNK": "(:Document)-[:HAS_CHUNK]->(:Chunk)",
                "MENTIONS": "(:Chunk)-[:MENTIONS]->(:Entity)",
            },
            "properties": SCHEMA_PROPERTIES,
            "notes": "Relations between entities are (:Entity)-[:TYPE {predicate, chunk_ids, doc_ids, "
            "confidence}]->(:Entity); TYPE is the predicate in UPPER_SNAKE, its wording in `predicate`. "
            "Pass values as $parameters.",
        }

    def search_entities(self, q: str, limit: int = 10) -> list[dict[str, Any]]:
        if not q.strip():
            raise QuestionError("the search text is empty: give q=NAME")
        hits = self.hg.store.fulltext_search("Entity", q, k=limit)
        entities = {e.id: e for e in self.hg.store.get_entities(h.id for h in hits)}
        return [
            {
                "id": h.id,
                "name": entities[h.id].name,
                "type": entities[h.id].type,
                "aliases": list(entities[h.id].aliases),
                "score": h.score,
            }
            for h in hits
            if h.id in entities
        ]

    def neighbourhood(self, entity_id: str, hops: int = 1, max_nodes: int = 100) -> dict[str, Any]:
        if not 1 <= hops <= MAX_HOPS:
            raise QuestionError(f"hops must be 1 to {MAX_HOPS}, got {hops}")
        if not 1 <= max_nodes <= MAX_NEIGHBOURHOOD_NODES:
            raise QuestionError(f"max_nodes must be 1 to {MAX_NEIGHBOURHOOD_NODES}, got {max_nodes}")
        if not self.hg.store.get_entities([entity_id]):
            raise NotFoundError(f"no entity with id {entity_id!r}: find ids with GET /v1/entities?q=NAME")
        sub = self.hg.store.subgraph(
            [entity_id], hops=hops, max_nodes=max_nodes, max_edges=min(4 * max_nodes, MAX_NEIGHBOURHOOD_EDGES)
        )
        return {
            "center": entity_id,
            "hops": hops,
            "entities": [{"id": e.id, "name": e.name, "type": e.type} for e in sub.entities],
            "relations": [
                {
                    "source": r.source,
                    "target": r.target,
                    "type": r.type,
                    "predicate": r.predicate,
                    "chunk_ids": list(r.chunk_ids),
                    "doc_ids": list(r.doc_ids),
                }
                for r in sub.relations
            ],
            "truncated": sub.truncated,
        }

    def passage(self, chunk_id: str) -> dict[str, Any]:
        chunks = self.hg.store.get_chunks([chunk_id])
        if not chunks:
            raise NotFoundError(f"no passage (chunk) with id {chunk_id!r}")
        chunk = chunks[0]
        docs = self.hg.store.get_documents([chunk.doc_id])
        return {
            "id": chunk.id,
            "doc_id": chunk.doc_id,
            "title": docs[0].title if docs else "",
            "source": docs[0].source if docs else "",
            "ord": chunk.ord,
            "text": chunk.text,
        }

    # -- writing --------------------------------------------------------------------------------
    def _swap_reader(self) -> None:
        """After a write: a fresh reader, warmed, then swapped in (asks never wait for it)."""
        reader = HopGraph(self.hg.store, self.hg.settings, self.hg.folder)
        if not self._stop.is_set():
            self._warm(reader)
        self._reader = reader

    def delete_document(self, doc_id: str) -> dict[str, Any]:
        if self._stop.is_set():
            raise ShuttingDownError("the server is stopping; send the delete again once it is back")
        if not self._write_lock.acquire(timeout=5.0):
            raise BusyError(self._busy_message())
        try:
            # an id or source naming no document raises DocumentNotFoundError (a 404)
            counts = self._writer.delete_document(doc_id)
            removed = {k: int(v) for k, v in vars_of(counts).items()}
            self._swap_reader()
            return {"id": doc_id, "deleted": removed}
        finally:
            self._write_lock.release()

    def _busy_message(self) -> str:
        job = self._running.job_id
        return (
            f"a write is running (ingest job {job}); writes run one at a time: retry when "
            f"GET /v1/jobs/{job} shows it finished"
            if job is not None
            else "a write is running; writes run one at a time: retry in a moment"
        )

    def upload(self, documents: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
        """Write posted documents as one-record JSON corpus files; returns their ids and sources."""
        if self.hg.folder is None:
            raise ConfigError("this server has no graph folder to keep uploaded texts and job state in")
        folder = self.hg.folder / UPLOADS
        folder.mkdir(exist_ok=True)
        out: list[dict[str, str]] = []
        seen: set[str] = set()
        for i, doc in enumerate(documents):
            text = str(doc.get("text") or "")
            if not text.strip():
                raise QuestionError(f"document {i} has empty text")
            key = str(doc.get("id") or "").strip() or "sha256-" + hashlib.sha256(text.encode()).hexdigest()
            if key in seen:
                raise QuestionError(f"document id {key!r} is posted twice")
            seen.add(key)
            path = (folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".jsonl")).resolve()
            record = {"id": key, "title": str(doc.get("title") or ""), "text": text}
            write_atomic(path, json.dumps(record, ensure_ascii=False) + "\n")
            source = f"{path}#{key}"
            out.append({"id": document_id(source), "key": key, "title": record["title"], "source": str(path)})
        return out

    def upload_files(self, files: Sequence[tuple[str, BinaryIO]]) -> list[dict[str, str]]:
        """Keep uploaded files (``(file name, binary stream)``) under ``DIR/uploads/files/`` by
        their file name (uploading a name again replaces that file and its documents); returns
        the documents they hold (a ``.json``/``.jsonl`` corpus holds one per record).

        The rules of folder ingest: only the document suffixes (``SUPPORTED_SUFFIXES``) are
        taken. Every file is read before any is kept: a file of another suffix, an empty one,
        or one the loader cannot read refuses the whole upload, and nothing is stored."""
        from hopgraph.extract.load.files import SUPPORTED_SUFFIXES, LoadProblem, load_file

        if self.hg.folder is None:
            raise ConfigError("this server has no graph folder to keep uploaded files and job state in")
        if not files:
            raise QuestionError("no file was uploaded: send the documents as form field 'files'")
        names: list[str] = []
        for i, (raw_name, stream) in enumerate(files):
            name = _file_name(raw_name)
            if not name:
                raise QuestionError(f"uploaded file {i} has no usable file name ({raw_name!r})")
            suffix = Path(name).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                what = f"the suffix {suffix}" if suffix else "no suffix"
                raise UnsupportedUploadError(
                    f"uploaded file {name!r}: {what} is not a document type "
                    f"({', '.join(sorted(SUPPORTED_SUFFIXES))}); nothing was stored"
                )
            if name in names:
                raise QuestionError(f"file name {name!r} is uploaded twice")
            stream.seek(0, os.SEEK_END)
            if stream.tell() == 0:
                raise QuestionError(f"uploaded file {name!r} is empty; nothing was stored")
            stream.seek(0)
            names.append(name)
        final_dir = self.hg.folder / UPLOADS / UPLOADED_FILES
        staging = self.hg.folder / UPLOADS / STAGING
        final_dir.mkdir(parents=True, exist_ok=True)
        staging.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[Path, Path]] = []
        out: list[dict[str, str]] = []
        try:
            for name, (_, stream) in zip(names, files, strict=True):
                temp = (staging / name).resolve()
                with open(temp, "wb") as handle:
                    shutil.copyfileobj(stream, handle)
                final = (final_dir / name).resolve()
                staged.append((temp, final))
                for item in load_file(temp):
                    if isinstance(item, LoadProblem):
                        if item.severity != "warning":  # a record or file folder ingest would skip
                            where = name + item.path[len(str(temp)) :]
                            raise QuestionError(f"uploaded file {where!r}: {item.reason}; nothing was stored")
                        continue
                    source = str(final) + item.source[len(str(temp)) :]
                    out.append(
                        {"id": document_id(source), "key": name, "title": item.title, "source": str(final)}
                    )
            if not out:
                raise QuestionError("the uploaded files hold no document; nothing was stored")
            for temp, final in staged:
                os.replace(temp, final)
        finally:
            for temp, _ in staged:
                temp.unlink(missing_ok=True)
        return out

    def start_upload(self, files: Sequence[tuple[str, BinaryIO]], *, wait_s: float = 60.0) -> dict[str, Any]:
        """Keep uploaded files (:meth:`upload_files`) and start a background ingest job of them,
        as :meth:`start_ingest` does for posted texts."""
        uploaded = self._stage_locked("upload the files again", lambda: self.upload_files(files))
        sources = list(dict.fromkeys(u["source"] for u in uploaded))
        return self._start_job(sources, uploaded, wait_s)

    def start_ingest(self, documents: Sequence[dict[str, Any]], *, wait_s: float = 60.0) -> dict[str, Any]:
        """Start a background ingest job of ``documents`` ({id?, title?, text}); returns its job id
        (from the job state file, as ``hopgraph jobs`` shows it) once the job is recorded.

        The write lock is taken here and handed to the job's thread, which releases it when done."""
        uploaded = self._stage_locked("post the documents again", lambda: self.upload(documents))
        return self._start_job([u["source"] for u in uploaded], uploaded, wait_s)

    def _stage_locked(self, again: str, stage: Callable[[], list[dict[str, str]]]) -> list[dict[str, str]]:
        """Take the write lock for a job (its thread releases it when done) and run ``stage``,
        which keeps the job's documents; the lock is released if ``stage`` fails. Refused while
        the server stops (``again``: what the client should do once it is back) or another write
        runs."""
        if self._stop.is_set():
            raise ShuttingDownError(f"the server is stopping; {again} once it is back")
        if not self._write_lock.acquire(blocking=False):
            raise BusyError(self._busy_message())
        try:
            return stage()
        except BaseException:
            self._write_lock.release()
            raise

    def _start_job(self, sources: list[str], uploaded: list[dict[str, str]], wait_s: float) -> dict[str, Any]:
        state_path = self.state_path
        assert state_path is not None  # upload() checked the folder
        before = self._last_job_id(state_path)
        running = self._running = _Running(progress=_Cancel(self._stop))
        thread = threading.Thread(
            target=self._run_job, args=(sources, running), name="hopgraph-ingest", daemon=True
        )
        running.thread = thread
        try:
            thread.start()
        except BaseException:
            self._write_lock.release()
            raise
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            job_id = self._last_job_id(state_path)
            if job_id > before:
                running.job_id = job_id
                return {"job_id": job_id, "status": "running", "documents": uploaded}
            if not thread.is_alive():
                break
            time.sleep(0.02)
        thread.join(timeout=0.1)
        raise HopGraphError(f"the ingest job did not start: {running.error or 'no job was recorded'}")

    @staticmethod
    def _last_job_id(state_path: Path) -> int:
        if not state_path.is_file():
            return 0
        jobs = HopGraph.jobs(state_path)
        return jobs[-1].id if jobs else 0

    def _run_job(self, sources: list[str], running: _Running) -> None:
        try:
            self._writer.ingest(sources, progress=running.progress, embedder=self._embedder())  # type: ignore[arg-type]
        except KeyboardInterrupt:
            log.info("ingest job %s interrupted; its pending chunks resume on the next run", running.job_id)
        except HopGraphError as exc:
            running.error = str(exc)
            log.warning("ingest job %s failed: %s", running.job_id, exc)
        except Exception as exc:  # the job records its own error; keep the thread's end quiet
            running.error = f"{type(exc).__name__}: {exc}"
            log.exception("ingest job %s failed", running.job_id)
        finally:
            try:
                if not self._stop.is_set():
                    self._swap_reader()
            except Exception:
                log.exception("reloading the answerers after ingest job %s", running.job_id)
            finally:
                self._write_lock.release()

    def resume_interrupted(self) -> int | None:
        """Restart the newest ingest job this server started (sources under ``DIR/uploads``) if it
        was interrupted (SIGTERM, ``kill -9``); returns the new job's id, or None."""
        state_path = self.state_path
        if state_path is None or not state_path.is_file() or self.hg.folder is None:
            return None
        uploads = str((self.hg.folder / UPLOADS).resolve())
        jobs = HopGraph.jobs(state_path)
        if not jobs:
            return None
        last = jobs[-1]
        sources = [str(s) for s in last.args.get("sources", [])]
        if last.live_status not in {"interrupted"} or not sources:
            return None
        if not all(s.startswith(uploads + os.sep) and Path(s).is_file() for s in sources):
            return None
        if not self._write_lock.acquire(blocking=False):
            return None
        started = self._start_job(sources, [], wait_s=60.0)
        log.warning("resumed interrupted ingest job %s as job %s", last.id, started["job_id"])
        return int(started["job_id"])

    # -- jobs -----------------------------------------------------------------------------------
    def job(self, job_id: int) -> dict[str, Any]:
        state_path = self.state_path
        if state_path is None or not state_path.is_file():
            raise NotFoundError(f"no job {job_id}: no ingest job has run on this graph yet")
        try:
            report = HopGraph.job(state_path, job_id)
        except HopGraphError as exc:
            raise NotFoundError(str(exc)) from None
        row = report.job
        status = row.live_status
        running = self._running
        if running.job_id == job_id and running.thread is not None:
            # running until its thread ends: after the job, the answerers are reloaded, and the
            # next write can start only then
            alive = running.thread.is_alive()
            if alive:
                status = "running"
            elif status == "running":
                status = "interrupted"
        total = sum(report.chunks.values())
        done = report.chunks.get("done", 0)
        failed = report.chunks.get("failed", 0)
        return {
            "id": row.id,
            "status": status,
            "started": row.started,
            "finished": row.finished,
            "sources": [str(s) for s in row.args.get("sources", [])],
            "chunks": dict(report.chunks),
            "progress": {
                "done": done,
                "failed": failed,
                "total": total,
                "fraction": round((done + failed) / total, 4) if total else (1.0 if row.finished else 0.0),
                "line": running.progress.line if running.job_id == job_id and running.progress else "",
            },
            "summary": _jsonable(row.counters),
            "problems": [{"path": p, "reason": r} for p, r in report.problems],
            "failures": [
                {"chunk_id": f.chunk_id, "doc_id": f.doc_id, "error": f.error} for f in report.failures
            ],
        }

    def jobs(self) -> list[dict[str, Any]]:
        state_path = self.state_path
        if state_path is None or not state_path.is_file():
            return []
        return [
            {"id": j.id, "status": j.live_status, "started": j.started, "finished": j.finished}
            for j in HopGraph.jobs(state_path)
        ]

    def job_events(self, job_id: int, every_s: float = 0.5) -> Iterator[dict[str, Any]]:
        """The job's state now, then every ``every_s`` while it runs, ending with its final state."""
        last: dict[str, Any] | None = None
        while True:
            state = self.job(job_id)
            if state != last:
                yield state
                last = state
            if state["status"] != "running" or self._stop.is_set():
                return
            time.sleep(every_s)


def _file_name(raw: str) -> str:
    """An uploaded file's name, safe as a file name in one folder: its last path part, with
    characters other than letters, digits, space and ``._-()+,`` made ``_``; "" when nothing
    usable is left (no name, a hidden file, a name over 200 characters)."""
    name = re.sub(r"[^\w .\-()+,]", "_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name or name.startswith(".") or len(name) > MAX_FILE_NAME:
        return ""
    return name


def vars_of(counts: Any) -> dict[str, Any]:
    """A counts dataclass (or mapping) as a dict of its numeric fields."""
    import dataclasses

    if dataclasses.is_dataclass(counts) and not isinstance(counts, type):
        return {k: v for k, v in dataclasses.asdict(counts).items() if isinstance(v, int)}
    return {k: v for k, v in dict(counts).items() if isinstance(v, int)}


__all__ = ["BusyError", "GraphService", "NotFoundError", "ShuttingDownError", "UnsupportedUploadError"]
