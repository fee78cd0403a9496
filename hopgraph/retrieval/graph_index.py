"""The whole entity–passage graph in memory, as arrays: loaded once from the store, cached on disk.

Rows, not ids, are what the retrieval maths works on: entity row ``i`` is ``entity_ids[i]``,
chunk row ``j`` is ``chunk_ids[j]``. Relations are parallel arrays (source row, target row,
predicate row) with their provenance chunks as a CSR list; MENTIONS are (chunk row, entity row)
pairs; title edges are (chunk row, entity row) pairs linking a chunk to the entity its document's
title names (:func:`title_edges`); synonym edges link entities whose name vectors have cosine >=
0.8 (HippoRAG v1); a BM25 matrix over the chunk texts, each after its document's title (as chunks
are embedded), serves keyword search; the chunks' unit vectors (as stored) score the second hop's
passages (:func:`hopgraph.retrieval.fusion.second_hop`).

``GraphIndex.load(store, embedder, cache_dir)`` reads the store in pages, embeds what has no
vector (entity names missing one, every distinct predicate), and writes
``cache_dir/graph-index-<fingerprint>.npz`` atomically; the fingerprint
(:func:`hopgraph.kg.content_cache.content_key`) hashes the store's node and edge counts, the
write generation hopgraph keeps in ``cache_dir``, the embedding model and the index format, so a
changed graph is read again and older cache files are removed.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.embed import Embedder
from hopgraph.ids import name_key
from hopgraph.kg.base import GraphStore
from hopgraph.kg.content_cache import content_key, load_arrays, newest_arrays, save_arrays
from hopgraph.retrieval.text import Bm25, nearest_rows
from hopgraph.types import Entity, ScoredId
from hopgraph.util.progress import progress

FORMAT = "graph-index-9"
"""Version of the cached arrays (6: BM25 over each chunk's document title and text; 7: the
entities' stored name keys and types, the documents' titles: read by a question without a
store round trip; 8: title edges; 9: the chunks' vectors)."""
UPGRADABLE_FORMAT = "graph-index-8"
"""The format one version older: a file of it made of the same graph is read and only the chunk
vectors are added from the store (:meth:`GraphIndex.load`), instead of reading the whole graph again."""
PREDICATE_FORMATS = ("graph-index-5", "graph-index-6", "graph-index-7", UPGRADABLE_FORMAT, FORMAT)
"""Cache formats whose predicate vectors are made as this one makes them (reused after a change)."""
SYNONYM_THRESHOLD = 0.8
SYNONYM_TOP_K = 10
PAGE = 5000
_ARRAYS = (
    *("entity_ids", "entity_names", "entity_vecs", "chunk_ids", "chunk_doc_ids"),
    *(
        "rel_src",
        "rel_dst",
        "rel_pred",
        "rel_chunk_ptr",
        "rel_chunk_rows",
        "rel_doc_ptr",
        "rel_doc_ids",
        "predicates",
        "predicate_vecs",
    ),
    *("mention_chunk", "mention_entity", "syn_src", "syn_dst", "syn_sim", "title_chunk", "title_entity"),
    *("bm25_vocabulary", "bm25_data", "bm25_indices", "bm25_indptr", "bm25_shape"),
)
ENTITY_KEYS = "entity_keys"
"""The optional array of the entities' stored ``key`` (what ``store.find_entities`` matches):
without it (an index made by hand) exact name lookups go to the store."""
STORED_FIELDS = (ENTITY_KEYS, "entity_types", "doc_ids", "doc_titles")
"""Optional arrays (format 7) that answer reads the question path made of the store: the
entities' stored keys and types, every document's id and title."""
CHUNK_VECTORS = "chunk_vecs"
"""The optional ``[C, d]`` array of the chunks' unit vectors as stored (format 9; every file of
that format holds it): the second hop scores passages outside the dense hits with it."""


def synonym_edges(
    vectors: np.ndarray, threshold: float = SYNONYM_THRESHOLD, top_k: int = SYNONYM_TOP_K, block: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i, j, cosine)`` with ``i < j``, where ``j`` is among ``i``'s ``top_k`` nearest rows
    (or ``i`` among ``j``'s) and the cosine is >= ``threshold``. ``vectors`` are unit rows."""
    n = len(vectors)
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    sim: list[np.ndarray] = []
    if n < 2 or top_k < 1:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty.copy(), np.zeros(0, dtype=np.float32)
    kk = min(top_k, n - 1)
    for start in range(0, n, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(start, start + len(sims))
        sims[rows - start, rows] = -np.inf
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        values = np.take_along_axis(sims, top, axis=1)
        keep = values >= threshold
        src.append(np.repeat(rows, kk)[keep.ravel()])
        dst.append(top[keep])
        sim.append(values[keep])
    i, j, s = np.concatenate(src), np.concatenate(dst), np.concatenate(sim)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(lo.astype(np.int64) * n + hi, return_index=True)
    return lo[first].astype(np.int32), hi[first].astype(np.int32), s[first].astype(np.float32)


_WORDS = re.compile(r"\w+")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def name_words(name: str, fold: bool = True) -> tuple[str, ...]:
    """The words of a name or text as matched: NFKC, punctuation dropped, case-folded unless not
    ``fold`` ("Hell's Kitchen" -> hell, s, kitchen)."""
    text = unicodedata.normalize("NFKC", name)
    return tuple(_WORDS.findall(text.casefold() if fold else text))


def title_edges(entity_names: Sequence[str], chunk_titles: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(chunk row, entity row) pairs linking each chunk to the entities named as its document's
    title (the words of :func:`name_words`; a title's trailing qualifier in brackets, as in
    "Heat (1995 film)", is dropped when the full title names no entity)."""
    by_words: dict[tuple[str, ...], list[int]] = {}
    for row, name in enumerate(entity_names):
        words = name_words(name)
        if words:
            by_words.setdefault(words, []).append(row)
    chunks: list[int] = []
    entities: list[int] = []
    found: dict[str, list[int]] = {}
    for row, title in enumerate(chunk_titles):
        if not title:
            continue
        if title not in found:
            hits = by_words.get(name_words(title)) or by_words.get(name_words(_QUALIFIER.sub("", title)), [])
            found[title] = hits
        for entity in found[title]:
            chunks.append(row)
            entities.append(entity)
    return np.array(chunks, dtype=np.int32), np.array(entities, dtype=np.int32)


def bm25_text(text: str, title: str = "") -> str:
    """What BM25 indexes of a chunk: its document's title (when it has one), a newline, its text,
    as the chunk is embedded (a passage rarely repeats the name its title gives)."""
    title = " ".join(title.split())
    return f"{title}\n{text}" if title else text


def predicate_text(predicate: str) -> str:
    """What a predicate's vector is computed from: ``studied_under`` reads as "studied under"."""
    return " ".join(predicate.replace("_", " ").split())


class GraphIndex:
    """Arrays of one graph (see the module doc). Build with :meth:`load`; the constructor does no I/O."""

    def __init__(
        self, arrays: dict[str, np.ndarray], fingerprint: str = "", embedder: Embedder | None = None
    ):
        missing = [name for name in _ARRAYS if name not in arrays]
        if missing:
            raise ValueError(f"graph index arrays missing: {', '.join(missing)}")
        self.arrays = arrays
        self.fingerprint = fingerprint
        self.embedder = embedder
        self.entity_ids: list[str] = arrays["entity_ids"].tolist()
        self.entity_names: list[str] = arrays["entity_names"].tolist()
        self.chunk_ids: list[str] = arrays["chunk_ids"].tolist()
        self.chunk_doc_ids: list[str] = arrays["chunk_doc_ids"].tolist()
        self.predicates: list[str] = arrays["predicates"].tolist()
        self._entity_rows = {e: i for i, e in enumerate(self.entity_ids)}
        self._chunk_rows = {c: i for i, c in enumerate(self.chunk_ids)}
        self._predicate_rows = {p: i for i, p in enumerate(self.predicates)}
        self._key_rows: dict[str, list[int]] | None = None
        self._titles: dict[str, str] | None = None
        vectors = arrays.get(CHUNK_VECTORS)
        held = np.any(vectors != 0, axis=1) if vectors is not None else None
        self._vector_rows = None if held is None or bool(held.all()) else np.flatnonzero(held)
        """The chunk rows that hold a vector (None: all of them) for :meth:`dense_chunks`."""
        mentioned, mentions = arrays["mention_chunk"], arrays["mention_entity"]
        titled, titles = arrays["title_chunk"], arrays["title_entity"]
        e, c = self.num_entities, self.num_chunks
        self._mention_ptr, self._mention_chunks = _grouped(mentions, mentioned, e)
        self._chunk_mention_ptr, self._chunk_mentions = _grouped(mentioned, mentions, c)
        self._title_ptr, self._title_chunks = _grouped(titles, titled, e)
        self._titled_ptr, self._titled_entities = _grouped(titled, titles, c)
        self.bm25 = Bm25.from_arrays(arrays)

    # -- sizes and lookups ---------------------------------------------------------------------
    @property
    def num_entities(self) -> int:
        return len(self.entity_ids)

    @property
    def num_chunks(self) -> int:
        return len(self.chunk_ids)

    def entity_row(self, entity_id: str) -> int | None:
        return self._entity_rows.get(entity_id)

    def chunk_row(self, chunk_id: str) -> int | None:
        return self._chunk_rows.get(chunk_id)

    def predicate_row(self, predicate: str) -> int | None:
        return self._predicate_rows.get(predicate)

    @property
    def has_name_keys(self) -> bool:
        """Whether :meth:`find_entities` can answer (the index holds the stored name keys)."""
        return ENTITY_KEYS in self.arrays

    def find_entities(self, names: Iterable[str]) -> list[Entity]:
        """What ``store.find_entities(names)`` returns when the store is what the index read:
        the entities whose stored key is the :func:`~hopgraph.ids.name_key` of one of ``names``
        (id and name; no type or aliases), in no set order. Raises ``ValueError`` when the index
        holds no keys (:attr:`has_name_keys`)."""
        if self._key_rows is None:
            if not self.has_name_keys:
                raise ValueError("this graph index holds no entity name keys")
            rows: dict[str, list[int]] = {}
            for row, key in enumerate(self.arrays[ENTITY_KEYS].tolist()):
                rows.setdefault(key, []).append(row)
            self._key_rows = rows
        keys = dict.fromkeys(name_key(n) for n in names if n and n.strip())
        return [
            Entity(name=self.entity_names[row], id=self.entity_ids[row])
            for key in keys
            for row in self._key_rows.get(key, ())
        ]

    def stored_types(self, ids: Iterable[str]) -> list[tuple[str, str]] | None:
        """``(id, type)`` of the entities among ``ids`` the index holds, in the order of ``ids``,
        each id once (what ``store.get_entities(ids)`` gives of them); None when the index holds
        no types (the caller reads the store)."""
        if "entity_types" not in self.arrays:
            return None
        types = self.arrays["entity_types"]
        rows = ((e, self._entity_rows.get(e)) for e in dict.fromkeys(ids))
        return [(e, str(types[row])) for e, row in rows if row is not None]

    def doc_titles(self, ids: Iterable[str]) -> dict[str, str] | None:
        """Document id -> title of the documents among ``ids`` that have one (what the store's
        documents say); None when the index holds no titles (the caller reads the store)."""
        if "doc_titles" not in self.arrays:
            return None
        if self._titles is None:
            self._titles = dict(
                zip(self.arrays["doc_ids"].tolist(), self.arrays["doc_titles"].tolist(), strict=True)
            )
        return {d: title for d in sorted(set(ids)) if (title := self._titles.get(d))}

    def entity_vectors(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(self.arrays["entity_vecs"][np.asarray(rows, dtype=np.int64)])

    @property
    def predicate_vectors(self) -> np.ndarray:
        """``[P, d]`` unit vectors, row ``i`` for ``predicates[i]``."""
        return self.arrays["predicate_vecs"]

    def passages_of_entity(self, row: int) -> np.ndarray:
        """Chunk rows that mention entity ``row`` (ascending)."""
        return np.sort(self._mention_chunks[self._mention_ptr[row] : self._mention_ptr[row + 1]])

    def entities_of_chunk(self, row: int) -> np.ndarray:
        """Entity rows chunk ``row`` mentions (MENTIONS edges, in the index's order)."""
        return np.asarray(
            self._chunk_mentions[self._chunk_mention_ptr[row] : self._chunk_mention_ptr[row + 1]]
        )

    def title_chunks_of(self, row: int) -> np.ndarray:
        """Chunk rows whose document title names entity ``row`` (its title edges)."""
        return np.asarray(self._title_chunks[self._title_ptr[row] : self._title_ptr[row + 1]])

    def title_entities_of(self, row: int) -> np.ndarray:
        """Entity rows chunk ``row``'s document title names (its title edges)."""
        return np.asarray(self._titled_entities[self._titled_ptr[row] : self._titled_ptr[row + 1]])

    @property
    def chunk_vectors(self) -> np.ndarray | None:
        """``[C, d]`` unit vectors of the chunks (row ``j`` for ``chunk_ids[j]``; a chunk stored
        without one is a zero row); None for an index made without them (by hand)."""
        return self.arrays.get(CHUNK_VECTORS)

    def dense_chunks(self, vector: Sequence[float] | np.ndarray, k: int) -> list[ScoredId] | None:
        """The ``k`` chunks nearest to ``vector`` by cosine, exactly, from :attr:`chunk_vectors`
        (no store round trip; a chunk stored without a vector is never returned; the hits carry
        no text); None for an index without chunk vectors (ask the store)."""
        vectors = self.chunk_vectors
        if vectors is None:
            return None
        return nearest_rows(vectors, vector, k, self.chunk_ids, self._vector_rows)

    def entities_of_chunks(self, chunk_ids: Sequence[str]) -> list[str]:
        """Names of the entities the chunks mention, chunk by chunk in the given order, each once."""
        mention_chunk, mention_entity = self.arrays["mention_chunk"], self.arrays["mention_entity"]
        names: dict[str, None] = {}
        for chunk in chunk_ids:
            row = self.chunk_row(chunk)
            if row is not None:
                for entity in mention_entity[mention_chunk == row]:
                    names.setdefault(self.entity_names[int(entity)], None)
        return list(names)

    def bm25_chunks(self, question: str, k: int) -> list[ScoredId]:
        """The ``k`` chunks best matching ``question`` by BM25 over their texts, best first."""
        return self.bm25.top(question, self.chunk_ids, k)

    def passage_counts(self) -> np.ndarray:
        """``[E]`` number of chunks mentioning each entity."""
        return np.diff(self._mention_ptr).astype(np.int64)

    # -- by id or text (the callables the reasoner takes) --------------------------------------
    def entity_vectors_by_id(self, ids: Sequence[str]) -> np.ndarray:
        """Vectors of entity ids; an id not in the index gets a zero row."""
        out = np.zeros((len(ids), self.arrays["entity_vecs"].shape[1]), dtype=np.float32)
        for i, entity in enumerate(ids):
            row = self._entity_rows.get(entity)
            if row is not None:
                out[i] = self.arrays["entity_vecs"][row]
        return out

    def predicate_vectors_of(self, predicates: Sequence[str]) -> np.ndarray:
        """Vectors of predicate texts; unknown ones are embedded (zero rows without an embedder)."""
        out = np.zeros((len(predicates), self.predicate_vectors.shape[1]), dtype=np.float32)
        unknown: list[int] = []
        for i, predicate in enumerate(predicates):
            row = self._predicate_rows.get(predicate)
            if row is None:
                unknown.append(i)
            else:
                out[i] = self.predicate_vectors[row]
        if unknown and self.embedder is not None:
            out[unknown] = self.embedder.embed([predicate_text(predicates[i]) for i in unknown])
        return out

    # -- loading and caching -------------------------------------------------------------------
    @classmethod
    def load(cls, store: GraphStore, embedder: Embedder, cache_dir: Path | None = None) -> GraphIndex:
        """The index of ``store``'s graph: from ``cache_dir`` when a file of the same fingerprint
        is there, else read from the store (and written to ``cache_dir``)."""
        fingerprint = content_key(
            store, cache_dir, FORMAT, embedder.model_name, SYNONYM_THRESHOLD, SYNONYM_TOP_K
        )
        path = Path(cache_dir) / f"graph-index-{fingerprint}.npz" if cache_dir is not None else None
        cached = load_arrays(
            path,
            "graph index",
            # a file of this format always holds the stored fields and the chunk vectors (only an
            # index made by hand lacks them); one that does not is unreadable (KeyError) and is
            # built again
            lambda data: cls(
                {n: data[n] for n in (*_ARRAYS, *STORED_FIELDS, CHUNK_VECTORS)}, fingerprint, embedder
            ),
        )
        if cached is not None:
            return cached
        if cache_dir is not None and path is not None:
            upgraded = _upgrade(store, embedder, Path(cache_dir), path)
            if upgraded is not None:
                return cls(upgraded, fingerprint, embedder)
        started = time.perf_counter()
        where = f"; kept in {cache_dir}" if cache_dir is not None else ""
        progress.info("building the graph index (once after each change of the graph%s) ...", where)
        old = _reusable_predicates(Path(cache_dir), embedder.model_name) if cache_dir is not None else {}
        arrays = read_arrays(store, embedder, old)
        if path is not None:
            extra = {"model": np.array(embedder.model_name), "format": np.array(FORMAT)}
            save_arrays(path, {**arrays, **extra}, family="graph-index-")
        progress.info("graph index built in %.1f s", time.perf_counter() - started)
        return cls(arrays, fingerprint, embedder)


def _grouped(keys: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``values`` grouped by ``keys`` (rows ``0..n-1``) as a CSR list: ``(ptr, grouped)``, row
    ``i``'s values ``grouped[ptr[i] : ptr[i + 1]]`` in their original order."""
    order = np.argsort(keys, kind="stable")
    return np.searchsorted(keys[order], np.arange(n + 1)), values[order]


def _stored_rows(vectors: Sequence[Any], dim: int) -> tuple[np.ndarray, list[int]]:
    """``[n, dim]`` float32 of the stored ``vectors`` (one per row; a missing one, or one of
    another dimension, a zero row) and the rows that had none."""
    out = np.zeros((len(vectors), dim), dtype=np.float32)
    missing: list[int] = []
    for i, v in enumerate(vectors):
        if v is not None and len(v) == dim:
            out[i] = v
        else:
            missing.append(i)
    return out, missing


def _unit(rows: np.ndarray) -> np.ndarray:
    """``rows`` scaled to unit length (a zero row stays zero), float32."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _upgrade(
    store: GraphStore, embedder: Embedder, cache_dir: Path, path: Path
) -> dict[str, np.ndarray] | None:
    """The arrays of this graph's :data:`UPGRADABLE_FORMAT` file in ``cache_dir`` (same store
    counts, write generation and model) with the chunk vectors read from the store, written to
    ``path`` in this format; None when there is no such file (or it cannot be read)."""
    key = content_key(
        store, cache_dir, UPGRADABLE_FORMAT, embedder.model_name, SYNONYM_THRESHOLD, SYNONYM_TOP_K
    )
    old = cache_dir / f"graph-index-{key}.npz"
    arrays = load_arrays(old, "graph index", lambda data: {n: data[n] for n in (*_ARRAYS, *STORED_FIELDS)})
    if arrays is None:
        return None
    chunk_ids = arrays["chunk_ids"].tolist()
    arrays[CHUNK_VECTORS] = chunk_vectors(store, chunk_ids, embedder.dimension)
    extra = {"model": np.array(embedder.model_name), "format": np.array(FORMAT)}
    save_arrays(path, {**arrays, **extra}, family="graph-index-")
    progress.info("graph index upgraded to %s (the chunk vectors read from the store)", FORMAT)
    return arrays


def chunk_vectors(store: GraphStore, chunk_ids: Sequence[str], dim: int) -> np.ndarray:
    """``[C, d]`` unit vectors of ``chunk_ids`` as stored (a chunk without one, or of another
    dimension: a zero row)."""
    rows = {
        r["id"]: r["v"]
        for r in read_pages(
            store,
            "MATCH (c:Chunk) WHERE c.id > $after RETURN c.id AS id, c.embedding AS v ORDER BY id LIMIT $n",
        )
    }
    return _unit(_stored_rows([rows.get(chunk) for chunk in chunk_ids], dim)[0])


def read_pages(store: GraphStore, query: str) -> list[dict[str, Any]]:
    """All rows of ``query`` read :data:`PAGE` at a time: it takes ``$after`` (the last ``id``
    read) and ``$n`` and returns rows ordered by ``id``."""
    out: list[dict[str, Any]] = []
    after = ""
    while True:
        rows = store.cypher(query, {"after": after, "n": PAGE})
        out.extend(rows)
        if len(rows) < PAGE:
            return out
        after = rows[-1]["id"]


def read_arrays(
    store: GraphStore, embedder: Embedder, known_predicates: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Read the graph from ``store`` into the index arrays (paged reads), embedding what is missing."""
    entities = read_pages(
        store,
        "MATCH (e:Entity) WHERE e.id > $after "
        "RETURN e.id AS id, e.name AS name, e.key AS key, e.type AS type, e.embedding AS v "
        "ORDER BY id LIMIT $n",
    )
    chunks = read_pages(
        store,
        "MATCH (c:Chunk) WHERE c.id > $after "
        "RETURN c.id AS id, c.doc_id AS doc, c.text AS text, c.embedding AS v ORDER BY id LIMIT $n",
    )
    titles: dict[str, str] = {
        r["id"]: r["title"] or ""
        for r in read_pages(
            store,
            "MATCH (d:Document) WHERE d.id > $after RETURN d.id AS id, d.title AS title ORDER BY id LIMIT $n",
        )
    }
    entity_ids = [r["id"] for r in entities]
    names = [r["name"] or "" for r in entities]
    erow = {e: i for i, e in enumerate(entity_ids)}
    chunk_ids = [r["id"] for r in chunks]
    crow = {c: i for i, c in enumerate(chunk_ids)}
    dim = embedder.dimension
    vecs, missing = _stored_rows([r["v"] for r in entities], dim)
    if missing:
        vecs[missing] = embedder.embed([names[i] for i in missing])
    vecs = _unit(vecs)

    m_chunk: list[int] = []
    m_entity: list[int] = []
    for start in range(0, len(chunk_ids), PAGE):
        for r in store.cypher(
            "UNWIND $ids AS id MATCH (c:Chunk {id: id})-[:MENTIONS]->(e:Entity) RETURN c.id AS c, e.id AS e",
            {"ids": chunk_ids[start : start + PAGE]},
        ):
            if r["e"] in erow:
                m_chunk.append(crow[r["c"]])
                m_entity.append(erow[r["e"]])

    src: list[int] = []
    dst: list[int] = []
    pred_text: list[str] = []
    ptr = [0]
    prov: list[int] = []
    doc_ptr = [0]
    doc_prov: list[str] = []
    for rel in store.iter_relations():
        if rel.source not in erow or rel.target not in erow:
            continue
        src.append(erow[rel.source])
        dst.append(erow[rel.target])
        pred_text.append(rel.predicate)
        prov.extend(crow[c] for c in rel.chunk_ids if c in crow)
        ptr.append(len(prov))
        doc_prov.extend(dict.fromkeys(rel.doc_ids))  # a KB import's relations have documents, no chunks
        doc_ptr.append(len(doc_prov))
    predicates = sorted(set(pred_text))
    prow = {p: i for i, p in enumerate(predicates)}
    pvecs = np.zeros((len(predicates), dim), dtype=np.float32)
    todo = [i for i, p in enumerate(predicates) if p not in known_predicates]
    for i, p in enumerate(predicates):
        if p in known_predicates:
            pvecs[i] = known_predicates[p]
    if todo:
        pvecs[todo] = embedder.embed([predicate_text(predicates[i]) for i in todo])
    syn_src, syn_dst, syn_sim = synonym_edges(vecs)
    title_chunk, title_entity = title_edges(names, [titles.get(r["doc"] or "", "") for r in chunks])
    i32 = np.int32
    return {
        "entity_ids": np.array(entity_ids, dtype=str),
        "entity_names": np.array(names, dtype=str),
        ENTITY_KEYS: np.array([r["key"] or "" for r in entities], dtype=str),
        "entity_types": np.array([r["type"] or "" for r in entities], dtype=str),
        "doc_ids": np.array(list(titles), dtype=str),
        "doc_titles": np.array(list(titles.values()), dtype=str),
        "entity_vecs": vecs,
        "chunk_ids": np.array(chunk_ids, dtype=str),
        CHUNK_VECTORS: _unit(_stored_rows([r["v"] for r in chunks], dim)[0]),  # read with the texts
        "chunk_doc_ids": np.array([r["doc"] or "" for r in chunks], dtype=str),
        "rel_src": np.array(src, dtype=i32),
        "rel_dst": np.array(dst, dtype=i32),
        "rel_pred": np.array([prow[p] for p in pred_text], dtype=i32),
        "rel_chunk_ptr": np.array(ptr, dtype=np.int64),
        "rel_chunk_rows": np.array(prov, dtype=i32),
        "rel_doc_ptr": np.array(doc_ptr, dtype=np.int64),
        "rel_doc_ids": np.array(doc_prov, dtype=str),
        "predicates": np.array(predicates, dtype=str),
        "predicate_vecs": pvecs,
        "mention_chunk": np.array(m_chunk, dtype=i32),
        "mention_entity": np.array(m_entity, dtype=i32),
        "syn_src": syn_src,
        "syn_dst": syn_dst,
        "syn_sim": syn_sim,
        "title_chunk": title_chunk,
        "title_entity": title_entity,
        **Bm25.build([bm25_text(r["text"] or "", titles.get(r["doc"] or "", "")) for r in chunks]).arrays(),
    }


def _reusable_predicates(cache_dir: Path, model_name: str) -> dict[str, np.ndarray]:
    """Predicate vectors of the newest stale cache file written with the same model: after a
    small change to the graph only its new predicates are embedded again."""
    old = newest_arrays(
        cache_dir,
        "graph-index-",
        model=model_name,
        formats=PREDICATE_FORMATS,
        names=("predicates", "predicate_vecs"),
    )
    try:
        return dict(zip(old["predicates"].tolist(), old["predicate_vecs"], strict=True)) if old else {}
    except ValueError:  # a damaged file: as if there were none
        return {}
