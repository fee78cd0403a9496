"""Personalized PageRank over the entity–passage graph (HippoRAG style).

``personalized_pagerank`` is plain power iteration on a sparse matrix: with probability
``damping`` the walk follows an edge (chosen by weight), otherwise it jumps back to the reset
distribution; a node with no edges sends its mass back by the reset distribution too.
``PassageGraph`` builds the undirected graph of a :class:`GraphIndex` once (entity rows first,
then chunk rows): relation edges between entities, MENTIONS edges between a chunk and its
entities, title edges between a chunk and the entity its title names, synonym edges weighted by
cosine. ``rank_passages`` seeds the walk on entities
(each weight divided by the number of passages mentioning the entity: node specificity,
HippoRAG v1) plus a share of the reset mass (half, by default) on passages by their dense score
(HippoRAG 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from hopgraph.retrieval.graph_index import GraphIndex

DAMPING = 0.5
"""HippoRAG's setting: half the mass follows edges at each step."""
TOLERANCE = 1e-6
"""L1 change between two steps at which the walk stops: 16 steps at damping 0.5 on MuSiQue-100's
graph instead of 1e-8's 22, with the first ten passages of 20 random restarts in the converged
walk's order, and the same passages, answers and confidences on both MuSiQue-100 graphs and 2Wiki
(BENCHMARKS.md, "Latency of the default method (session 9)")."""
PASSAGE_MASS = 0.5
"""Share of the reset mass put on passages by dense score (HippoRAG 2's dense-sparse
integration). HippoRAG 2 multiplies *every* passage's min-max normalised dense score by 0.05,
which in practice gives passages most of the mass; an even split with the linked entities is what
a fit on either MuSiQue-100 graph picks for the other (benchmarks/bench_graph_fusion.py). The
earlier 0.05 let noisy seeds push dense's best passages out of the top 2."""

TITLE_WEIGHT = 2.0
"""Weight of the edge between a passage and the entity its document's title names (on top of a
MENTIONS edge of the same pair, weight 1): the walk steps from an entity to the passage *about*
it more than to a passage that merely names it. Chosen on both MuSiQue-100 graphs and checked on
the 2Wiki set (benchmarks/bench_passage_edges.py, BENCHMARKS.md "#11 session 7")."""


@dataclass(frozen=True, slots=True)
class Transition:
    """A column-stochastic walk matrix (``walk[i, j]``: chance to step j -> i) and its dangling nodes."""

    walk: sp.csr_matrix
    dangling: np.ndarray

    @classmethod
    def from_adjacency(cls, adjacency: sp.spmatrix | sp.sparray) -> Transition:
        """``adjacency[i, j]`` is the weight of edge i -> j (non-negative)."""
        matrix = sp.csr_matrix(adjacency, dtype=np.float64)
        if matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"the adjacency matrix must be square, got {matrix.shape}")
        if matrix.nnz and matrix.data.min() < 0:
            raise ValueError("edge weights must be non-negative")
        out_weight = np.asarray(matrix.sum(axis=1)).ravel()
        inverse = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=out_weight > 0)
        walk = sp.csr_matrix(matrix.T @ sp.diags(inverse))
        return cls(walk=walk, dangling=out_weight <= 0)


def personalized_pagerank(
    matrix: Transition | sp.spmatrix | sp.sparray,
    reset: np.ndarray,
    damping: float = DAMPING,
    tol: float = TOLERANCE,
    max_iter: int = 100,
) -> np.ndarray:
    """Stationary distribution of the walk restarting at ``reset`` (normalised here; all zeros
    gives all zeros). ``matrix`` is an adjacency matrix or a precomputed :class:`Transition`.
    Stops when the L1 change is below ``tol`` or after ``max_iter`` steps (``tol`` 0: exactly
    ``max_iter`` steps, the change not computed); sums to 1."""
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"damping must be in [0, 1), got {damping}")
    transition = matrix if isinstance(matrix, Transition) else Transition.from_adjacency(matrix)
    r = np.asarray(reset, dtype=np.float64).ravel()
    if r.shape[0] != transition.walk.shape[0]:
        raise ValueError(f"reset has {r.shape[0]} entries for a graph of {transition.walk.shape[0]} nodes")
    if not np.all(np.isfinite(r)) or (r < 0).any():
        raise ValueError("reset weights must be finite and non-negative")
    total = r.sum()
    if total <= 0:
        return np.zeros_like(r)
    r = r / total
    x = r.copy()
    dangling = np.flatnonzero(transition.dangling)
    stay = (1.0 - damping) * r
    part = np.empty_like(r)
    # x <- d (W x + (mass on dangling nodes) r) + (1 - d) r, in place
    for _ in range(max_iter):
        nxt = transition.walk @ x
        if dangling.size:
            np.multiply(r, x[dangling].sum(), out=part)
            nxt += part
        nxt *= damping
        nxt += stay
        if tol > 0:
            np.subtract(nxt, x, out=part)
            change = float(np.abs(part, out=part).sum())
        x = nxt
        if tol > 0 and change < tol:
            break
    return x


def _positive(weights: Mapping[int, float], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows in ``0..size-1`` of ``weights`` with a positive weight, and those weights."""
    rows = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    keep = (rows >= 0) & (rows < size) & (values > 0)
    return rows[keep], values[keep]


class PassageGraph:
    """The undirected entity+chunk graph of an index, with its walk matrix precomputed."""

    def __init__(self, index: GraphIndex, transition: Transition, specificity: np.ndarray):
        self.index = index
        self.transition = transition
        self.num_entities = index.num_entities
        self.num_chunks = index.num_chunks
        self.specificity = specificity
        """``[E]`` 1 / number of passages mentioning each entity (1 for an entity in none)."""

    @classmethod
    def from_index(
        cls,
        index: GraphIndex,
        *,
        synonyms: bool = True,
        relations: bool = True,
        mentions: bool = True,
        extra: Sequence[tuple[np.ndarray, np.ndarray, float]] = (),
        relation_weight: float = 1.0,
        mention_weight: float = 1.0,
        synonym_weight: float = 1.0,
        title_weight: float = TITLE_WEIGHT,
    ) -> PassageGraph:
        """Edges: relations (``relation_weight`` each, parallel ones add up), MENTIONS
        (``mention_weight``), title edges (``title_weight``, added to a MENTIONS edge of the same
        pair), synonyms (cosine times ``synonym_weight``), and each ``(chunk rows, entity rows,
        weight)`` of ``extra``."""
        a = index.arrays
        e = index.num_entities
        n = e + index.num_chunks
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        def chunk_edges(chunks: np.ndarray, entities: np.ndarray, weight: float) -> None:
            parts.append((np.asarray(entities), np.asarray(chunks) + e, np.full(len(chunks), weight)))

        if relations:
            parts.append((a["rel_src"], a["rel_dst"], np.full(len(a["rel_src"]), relation_weight)))
        if mentions:
            chunk_edges(a["mention_chunk"], a["mention_entity"], mention_weight)
        if title_weight > 0:
            chunk_edges(a["title_chunk"], a["title_entity"], title_weight)
        if synonyms:
            parts.append((a["syn_src"], a["syn_dst"], a["syn_sim"].astype(np.float64) * synonym_weight))
        for chunk_rows, entity_rows, weight in extra:
            chunk_edges(chunk_rows, entity_rows, weight)
        if parts:
            src = np.concatenate([p[0] for p in parts]).astype(np.int64)
            dst = np.concatenate([p[1] for p in parts]).astype(np.int64)
            w = np.concatenate([p[2] for p in parts])
        else:
            src = dst = np.zeros(0, dtype=np.int64)
            w = np.zeros(0)
        keep = src != dst
        rows = np.concatenate([src[keep], dst[keep]])
        cols = np.concatenate([dst[keep], src[keep]])
        adjacency = sp.coo_matrix((np.concatenate([w[keep], w[keep]]), (rows, cols)), shape=(n, n)).tocsr()
        counts = index.passage_counts()
        specificity = 1.0 / np.maximum(counts, 1)
        return cls(index, Transition.from_adjacency(adjacency), specificity)

    def reset_vector(
        self,
        entity_weights: Mapping[int, float],
        passage_weights: Mapping[int, float],
        *,
        passage_mass: float = PASSAGE_MASS,
        specificity: bool = True,
    ) -> np.ndarray:
        """The reset distribution: entities share ``1 - passage_mass`` (all of it without
        passage weights), passages share ``passage_mass`` (all of it without entity weights)."""
        reset = np.zeros(self.num_entities + self.num_chunks)
        ent_rows, ent_weights = _positive(entity_weights, self.num_entities)
        ent = np.zeros(self.num_entities)
        ent[ent_rows] = ent_weights * self.specificity[ent_rows] if specificity else ent_weights
        pas_rows, pas_weights = _positive(passage_weights, self.num_chunks)
        pas = np.zeros(self.num_chunks)
        pas[pas_rows] = pas_weights
        ent_total, pas_total = ent.sum(), pas.sum()
        if ent_total > 0 and pas_total > 0:
            share = min(max(passage_mass, 0.0), 1.0)
            reset[: self.num_entities] = ent / ent_total * (1.0 - share)
            reset[self.num_entities :] = pas / pas_total * share
        elif ent_total > 0:
            reset[: self.num_entities] = ent / ent_total
        elif pas_total > 0:
            reset[self.num_entities :] = pas / pas_total
        return reset

    def rank_passages(
        self,
        entity_weights: Mapping[int, float],
        passage_weights: Mapping[int, float],
        damping: float = DAMPING,
        *,
        passage_mass: float = PASSAGE_MASS,
        specificity: bool = True,
    ) -> np.ndarray:
        """``[C]`` PageRank score of every chunk row (zeros when no weight is positive)."""
        reset = self.reset_vector(
            entity_weights, passage_weights, passage_mass=passage_mass, specificity=specificity
        )
        scores = personalized_pagerank(self.transition, reset, damping)
        return scores[self.num_entities :]
