"""Resumable batch extraction: documents -> chunks -> triples -> resolved -> stored, exactly once.

A job runs in two passes over its input:

1. **scan**: each loaded document is compared with the job state (``job_state``). Unchanged and
   fully done: skipped without chunking. Changed (new ``sha256`` or new chunking settings): its
   old contribution is removed (``store.delete_document``) and its old chunk rows forgotten.
   Otherwise it is chunked, its chunks are registered (new ones ``pending``; known ones keep their
   state), and the document and its chunks still to do are written to the store, in batches.
2. **extract**: the chunks to do are extracted (LLM: ``aextract`` with ``concurrency`` calls in
   flight; offline: ``extract_many``, batched), and every ``batch_size`` results are committed:
   triples resolved (``EntityResolver``), written (``upsert_triples``), and only *then* the
   chunks are marked ``done`` (or ``failed`` with their error) in one state transaction.

A crash between the store's acknowledgement and the state commit re-extracts those chunks on the
next run; store writes are content-hash ``MERGE`` s with set-like provenance, so writing them again
adds nothing. Done chunks are never extracted again, failed ones only with ``retry_failed``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from hopgraph.errors import ConfigError, DiskFullError, LLMAuthError
from hopgraph.extract.extractors.base import AsyncExtractor, Extraction
from hopgraph.extract.jobs.journal import (
    JournalMismatch,
    RecordingEmbedder,
    RecordingStore,
    ReplayEmbedder,
    ReplayStore,
    decode_batch,
    encode_batch,
)
from hopgraph.extract.jobs.options import DEFAULT_BATCH_SIZE
from hopgraph.extract.jobs.progress import JobProgress, JobSummary, format_cost
from hopgraph.extract.jobs.state import ChunkResult, DocumentRow, JobState
from hopgraph.extract.resolution.resolver import EntityResolver
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk, Document, Entity, Triple
from hopgraph.util.batching import batched

log = logging.getLogger(__name__)

SCAN_BATCH_SIZE = 1000
"""Chunks per store write while scanning documents."""


class ChunkerLike(Protocol):
    def chunk(self, document: Document) -> list[Chunk]: ...


class ResolverLike(Protocol):
    def resolve(self, triples: Sequence[Triple]) -> Any: ...


_PLURAL = {"Chunk": "chunks", "Entity": "entities"}

Sink = Callable[[list[Extraction], dict[str, Chunk]], None]
"""Where extraction results go, a batch at a time (with the chunks by id)."""


FATAL_ERRORS: tuple[type[BaseException], ...] = (ConfigError, LLMAuthError)
"""Errors of one chunk that would hit every chunk (configuration, a rejected API key): they stop the
job and its chunks stay pending for the next run."""


class IngestJob:
    """One run of a batch extraction job over ``store``, recorded in ``state``.

    Components are injected: ``extractor`` (``aextract`` for concurrent LLM calls, else
    ``extract_many``, else ``extract``; or a zero-argument factory of one, called only when
    there are chunks to extract), ``chunker``, an optional ``resolver``, an optional
    ``embed(store, progress=...) -> int`` run at the end (it calls ``progress(label, done)`` as it
    goes), and an optional ``progress``.
    """

    def __init__(
        self,
        store: GraphStore,
        state: JobState,
        *,
        extractor: Any,
        chunker: ChunkerLike,
        chunking: str = "",
        resolver: ResolverLike | None = None,
        embed: Callable[..., int] | None = None,
        progress: JobProgress | None = None,
        concurrency: int = 1,
        batch_size: int = DEFAULT_BATCH_SIZE,
        retry_failed: bool = False,
        price_per_1k: float | None = None,
        args: dict[str, Any] | None = None,
    ) -> None:
        if concurrency < 1 or batch_size < 1:
            raise ValueError(f"concurrency and batch_size must be >= 1, got {concurrency}, {batch_size}")
        self.store = store
        self.state = state
        self.extractor = extractor
        self.chunker = chunker
        self.chunking = chunking
        self.resolver = resolver
        self.embed = embed
        self.progress = progress or JobProgress(None)
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.retry_failed = retry_failed
        self.price_per_1k = price_per_1k
        self.args = dict(args or {})
        self.summary = JobSummary()
        self._entity_ids: set[str] = set()

    # -- driver ---------------------------------------------------------------------------------
    def run(self, items: Iterable[Any]) -> JobSummary:
        """Process ``items`` (Documents and loader problems with ``path``/``reason``)."""
        started = time.monotonic()
        job_id = self.state.start_job(self.args)
        self.summary = JobSummary(job_id=job_id)
        status = "failed"
        try:
            if self.state.document_count() and not self.store.stats().documents:
                log.warning("the graph is empty but the job state lists documents: starting afresh")
                self.state.forget_all()
            redone = self._resume()
            todo = self._scan(items)
            self.progress.begin(len(todo) + redone)
            todo = self._retry_in_place(todo)
            self._extract(todo)
            if self.embed is not None:
                self.progress.phase("embedding new chunks and entities ...")
                counts: dict[str, int] = {}

                def embedding(label: str, done: int) -> None:
                    counts[label] = done
                    parts = ", ".join(f"{n:,} {_PLURAL.get(k, k)}" for k, n in counts.items())
                    self.progress.phase_progress(f"embedded {parts}")

                embedded = self.embed(self.store, progress=embedding)
                self.summary.embedded += embedded
                self.progress.phase_done(f"embedded {embedded:,} chunks and entities")
            # a job whose every chunk failed stored nothing new: it failed, whatever it skipped
            s = self.summary
            status = "failed" if s.chunks_failed and not s.chunks_extracted else "done"
            if not self.state.status_counts().get("failed", 0):
                # complete: a later run starts afresh. With failed chunks the journal stays, so that
                # --retry-failed resolves them with everything this job's resolver had seen
                self.state.clear_batches()
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except Exception as exc:
            self.summary.error = f"{type(exc).__name__}: {exc}"
            if disk_full(exc):
                raise DiskFullError(
                    f"no space left on the device ({exc}); nothing committed is lost: free some space "
                    f"(the graph and its job state are in {self.state.path.parent}) and run the same "
                    "command again to resume"
                ) from exc
            raise
        finally:
            self.progress.close()
            self.summary.status = status
            self.summary.seconds = round(time.monotonic() - started, 3)
            self.summary.cost = format_cost(self.summary.tokens, self.price_per_1k)
            try:
                self.state.finish_job(job_id, status, self.summary.to_dict())
            except sqlite3.Error as exc:  # a full disk: the job shows as interrupted, nothing else is lost
                log.warning("could not record the end of job %s: %s", job_id, exc)
        return self.summary

    # -- pass 1: documents and chunks -----------------------------------------------------------
    def _problem(self, path: str, reason: str, severity: str = "error") -> None:
        self.summary.problems.append({"path": path, "reason": reason, "severity": severity})
        self.state.add_problem(self.summary.job_id, path, f"{severity}: {reason}")
        log.info("%s: %s", path, reason)

    def _scan(self, items: Iterable[Any]) -> list[Chunk]:
        todo: list[Chunk] = []
        docs: list[Document] = []
        chunks: list[Chunk] = []
        seen: set[str] = set()
        s = self.summary
        for item in items:
            if not isinstance(item, Document):
                self._problem(str(item.path), str(item.reason), str(getattr(item, "severity", "error")))
                continue
            if item.id in seen:
                self._problem(item.source, f"document id {item.id} was given twice; loaded once", "warning")
                continue
            seen.add(item.id)
            s.documents += 1
            self.progress.set_stage(f"loading documents: {s.documents:,}, {len(todo):,} chunks to extract")
            new = self._scan_document(item)
            if new:
                docs.append(item)
                chunks.extend(new)
                todo.extend(new)
            if len(chunks) >= SCAN_BATCH_SIZE:
                self._write_chunks(docs, chunks)
                docs, chunks = [], []
        self._write_chunks(docs, chunks)
        return todo

    def _write_chunks(self, docs: list[Document], chunks: list[Chunk]) -> None:
        if docs:
            self.store.upsert_documents(docs)
        if chunks:
            self.store.upsert_chunks(chunks)

    def _scan_document(self, doc: Document) -> list[Chunk]:
        """The chunks of ``doc`` still to extract (registered in the state, not yet in the store)."""
        s = self.summary
        sha = str(
            doc.metadata.get("sha256") or hashlib.sha256(doc.text.encode("utf-8", "replace")).hexdigest()
        )
        prev = self.state.document(doc.id)
        replace = prev is not None and (prev.sha256 != sha or prev.chunking != self.chunking)
        if prev is not None and not replace:
            counts = self.state.doc_status_counts(doc.id)
            retry = self.retry_failed and counts.get("failed", 0)
            if not counts.get("pending", 0) and not retry and sum(counts.values()) >= prev.chunks:
                s.documents_unchanged += 1
                s.chunks += prev.chunks
                s.chunks_skipped += counts.get("done", 0)
                s.chunks_failed_before += counts.get("failed", 0)
                return []
        if replace:
            log.info("document %s (%s) changed: replacing its contribution", doc.id, doc.source)
            self.store.delete_document(doc.id)
            s.documents_replaced += 1
        chunks = list({c.id: c for c in self.chunker.chunk(doc)}.values())
        if not chunks:
            self._problem(doc.source, "no text to extract")
            return []
        row = DocumentRow(doc.id, doc.source, sha, self.chunking, s.job_id, len(chunks))
        self.state.register_document(s.job_id, row, [c.id for c in chunks], replace=replace)
        statuses = self.state.statuses([c.id for c in chunks])
        todo = []
        s.chunks += len(chunks)
        for c in chunks:
            status = statuses.get(c.id, "pending")
            if status == "pending" or (status == "failed" and self.retry_failed):
                todo.append(c)
            elif status == "done":
                s.chunks_skipped += 1
            else:
                s.chunks_failed_before += 1
        return todo

    # -- pass 2: extraction ---------------------------------------------------------------------
    def _extract(self, todo: list[Chunk], sink: Sink | None = None) -> None:
        """Extract ``todo`` and pass the results, in chunk order and ``batch_size`` at a time, to
        ``sink`` (default: commit them)."""
        if not todo:
            return
        if callable(self.extractor) and not hasattr(self.extractor, "extract"):
            self.extractor = self.extractor()  # a factory: build (load models) only when needed
        commit = sink or self._commit
        by_id = {c.id: c for c in todo}
        if isinstance(self.extractor, AsyncExtractor):
            asyncio.run(self._extract_async(todo, by_id, commit))
            return
        if hasattr(self.extractor, "extract_many"):
            results: Iterable[Extraction] = self._guarded_many(todo)
        else:
            results = (self._guarded_one(c) for c in todo)
        buffer: list[Extraction] = []
        for result in results:
            buffer.append(result)
            if len(buffer) >= self.batch_size:
                commit(buffer, by_id)
                buffer = []
        commit(buffer, by_id)

    def _guarded_one(self, chunk: Chunk) -> Extraction:
        try:
            result: Extraction = self.extractor.extract(chunk)
        except FATAL_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad chunk must not stop the batch
            return Extraction.failed(chunk.id, exc)
        return result

    def _guarded_many(self, todo: list[Chunk]) -> Iterator[Extraction]:
        """``extract_many`` in windows; a window that raises is redone chunk by chunk."""
        for window in batched(todo, self.batch_size * 16):
            done = 0
            try:
                for result in self.extractor.extract_many(window):
                    done += 1
                    yield result
            except FATAL_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad chunk must not stop the batch
                log.warning("batched extraction failed (%s); extracting chunk by chunk", exc)
                for chunk in window[done:]:
                    yield self._guarded_one(chunk)

    async def _extract_async(self, todo: list[Chunk], by_id: dict[str, Chunk], commit: Sink) -> None:
        """``concurrency`` calls in flight; results are committed in chunk order, ``batch_size`` at a
        time, whatever order they complete in (resolution depends on order: a resumed or a rerun job
        must resolve exactly as an uninterrupted one)."""

        async def one(chunk: Chunk) -> Extraction:
            try:
                result: Extraction = await self.extractor.aextract(chunk)
            except FATAL_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad chunk must not stop the batch
                return Extraction.failed(chunk.id, exc)
            return result

        pending = iter(enumerate(todo))
        in_flight: dict[asyncio.Task[Extraction], int] = {}
        ready: dict[int, Extraction] = {}  # completed out of order, waiting for an earlier chunk
        backlog = 4 * self.batch_size + self.concurrency
        next_index = 0
        buffer: list[Extraction] = []
        try:
            while True:
                while len(in_flight) < self.concurrency and len(ready) < backlog:
                    item = next(pending, None)
                    if item is None:
                        break
                    in_flight[asyncio.ensure_future(one(item[1]))] = item[0]
                if not in_flight:
                    break
                done, _ = await asyncio.wait(set(in_flight), return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    ready[in_flight.pop(task)] = task.result()
                while next_index in ready:
                    buffer.append(ready.pop(next_index))
                    next_index += 1
                while len(buffer) >= self.batch_size:
                    commit(buffer[: self.batch_size], by_id)
                    buffer = buffer[self.batch_size :]
            commit(buffer, by_id)
        finally:
            for task in in_flight:
                task.cancel()

    # -- commit: journal, store, then state -----------------------------------------------------
    def _commit(self, results: list[Extraction], by_id: dict[str, Chunk]) -> None:
        if not results:
            return
        docs = {r.chunk_id: by_id[r.chunk_id].doc_id for r in results if r.chunk_id in by_id}
        self._commit_batch([_with_provenance(r, docs.get(r.chunk_id, "")) for r in results], docs)

    def _journaled(self) -> bool:
        """Whether the resolver's state can be journalled: an :class:`EntityResolver` (its outside
        answers come through its ``store`` and ``embedder``, which the journal records and replays,
        and :meth:`EntityResolver.reset` lets :meth:`_rederive` start it afresh)."""
        return isinstance(self.resolver, EntityResolver)

    def _resolve(self, triples: list[Triple], calls: list[list[Any]] | None) -> tuple[Any, list[list[Any]]]:
        """Resolve ``triples``, recording the resolver's outside answers (``calls`` None) or replaying
        them (``calls`` from the journal)."""
        resolver: Any = self.resolver
        if not self._journaled():
            return resolver.resolve(triples), []
        store, embedder = resolver.store, resolver.embedder
        replay: ReplayStore | None = None
        if calls is None:
            calls = []
            resolver.store = RecordingStore(store, calls) if store is not None else None
            resolver.embedder = RecordingEmbedder(embedder, calls) if embedder is not None else None
        else:
            replay = ReplayStore(calls)
            resolver.store = replay if store is not None else None
            resolver.embedder = ReplayEmbedder(replay) if embedder is not None else None
        try:
            resolution = resolver.resolve(triples)
        finally:
            resolver.store, resolver.embedder = store, embedder
        if replay is not None and replay.left():
            raise JournalMismatch(f"the resolver left {replay.left()} journalled answer(s) unasked")
        return resolution, calls

    def _resume(self) -> int:
        """Replay the journal of an interrupted run: the resolver gets the state that run left, and a
        batch cut off between its journal entry and its state commit is written again. Returns how
        many chunks were written again."""
        entries = self.state.batches()
        if not entries:
            self.state.end_rederive()
            return 0
        if not self._journaled():
            self.state.clear_batches()  # resolution is off now: the pending chunks are simply redone
            return 0
        if self.state.rederive_docs():
            return self._rederive(set())
        redone = 0
        log.info("resuming: replaying %d journalled batch(es) of entity resolution", len(entries))
        self.progress.set_stage(f"resuming: replaying {len(entries):,} resolved batches ...")
        for seq, status, blob in entries:
            results, docs, calls = decode_batch(blob)
            if status == "committed":
                triples = [t for r in results if r.ok for t in r.triples]
                if triples:
                    self._resolve(triples, calls)
                continue
            self._commit_batch(results, docs, seq=seq, calls=calls)
            redone += len(results)
        return redone

    # -- --retry-failed: the retried chunks in their place ----------------------------------------
    def _retry_in_place(self, todo: list[Chunk]) -> list[Chunk]:
        """Extract the failed chunks being retried and put their results where the failed ones are in
        the journal, then write the journal's documents again in chunk order (:meth:`_rederive`), so
        that they resolve exactly as in a run where they never failed. Returns the rest of ``todo``.

        Only with the journal's resolver (entity resolution depends on order; without it the retried
        chunks are simply committed), and only for chunks the journal holds as failed (a delete
        clears the journal: the job's other failed chunks are then resolved after the rest)."""
        if not self.retry_failed or not self._journaled():
            return todo
        decoded = [(seq, *decode_batch(blob)) for seq, _status, blob in self.state.batches()]
        failed = {r.chunk_id for _seq, results, _docs, _calls in decoded for r in results if not r.ok}
        retry = [c for c in todo if c.id in failed]
        if not retry:
            return todo
        new: dict[str, Extraction] = {}

        def collect(results: list[Extraction], by_id: dict[str, Chunk]) -> None:
            new.update((r.chunk_id, _with_provenance(r, by_id[r.chunk_id].doc_id)) for r in results)

        self._extract(retry, sink=collect)
        payloads = {
            seq: encode_batch([new.get(r.chunk_id, r) for r in results], docs, [])
            for seq, results, docs, _calls in decoded
            if any(r.chunk_id in new for r in results)
        }
        doc_ids = sorted({d for _seq, _results, docs, _calls in decoded for d in docs.values() if d})
        self.state.begin_rederive(payloads, doc_ids)
        self._rederive(set(new))
        return [c for c in todo if c.id not in failed]

    def _rederive(self, fresh: set[str]) -> int:
        """Write the journal's documents again: remove their extracted layer from the store, then
        resolve and write every journalled batch in order with a fresh resolver, as an uninterrupted
        run would have. A chunk's state is recorded when it changes (or it is in ``fresh``: just
        extracted again). Cut off part-way, the next run starts it again (:meth:`_resume`). Returns
        how many chunks it recorded."""
        docs = self.state.rederive_docs()
        entries = self.state.batches()
        log.info("retry in place: %d document(s) written again from %d batches", len(docs), len(entries))
        self.progress.set_stage(f"retrying in place: writing {len(docs):,} documents again in order ...")
        for doc_id in docs:
            self.store.delete_extraction(doc_id)
        resolver: Any = self.resolver
        resolver.reset()
        decoded = [(seq, *decode_batch(blob)) for seq, _status, blob in entries]
        known = self.state.statuses([r.chunk_id for _seq, results, _docs, _calls in decoded for r in results])
        recorded = 0
        for seq, results, batch_docs, _calls in decoded:
            results = [r for r in results if r.chunk_id in known]  # (a chunk forgotten since: dropped)
            changed = {
                r.chunk_id
                for r in results
                if r.chunk_id in fresh or known[r.chunk_id] != ("done" if r.ok else "failed")
            }
            self._commit_batch(results, batch_docs, seq=seq, record=changed)
            recorded += len(changed)
        self.state.end_rederive()
        return recorded

    def _commit_batch(
        self,
        results: list[Extraction],
        docs: dict[str, str],
        *,
        seq: int | None = None,
        calls: list[list[Any]] | None = None,
        record: set[str] | None = None,
    ) -> None:
        """Resolve, journal (``seq`` None: a new batch), write to the store, then mark the chunks.

        ``seq`` with ``calls``: a journalled batch replayed with its recorded answers; ``seq`` without
        them: resolved afresh and its journal entry rewritten. ``record``: only these chunks' states
        (and counts) change (None: all)."""
        triples = [t for r in results if r.ok for t in r.triples]
        fresh_calls = seq is not None and calls is None
        found = [(r.chunk_id, e) for r in results if r.ok for e in r.entities]
        entities: list[Entity] = []
        if self.resolver is not None and triples:
            self.progress.set_activity(f"resolving the entities of {len(results):,} chunks")
            resolution, calls = self._resolve(triples, calls)
            triples = list(resolution.triples)
            self.summary.merges += len(resolution.merges)
            entities.extend(getattr(resolution, "entities", ()))
        if seq is None and self._journaled():
            seq = self.state.begin_batch(self.summary.job_id, encode_batch(results, docs, calls or []))
        elif seq is not None and fresh_calls:
            self.state.rewrite_batch(seq, encode_batch(results, docs, calls or []))
        canonical = getattr(self.resolver, "canonical", None)
        mentions: set[tuple[str, str]] = set()
        for chunk_id, e in found:
            name = canonical(e.name, docs.get(chunk_id, "")) if canonical is not None else e.name
            if name != e.name:
                e = Entity(name=name, type=e.type)
            entities.append(e)
            mentions.add((chunk_id, e.id))
        self.progress.set_activity(f"writing {len(triples):,} triples to the graph")
        if triples:
            self.store.upsert_triples(triples)
        if entities:
            self.store.upsert_entities(entities)
            # the resolver's name vectors are written with the entities
            self.summary.embedded += sum(1 for e in entities if e.embedding is not None)
            if mentions:
                self.store.add_mentions(mentions)
        self._entity_ids.update(i for t in triples for i in (t.subject_id, t.object_id))
        self._entity_ids.update(e.id for e in entities)
        per_chunk: dict[str, int] = {}
        for t in triples:
            per_chunk[t.chunk_id] = per_chunk.get(t.chunk_id, 0) + 1
        if record is not None:
            results = [r for r in results if r.chunk_id in record]
            triples = [t for t in triples if t.chunk_id in record]
        records = [
            ChunkResult(r.chunk_id, r.error, r.usage.total_tokens, per_chunk.get(r.chunk_id, 0))
            for r in results
        ]
        self.state.record(self.summary.job_id, records, batch=seq)  # only after the store acknowledged
        ok = sum(1 for r in results if r.ok)
        tokens = sum(r.usage.total_tokens for r in results)
        s = self.summary
        s.chunks_extracted += ok
        s.chunks_failed += len(results) - ok
        s.triples += len(triples)
        s.tokens += tokens
        s.entities = len(self._entity_ids)
        self.progress.activity = ""
        self.progress.advance(done=ok, failed=len(results) - ok, tokens=tokens, triples=len(triples))
        self.state.update_counters(s.job_id, s.to_dict())


_DISK_FULL = ("database or disk is full", "no space left on device", "misconf", "errors writing to the aof")


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) says a disk is full: the OS, SQLite or the FalkorDB server."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        if any(marker in str(exc).lower() for marker in _DISK_FULL):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _with_provenance(result: Extraction, doc_id: str) -> Extraction:
    """``result`` with every triple naming its chunk (and the chunk's document)."""
    if not result.ok:
        return result
    triples = tuple(
        t
        if t.chunk_id == result.chunk_id and (not doc_id or t.doc_id == doc_id)
        else dataclasses.replace(t, chunk_id=result.chunk_id, doc_id=doc_id or t.doc_id)
        for t in result.triples
    )
    return dataclasses.replace(result, triples=triples)


__all__ = ["DEFAULT_BATCH_SIZE", "FATAL_ERRORS", "SCAN_BATCH_SIZE", "IngestJob", "JobSummary"]
