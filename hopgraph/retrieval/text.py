"""Text retrieval over chunks: dense (the store's vector index), full-text, and rank fusion.

``Bm25`` is an in-memory Okapi BM25 over chunk texts (the graph index builds and caches it):
the stores' own full-text scores are TF-IDF variants that rank poorly on questions.
``dense_chunks`` asks the store's vector index for at least ``min_fetch`` neighbours and keeps
the best ``k``: FalkorDB's HNSW search runs with ``efRuntime`` 10 unless more results are
asked for, and over-fetching is what brings it to exact-search recall (see
benchmarks/bench_retrieval_parts.py). ``reciprocal_rank_fusion`` merges any number of rankings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from hopgraph.kg.base import GraphStore
from hopgraph.types import ScoredId
from hopgraph.util.stopwords import STOPWORDS

DEFAULT_MIN_FETCH = 200
"""Neighbours asked of the vector index however small ``k`` is: FalkorDB's HNSW (efRuntime 10)
reaches exact-search recall on MuSiQue-100 from 200 (50: R@5 0.561 vs exact 0.579)."""
RRF_K = 60
"""The usual reciprocal-rank-fusion constant (Cormack et al., 2009)."""


def _ranked(hits: Sequence[ScoredId], k: int) -> list[ScoredId]:
    """Best score first, ties by id, duplicates (same id) keep their best score."""
    best: dict[str, ScoredId] = {}
    for hit in hits:
        seen = best.get(hit.id)
        if seen is None or hit.score > seen.score:
            best[hit.id] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.id))[:k]


def dense_chunks(
    store: GraphStore, vector: Sequence[float] | np.ndarray, k: int, *, min_fetch: int = DEFAULT_MIN_FETCH
) -> list[ScoredId]:
    """The ``k`` chunks nearest to ``vector`` by cosine (score in -1..1), best first.

    Raises ``ValueError`` for a vector that is not one-dimensional, empty or not finite.
    """
    if k < 1:
        return []
    array = query_vector(vector)
    hits = store.vector_search("Chunk", array.tolist(), max(k, min_fetch))
    return _ranked(hits, k)


def query_vector(vector: Sequence[float] | np.ndarray) -> np.ndarray:
    """``vector`` as float32, or ``ValueError`` when it is not one finite, non-empty vector."""
    array = np.asarray(vector, dtype=np.float32)
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"dense search needs one finite, non-empty vector; got shape {array.shape}")
    return array


def nearest_rows(
    matrix: np.ndarray,
    vector: Sequence[float] | np.ndarray,
    k: int,
    ids: Sequence[str],
    rows: np.ndarray | None = None,
) -> list[ScoredId]:
    """Exact kNN over the unit rows of ``matrix`` (row ``i`` is ``ids[i]``), only ``rows`` when
    given (those that hold a vector): the ``k`` best by cosine, best first, ties by id, as
    :func:`dense_chunks` ranks the store's hits (without their text)."""
    array = query_vector(vector)
    if k < 1 or matrix.shape[0] == 0:
        return []
    if array.shape[0] != matrix.shape[1]:
        raise ValueError(f"dense search needs a vector of {matrix.shape[1]} values, got {array.shape[0]}")
    scores = matrix @ array
    rows = np.arange(scores.size) if rows is None else rows
    if rows.size > k:
        # every row tied with the k-th best is kept for the id order
        kth = np.partition(scores[rows], rows.size - k)[rows.size - k]
        rows = rows[scores[rows] >= kth]
    return _ranked([ScoredId(ids[int(i)], float(scores[int(i)])) for i in rows], k)


def fulltext_chunks(store: GraphStore, question: str, k: int) -> list[ScoredId]:
    """The ``k`` chunks best matching any word of ``question`` (the store's full-text score)."""
    if k < 1 or not isinstance(question, str) or not question.strip():
        return []
    return _ranked(store.fulltext_search("Chunk", question, k), k)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[ScoredId]],
    *,
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
    limit: int | None = None,
) -> list[ScoredId]:
    """Fuse rankings: each id scores ``sum(weight / (k + rank))`` over the rankings it is in
    (rank from 1 among the ranking's distinct ids; a repeated id counts once, at its best rank).
    Best first, ties by id; ``text`` comes from the first ranking that has one; ``limit`` cuts.
    """
    if k < 0:
        raise ValueError(f"the RRF constant k must be >= 0, got {k}")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    texts: dict[str, str] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[str] = set()
        for hit in ranking:
            if hit.id in seen:
                continue
            seen.add(hit.id)
            rank = len(seen)
            scores[hit.id] = scores.get(hit.id, 0.0) + float(weight) / (k + rank)
            if hit.text and not texts.get(hit.id):
                texts[hit.id] = hit.text
    fused = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if limit is not None:
        fused = fused[: max(0, limit)]
    return [ScoredId(id=i, score=s, text=texts.get(i, "")) for i, s in fused]


_TOKEN = re.compile(r"\w+", re.UNICODE)


def bm25_terms(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` without English stopwords (what BM25 indexes)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS and t != "_"]


class Bm25:
    """Okapi BM25 over chunk texts as a sparse ``[chunks, terms]`` weight matrix (k1 1.2, b 0.75).

    Built once from the texts (``build``), kept as plain arrays (``arrays``/``from_arrays``) so a
    graph index can cache it; ``scores(question)`` sums the weights of the question's terms.
    """

    def __init__(self, vocabulary: list[str], matrix: sp.csc_matrix):
        self.vocabulary = vocabulary
        self.matrix = matrix
        self._columns = {t: i for i, t in enumerate(vocabulary)}

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> Bm25:
        columns: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts))
        for row, text in enumerate(texts):
            terms = bm25_terms(text or "")
            lengths[row] = len(terms)
            for term, n in Counter(terms).items():
                rows.append(row)
                cols.append(columns.setdefault(term, len(columns)))
                counts.append(n)
        tf = np.asarray(counts, dtype=np.float64)
        col = np.asarray(cols, dtype=np.int64)
        df = np.bincount(col, minlength=len(columns)) if len(col) else np.zeros(len(columns))
        idf = np.log(1.0 + (len(texts) - df + 0.5) / (df + 0.5))
        avg = lengths.mean() if len(texts) and lengths.mean() > 0 else 1.0
        norm = k1 * (1.0 - b + b * lengths[np.asarray(rows, dtype=np.int64)] / avg) if rows else tf
        weights = idf[col] * tf * (k1 + 1.0) / (tf + norm) if rows else tf
        matrix = sp.csc_matrix((weights, (rows, cols)), shape=(len(texts), len(columns)), dtype=np.float32)
        return cls(list(columns), matrix)

    def arrays(self, prefix: str = "bm25_") -> dict[str, np.ndarray]:
        m = self.matrix
        return {
            f"{prefix}vocabulary": np.array(self.vocabulary, dtype=str),
            f"{prefix}data": m.data,
            f"{prefix}indices": m.indices,
            f"{prefix}indptr": m.indptr,
            f"{prefix}shape": np.array(m.shape, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str = "bm25_") -> Bm25:
        shape = tuple(int(x) for x in arrays[f"{prefix}shape"])
        matrix = sp.csc_matrix(
            (arrays[f"{prefix}data"], arrays[f"{prefix}indices"], arrays[f"{prefix}indptr"]), shape=shape
        )
        return cls(arrays[f"{prefix}vocabulary"].tolist(), matrix)

    def scores(self, question: str) -> np.ndarray:
        """``[chunks]`` BM25 score of every chunk for ``question`` (zeros when no term is known)."""
        cols = [c for t in dict.fromkeys(bm25_terms(question)) if (c := self._columns.get(t)) is not None]
        if not cols:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        return np.asarray(self.matrix[:, cols].sum(axis=1)).ravel()

    def top(self, question: str, ids: Sequence[str], k: int) -> list[ScoredId]:
        """The ``k`` best chunks (``ids`` names the rows), best first, ties by row; zero scores left out."""
        scores = self.scores(question)
        if k < 1 or not scores.any():
            return []
        top = np.argsort(-scores, kind="stable")[:k]
        return [ScoredId(ids[int(i)], float(scores[int(i)])) for i in top if scores[int(i)] > 0]
