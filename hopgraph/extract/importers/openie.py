"""Import of HippoRAG OpenIE output: a passage corpus plus the triples an LLM extracted from it.

Inputs (HippoRAG's formats):

- the corpus, a JSON list of ``{"title", "text"}`` records (read with
  :func:`hopgraph.extract.load.files.load_file`, so each passage becomes the same Document, with the
  same ``source`` ``"<corpus path>#<index>"`` and id, as ``hopgraph ingest corpus.json`` makes);
- the OpenIE file, ``{"docs": [{"title", "text", "passage", "extracted_entities",
  "extracted_triples": [[subject, relation, object], ...]}, ...]}``.

Each passage becomes a Document and exactly one Chunk holding its text (HippoRAG treats passages
as units); each of its triples is stored with that chunk and document as provenance. OpenIE
records are matched to passages by ``(title, text)``, else by ``passage`` (``title\\ntext`` or the
bare text). A malformed triple (not three non-empty strings) is skipped and counted; a record
that matches no passage is skipped and counted; neither stops the import. Entity names go
through :class:`~hopgraph.extract.resolution.resolver.EntityResolver` before they are written, and, with
an embedder, chunks and entities get their embeddings (entity vectors are the ones resolution
computed, so nothing is embedded twice).

Passages go in rounds of ``batch_size``: resolve the round's names (embedding them), queue its
writes (documents, chunks, triples, entities with their name vectors) on a background
:class:`~hopgraph.extract.jobs.background.StoreWriter`, then embed the round's chunk texts, queueing
their vectors too. So the store's work (the vector index inserts above all) runs while the calling
thread embeds. The next round is resolved only once the entity writes of the one before are in
the store (the resolver looks entities up there), so the graph and merges are those of a serial
import (``background_writes=False``). A write that fails stops the writer and its exception is
raised by :func:`import_openie`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hopgraph.embed import Embedder
from hopgraph.errors import ImportFormatError
from hopgraph.extract.embed_graph import DEFAULT_BATCH_SIZE as EMBED_BATCH_SIZE
from hopgraph.extract.embed_graph import chunk_text, embed_graph, mark_chunks
from hopgraph.extract.jobs.background import StoreWriter
from hopgraph.extract.load.files import LoadProblem, load_file
from hopgraph.extract.resolution.resolver import EntityResolver, Merge
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk, Document, Triple
from hopgraph.util.batching import batched

DEFAULT_BATCH_SIZE = 1000
"""Passages resolved and written per round (bigger rounds: fewer statements per relation type)."""


@dataclass(frozen=True, slots=True)
class OpenIEImportReport:
    """What :func:`import_openie` did. ``timings`` holds seconds per phase."""

    corpus_path: str
    openie_path: str
    documents: int
    chunks: int
    triples: int
    """Triples written (before the store merges duplicates)."""
    malformed_triples: int
    unmatched_records: int
    """OpenIE records that matched no corpus passage (skipped)."""
    load_problems: tuple[str, ...] = ()
    merges: tuple[Merge, ...] = ()
    embedded_chunks: int = 0
    embedded_entities: int = 0
    """Entity name vectors written: the resolver's and those embedded after the import."""
    entities: int = 0
    """Distinct canonical entities the triples touched."""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    already_imported: int = 0
    """Passages skipped because an earlier import of the same triples file completed them."""


def _read_openie(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: OpenIE file does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{path}: not a JSON OpenIE file ({exc})") from None
    docs = data.get("docs") if isinstance(data, dict) else None
    if not isinstance(docs, list):
        raise ImportFormatError(
            f'{path}: expected HippoRAG OpenIE JSON, an object with a "docs" list of '
            '{"title", "text", "passage", "extracted_triples"} records'
        )
    return docs


def valid_triple(raw: Any) -> tuple[str, str, str] | None:
    """``(s, r, o)`` stripped, or None when ``raw`` is not three non-empty strings."""
    if not isinstance(raw, (list, tuple)) or len(raw) != 3:
        return None
    if not all(isinstance(x, str) and x.strip() for x in raw):
        return None
    return raw[0].strip(), raw[1].strip(), raw[2].strip()


class _PassageIndex:
    """Corpus documents by (title, text), by ``title\\ntext`` and by bare text."""

    def __init__(self, docs: list[Document]) -> None:
        self.by_pair: dict[tuple[str, str], Document] = {}
        self.by_text: dict[str, Document] = {}
        for doc in docs:
            self.by_pair.setdefault((doc.title.strip(), doc.text), doc)
            self.by_text.setdefault(f"{doc.title.strip()}\n{doc.text}", doc)
            self.by_text.setdefault(doc.text, doc)

    def find(self, record: Any) -> Document | None:
        if not isinstance(record, dict):
            return None
        title, text, passage = record.get("title"), record.get("text"), record.get("passage")
        if isinstance(title, str) and isinstance(text, str):
            found = self.by_pair.get((title.strip(), text.replace("\r\n", "\n")))
            if found is not None:
                return found
        for candidate in (passage, text):
            if isinstance(candidate, str):
                found = self.by_text.get(candidate.replace("\r\n", "\n"))
                if found is not None:
                    return found
        return None


_EMBEDDED_CHUNKS = (
    "UNWIND $ids AS id MATCH (c:Chunk {id: id}) WHERE c.embedding IS NOT NULL RETURN c.id AS id"
)


def _embed_chunks(
    store: GraphStore,
    embedder: Embedder,
    writer: StoreWriter,
    chunks: list[Chunk],
    titles: dict[str, str],
    size: int,
    span: str,
) -> int:
    """Embed the chunks that have no vector in the store yet (each with its document's title from
    ``titles``, by document id), ``size`` at a time, and queue their vectors and ``embedded_as``
    marks on ``writer``; returns how many were embedded."""
    ids = [c.id for c in chunks]
    have = {row["id"] for row in store.cypher(_EMBEDDED_CHUNKS, {"ids": ids})} if chunks else set()
    todo = [c for c in chunks if c.id not in have]
    for part in batched(todo, size):
        vectors = embedder.embed([chunk_text(c.text, titles.get(c.doc_id, "")) for c in part])
        writer.submit(
            f"{span}: {len(part)} chunk embeddings",
            store.set_embeddings,
            "Chunk",
            {c.id: vector for c, vector in zip(part, vectors, strict=True)},
        )
        writer.submit(f"{span}: chunk embedding marks", mark_chunks, store, [c.id for c in part])
    return len(todo)


MARK = "openie_imported"
"""Document property naming the triples file whose import of the passage completed."""


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _finished_passages(store: GraphStore, docs: list[Document], marker: str) -> set[str]:
    rows = store.cypher(
        f"UNWIND $ids AS id MATCH (d:Document {{id: id}}) WHERE d.{MARK} = $marker RETURN d.id AS id",
        {"ids": [d.id for d in docs], "marker": marker},
    )
    return {row["id"] for row in rows}


def import_openie(
    store: GraphStore,
    corpus_path: str | Path,
    openie_path: str | Path,
    *,
    embedder: Embedder | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    embed_batch_size: int = EMBED_BATCH_SIZE,
    resolver: EntityResolver | None = None,
    progress: Callable[[int, int], None] | None = None,
    background_writes: bool = True,
) -> OpenIEImportReport:
    """Build the graph of a HippoRAG corpus and its OpenIE triples in ``store``.

    ``resolver`` defaults to ``EntityResolver(store, embedder)``. With an ``embedder`` every
    chunk and entity lacking an embedding gets one: chunks are embedded from the passages as they
    are imported (``embed_batch_size`` texts per call; a chunk that already has a vector is not
    embedded again), and a last :func:`~hopgraph.extract.embed_graph.embed_graph` sweep embeds
    whatever the store still holds without one (entities the resolver did not embed).
    ``progress(passages_done, passages)`` runs after each batch of ``batch_size`` passages (its
    writes may still be queued). ``background_writes=False`` writes on the calling thread, one
    write after another. Re-running the import changes nothing.

    ``timings`` (seconds): ``read``; ``resolve`` (name embeddings included); ``embed_chunks``;
    ``embed_rest`` (the final sweep); ``write`` (time inside store writes, on the writer thread
    when ``background_writes``); ``write_wait`` (time the calling thread waited for the writer).
    Raises the exception of the first store write that failed (its notes name the write).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    started = time.perf_counter()
    timings: dict[str, float] = {"read": 0.0, "resolve": 0.0, "embed_chunks": 0.0, "embed_rest": 0.0}
    corpus = Path(corpus_path).resolve()
    openie = Path(openie_path).resolve()
    docs: list[Document] = []
    problems: list[str] = []
    for item in load_file(corpus):
        if isinstance(item, LoadProblem):
            problems.append(str(item))
        else:
            docs.append(item)
    if not docs:
        raise ImportFormatError(f"{corpus}: no passages could be read: {'; '.join(problems[:5])}")
    records = _read_openie(openie)
    index = _PassageIndex(docs)
    triples_of: dict[str, list[tuple[str, str, str]]] = {}
    malformed = unmatched = 0
    for record in records:
        doc = index.find(record)
        raw_triples = record.get("extracted_triples") if isinstance(record, dict) else None
        if doc is None:
            unmatched += 1
            continue
        if not isinstance(raw_triples, list):
            continue
        for raw in raw_triples:
            triple = valid_triple(raw)
            if triple is None:
                malformed += 1
            else:
                triples_of.setdefault(doc.id, []).append(triple)
    timings["read"] = time.perf_counter() - started

    # A passage whose import finished before (same triples file) is skipped whole: resolving
    # its names again against a store that already holds their merges could merge differently.
    marker = _file_digest(openie)
    finished = _finished_passages(store, docs, marker)
    todo = [d for d in docs if d.id not in finished]
    resolver = resolver if resolver is not None else EntityResolver(store, embedder)
    merges: list[Merge] = []
    written = embedded_chunks = 0
    touched: set[str] = set()
    resolver_vectors: set[str] = set()
    with StoreWriter(threaded=background_writes) as writer:
        entities_written: Future[None] | None = None
        for done, batch in enumerate(batched(todo, batch_size), start=1):
            span = f"passages {(done - 1) * batch_size + 1}-{(done - 1) * batch_size + len(batch)}"
            chunks = [Chunk(doc_id=d.id, ord=0, text=d.text) for d in batch]
            triples = [
                Triple(s, r, o, doc_id=c.doc_id, chunk_id=c.id)
                for c in chunks
                for s, r, o in triples_of.get(c.doc_id, ())
            ]
            # The resolver looks entities up in the store: it must see every earlier batch's.
            writer.wait(entities_written)
            t0 = time.perf_counter()
            resolution = resolver.resolve(triples)
            timings["resolve"] += time.perf_counter() - t0
            writer.submit(f"{span}: documents", store.upsert_documents, batch)
            writer.submit(f"{span}: chunks", store.upsert_chunks, chunks)
            entities_written = writer.submit(
                f"{span}: {len(resolution.triples)} triples", store.upsert_triples, resolution.triples
            )
            if resolution.entities:
                entities_written = writer.submit(
                    f"{span}: {len(resolution.entities)} resolved entities",
                    store.upsert_entities,
                    resolution.entities,
                )
            merges.extend(resolution.merges)
            written += len(resolution.triples)
            touched.update(entity_id(n) for t in resolution.triples for n in (t.subject, t.object))
            resolver_vectors.update(e.id for e in resolution.entities if e.embedding is not None)
            if embedder is not None:
                t0 = time.perf_counter()
                titles = {d.id: d.title for d in batch}
                embedded_chunks += _embed_chunks(
                    store, embedder, writer, chunks, titles, embed_batch_size, span
                )
                timings["embed_chunks"] += time.perf_counter() - t0
            # Last write of the batch (the writer keeps order): these passages are complete.
            writer.submit(
                f"{span}: completion marks",
                store.upsert_documents,
                [replace(d, metadata={**d.metadata, MARK: marker}) for d in batch],
            )
            if progress is not None:
                progress(min(len(finished) + done * batch_size, len(docs)), len(docs))
    timings["write"], timings["write_wait"] = writer.busy_seconds, writer.waited_seconds

    embedded_entities = len(resolver_vectors)
    if embedder is not None:  # whatever still lacks a vector: entities the resolver did not embed
        t0 = time.perf_counter()
        counts = embed_graph(store, embedder, batch_size=embed_batch_size)
        timings["embed_rest"] = time.perf_counter() - t0
        embedded_chunks += counts.chunks
        embedded_entities += counts.entities
    return OpenIEImportReport(
        corpus_path=str(corpus),
        openie_path=str(openie),
        documents=len(docs),
        chunks=len(docs),
        triples=written,
        malformed_triples=malformed,
        unmatched_records=unmatched,
        load_problems=tuple(problems),
        merges=tuple(merges),
        embedded_chunks=embedded_chunks,
        embedded_entities=embedded_entities,
        entities=len(touched),
        seconds=time.perf_counter() - started,
        timings=timings,
        already_imported=len(finished),
    )


__all__ = ["DEFAULT_BATCH_SIZE", "OpenIEImportReport", "import_openie", "valid_triple"]
