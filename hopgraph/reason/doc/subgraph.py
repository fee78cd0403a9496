"""The tensors a document-graph reasoner scores: a bounded subgraph around the question's seeds.

A :class:`ScoringGraph` is built from ``store.subgraph(...)`` (a :class:`~hopgraph.types.Subgraph`),
the linked seeds and two vector look-ups (entity ids -> vectors, predicate texts -> vectors; in the
QA pipeline both come from retrieval's in-memory graph index, vectors L2-normalised). Each stored
relation is one edge ``edge_index[:, e] = (source, target)`` in its stored direction, with its
predicate row and its provenance (chunk and document ids). Nodes keep the subgraph's entity order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import torch

from hopgraph.ids import name_key, relation_type
from hopgraph.types import Entity, Relation, ScoredId, Subgraph

VectorLookup = Callable[[list[str]], np.ndarray]
"""Texts or ids -> ``[len(items), d]`` float32 rows (L2-normalised)."""


def _normalised(matrix: np.ndarray, rows: int, what: str) -> torch.Tensor:
    array = np.asarray(matrix, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != rows:
        raise ValueError(f"{what} lookup must return [{rows}, d] rows, got shape {array.shape}")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return torch.from_numpy(array / np.maximum(norms, 1e-12))


@dataclass(frozen=True, eq=False)
class ScoringGraph:
    """A subgraph as tensors: ``edge_index [2, E]`` (stored direction), ``edge_predicate [E]`` rows
    into ``predicates``, per-edge ``edge_chunk_ids``/``edge_doc_ids``/``edge_types``, node vectors
    ``[N, d]``, predicate vectors ``[P, d]`` and ``seed_weights [N]`` (0 for non-seeds, best seed 1)."""

    node_ids: list[str]
    names: list[str]
    edge_index: torch.Tensor
    edge_predicate: torch.Tensor
    predicates: list[str]
    edge_types: list[str]
    edge_chunk_ids: list[tuple[str, ...]]
    edge_doc_ids: list[tuple[str, ...]]
    node_vectors: torch.Tensor
    predicate_vectors: torch.Tensor
    seed_weights: torch.Tensor
    node_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.node_index:
            self.node_index.update({node: i for i, node in enumerate(self.node_ids)})

    @property
    def num_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])

    @property
    def seed_rows(self) -> list[int]:
        return [int(i) for i in torch.nonzero(self.seed_weights > 0).flatten().tolist()]

    def rows_named(self, names: Sequence[str]) -> list[int]:
        """Node rows whose name equals one of ``names``, case-insensitively (training targets)."""
        wanted = {name_key(n) for n in names if n and n.strip()}
        return [i for i, name in enumerate(self.names) if name_key(name) in wanted]

    @classmethod
    def build(
        cls,
        subgraph: Subgraph,
        seeds: Sequence[ScoredId],
        entity_vectors: VectorLookup,
        predicate_vectors: VectorLookup,
    ) -> ScoringGraph:
        """Tensors of ``subgraph``; ``seeds`` not in it are ignored, seed weights are the seeds'
        scores divided by the best one (a seed listed twice keeps its best score)."""
        names = {e.id: e.name for e in subgraph.entities}
        for r in subgraph.relations:  # ends outside the entity list still become nodes
            names.setdefault(r.source, r.source)
            names.setdefault(r.target, r.target)
        node_ids = list(names)
        index = {node: i for i, node in enumerate(node_ids)}
        predicates: dict[str, int] = {}
        src: list[int] = []
        dst: list[int] = []
        pred: list[int] = []
        types: list[str] = []
        chunk_ids: list[tuple[str, ...]] = []
        doc_ids: list[tuple[str, ...]] = []
        for r in subgraph.relations:
            wording = r.predicate or r.type
            src.append(index[r.source])
            dst.append(index[r.target])
            pred.append(predicates.setdefault(wording, len(predicates)))
            types.append(r.type)
            chunk_ids.append(tuple(r.chunk_ids))
            doc_ids.append(tuple(r.doc_ids))
        weights = np.zeros(len(node_ids), dtype=np.float32)
        for s in seeds:
            row = index.get(s.id)
            if row is not None:
                weights[row] = max(weights[row], max(float(s.score), 1e-6))
        if weights.max(initial=0.0) > 0:
            weights /= weights.max()
        node_vec = (
            _normalised(entity_vectors(node_ids), len(node_ids), "entity vector")
            if node_ids
            else torch.zeros(0, 1)
        )
        pred_list = list(predicates)
        pred_vec = (
            _normalised(predicate_vectors(pred_list), len(pred_list), "predicate vector")
            if pred_list
            else torch.zeros(0, node_vec.shape[1])
        )
        return cls(
            node_ids=node_ids,
            names=[names[n] for n in node_ids],
            edge_index=torch.tensor([src, dst], dtype=torch.long).reshape(2, -1),
            edge_predicate=torch.tensor(pred, dtype=torch.long),
            predicates=pred_list,
            edge_types=types,
            edge_chunk_ids=chunk_ids,
            edge_doc_ids=doc_ids,
            node_vectors=node_vec,
            predicate_vectors=pred_vec,
            seed_weights=torch.from_numpy(weights),
            node_index=index,
        )


class RelationTable:
    """A whole entity graph in memory (relations as arrays) for subgraph extraction in ~1 ms.

    Built from arrays (retrieval's graph index: entity ids/names, relation source/target rows,
    predicate rows into ``predicates``, relation types and provenance per relation; see
    :meth:`from_index_arrays`). :meth:`subgraph` returns the same
    :class:`~hopgraph.types.Subgraph` as ``store.subgraph`` but, where a bound cuts the
    neighbourhood, keeps the relations of the least connected frontier entities first (a hub
    such as a country would otherwise fill the budget on its own).
    """

    def __init__(
        self,
        entity_ids: Sequence[str],
        names: Sequence[str],
        src: np.ndarray,
        dst: np.ndarray,
        predicate_rows: np.ndarray,
        predicates: Sequence[str],
        types: Sequence[str],
        chunk_ids: Sequence[tuple[str, ...]],
        doc_ids: Sequence[tuple[str, ...]],
    ) -> None:
        self.entity_ids = list(entity_ids)
        self.names = list(names)
        self.row = {e: i for i, e in enumerate(self.entity_ids)}
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.predicate_rows = np.asarray(predicate_rows, dtype=np.int64)
        self.predicates = list(predicates)
        self.types = list(types)
        self.chunk_ids = chunk_ids
        self.doc_ids = doc_ids
        n = len(self.entity_ids)
        ends = np.concatenate([self.src, self.dst])
        order = np.argsort(ends, kind="stable")
        self.incident = order % max(1, self.src.size)  # relation ids grouped by entity
        self.other = np.concatenate([self.dst, self.src])[order]
        self.degree = np.bincount(ends, minlength=n)
        self.ptr = np.concatenate([[0], np.cumsum(self.degree)])
        self._relations: dict[int, Relation] = {}
        """Relation row -> its Relation, made the first time a subgraph takes it (they are
        immutable; a question's subgraph holds up to ``max_edges`` of them, mostly the same ones
        as the last question's around a frequent entity)."""

    @classmethod
    def from_index_arrays(cls, arrays: Mapping[str, np.ndarray]) -> RelationTable:
        """From retrieval's graph-index arrays (``entity_ids``, ``entity_names``, ``rel_src``,
        ``rel_dst``, ``rel_pred``, ``predicates``, ``rel_chunk_ptr``/``rel_chunk_rows`` into
        ``chunk_ids``, ``chunk_doc_ids``); provenance tuples are made only for relations used."""
        predicates = [str(p) for p in arrays["predicates"].tolist()]
        provenance = _IndexProvenance(
            arrays["rel_chunk_ptr"],
            arrays["rel_chunk_rows"],
            arrays["chunk_ids"],
            arrays["rel_doc_ptr"],
            arrays["rel_doc_ids"],
        )
        return cls(
            arrays["entity_ids"].tolist(),
            arrays["entity_names"].tolist(),
            arrays["rel_src"],
            arrays["rel_dst"],
            arrays["rel_pred"],
            predicates,
            [relation_type(p) for p in predicates],
            provenance.chunks,
            provenance.docs,
        )

    def subgraph(
        self, seed_ids: Iterable[str], *, hops: int = 2, max_nodes: int = 500, max_edges: int = 2000
    ) -> Subgraph:
        """The ``hops``-hop neighbourhood of the seeds (both directions), cut at the bounds."""
        seeds = [self.row[s] for s in dict.fromkeys(seed_ids) if s in self.row][:max_nodes]
        in_graph = np.zeros(len(self.entity_ids), dtype=bool)
        in_graph[seeds] = True
        nodes = list(seeds)
        taken = np.zeros(self.src.size, dtype=bool)
        relations: list[int] = []
        frontier = np.array(seeds, dtype=np.int64)
        truncated = False
        for _ in range(hops):
            if frontier.size == 0 or truncated:
                break
            frontier = frontier[np.argsort(self.degree[frontier], kind="stable")]
            counts = self.degree[frontier]
            starts = np.repeat(self.ptr[frontier], counts)
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            pos = starts + offsets
            rel, other = self.incident[pos], self.other[pos]
            fresh = ~taken[rel]
            rel, other = rel[fresh], other[fresh]
            rel, first = np.unique(rel, return_index=True)
            order = np.argsort(first, kind="stable")
            rel, other = rel[order], other[first[order]]
            new = ~in_graph[other]
            # rank of each new entity by first appearance; only the first ones fit the node budget
            new_ids, new_first = np.unique(other[new], return_index=True)
            budget = max_nodes - len(nodes)
            allowed = new_ids[np.argsort(new_first, kind="stable")][: max(0, budget)]
            ok = ~new | np.isin(other, allowed)
            truncated = bool((~ok).any())
            rel, other = rel[ok], other[ok]
            room = max_edges - len(relations)
            if rel.size > room:
                rel, other, truncated = rel[:room], other[:room], True
            taken[rel] = True
            relations.extend(rel.tolist())
            fresh_ends = other[~in_graph[other]]
            added, at = np.unique(fresh_ends, return_index=True)
            added = added[np.argsort(at, kind="stable")]
            in_graph[added] = True
            nodes.extend(added.tolist())
            frontier = added
        rels = [self._relation(r) for r in relations]
        return Subgraph(
            entities=tuple(Entity(self.names[i], id=self.entity_ids[i]) for i in nodes),
            relations=tuple(rels),
            seeds=tuple(self.entity_ids[i] for i in seeds),
            truncated=truncated,
        )

    def _relation(self, r: int) -> Relation:
        relation = self._relations.get(r)
        if relation is None:
            relation = self._relations[r] = Relation(
                self.entity_ids[int(self.src[r])],
                self.types[int(self.predicate_rows[r])],
                self.entity_ids[int(self.dst[r])],
                self.predicates[int(self.predicate_rows[r])],
                self.chunk_ids[r],
                self.doc_ids[r],
            )
        return relation


class _IndexProvenance:
    """Per-relation chunk and document ids from CSR arrays, built on access."""

    def __init__(
        self,
        ptr: np.ndarray,
        rows: np.ndarray,
        chunk_ids: np.ndarray,
        doc_ptr: np.ndarray,
        doc_ids: np.ndarray,
    ) -> None:
        self.ptr, self.rows, self.chunk_ids = ptr, rows, chunk_ids
        self.doc_ptr, self.doc_ids = doc_ptr, doc_ids
        self.chunks = _Lazy(self._chunks, int(ptr.size) - 1)
        self.docs = _Lazy(self._docs, int(ptr.size) - 1)

    def _rows(self, rel: int) -> np.ndarray:
        return self.rows[int(self.ptr[rel]) : int(self.ptr[rel + 1])]

    def _chunks(self, rel: int) -> tuple[str, ...]:
        return tuple(str(c) for c in self.chunk_ids[self._rows(rel)])

    def _docs(self, rel: int) -> tuple[str, ...]:
        return tuple(str(d) for d in self.doc_ids[int(self.doc_ptr[rel]) : int(self.doc_ptr[rel + 1])])


class _Lazy(Sequence[tuple[str, ...]]):
    def __init__(self, get: Callable[[int], tuple[str, ...]], size: int) -> None:
        self.get, self.size = get, size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[str, ...]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, ...] | Sequence[tuple[str, ...]]:
        if isinstance(i, slice):
            return [self.get(j) for j in range(*i.indices(self.size))]
        return self.get(i)
