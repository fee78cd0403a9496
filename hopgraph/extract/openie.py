"""Import of HippoRAG OpenIE output: a passage corpus plus the triples an LLM extracted from it.

Inputs (HippoRAG's formats):

- the corpus, a JSON list of ``{"title", "text"}`` records (read with
  :func:`hopgraph.extract.loaders.load_file`, so each passage becomes the same Document, with the
  same ``source`` ``"<corpus path>#<index>"`` and id, as ``hopgraph ingest corpus.json`` makes);
- the OpenIE file, ``{"docs": [{"title", "text", "passage", "extracted_entities",
  "extracted_triples": [[subject, relation, object], ...]}, ...]}``.

Each passage becomes a Document and exactly one Chunk holding its text (HippoRAG treats passages
as units); each of its triples is stored with that chunk and document as provenance. OpenIE
records are matched to passages by ``(title, text)``, else by ``passage`` (``title\\ntext`` or the
bare text). A malformed triple (not three non-empty strings) is skipped and counted; a record
that matches no passage is skipped and counted; neither stops the import. Entity names go
through :class:`~hopgraph.extract.resolution.EntityResolver` before they are written, and, with
an embedder, chunks and entities get their embeddings (entity vectors are the ones resolution
computed, so nothing is embedded twice).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopgraph.batching import batched
from hopgraph.embed import Embedder
from hopgraph.errors import ImportFormatError
from hopgraph.extract.embeddings import DEFAULT_BATCH_SIZE as EMBED_BATCH_SIZE
from hopgraph.extract.embeddings import embed_graph
from hopgraph.extract.loaders import LoadProblem, load_file
from hopgraph.extract.resolution import EntityResolver, Merge
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk, Document, Triple

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
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict, compare=False)


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
) -> OpenIEImportReport:
    """Build the graph of a HippoRAG corpus and its OpenIE triples in ``store``.

    ``resolver`` defaults to ``EntityResolver(store, embedder)``. With an ``embedder`` every
    chunk and entity lacking an embedding gets one. ``progress(passages_done, passages)`` runs
    after each batch of ``batch_size`` passages. Re-running the import changes nothing.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    started = time.perf_counter()
    timings: dict[str, float] = {"read": 0.0, "resolve": 0.0, "write": 0.0, "embed_chunks": 0.0}
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

    resolver = resolver if resolver is not None else EntityResolver(store, embedder)
    merges: list[Merge] = []
    written = 0
    for done, batch in enumerate(batched(docs, batch_size), start=1):
        chunks = [Chunk(doc_id=d.id, ord=0, text=d.text) for d in batch]
        triples = [
            Triple(s, r, o, doc_id=c.doc_id, chunk_id=c.id)
            for c in chunks
            for s, r, o in triples_of.get(c.doc_id, ())
        ]
        t0 = time.perf_counter()
        resolution = resolver.resolve(triples)
        t1 = time.perf_counter()
        store.upsert_documents(batch)
        store.upsert_chunks(chunks)
        store.upsert_triples(resolution.triples)
        if resolution.entities:
            store.upsert_entities(resolution.entities)
        timings["resolve"] += t1 - t0
        timings["write"] += time.perf_counter() - t1
        merges.extend(resolution.merges)
        written += len(resolution.triples)
        if progress is not None:
            progress(min(done * batch_size, len(docs)), len(docs))

    embedded_chunks = embedded_entities = 0
    if embedder is not None:
        t0 = time.perf_counter()
        counts = embed_graph(store, embedder, batch_size=embed_batch_size)
        timings["embed_chunks"] = time.perf_counter() - t0
        embedded_chunks, embedded_entities = counts.chunks, counts.entities
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
        seconds=time.perf_counter() - started,
        timings=timings,
    )


__all__ = ["DEFAULT_BATCH_SIZE", "OpenIEImportReport", "import_openie", "valid_triple"]
