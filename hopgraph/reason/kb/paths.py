"""The path reasoner: trace a scored answer back to the topic entity over the scored edges.

Beam search backwards from the answer at the hop that contributed most to its score: at hop
``t`` each incoming edge ``u -> v`` is worth ``x_{t-1}[u] * a_t[slot(edge)]`` (the flow it carried),
and a partial path's score is the product of the relation attentions along it times the score of
its first node, so a complete path's score is the flow it carried from the topic (whose score at
hop 0 is 1). Every step is a stored relation, traversed forwards or backwards; a backwards step is
shown with the original predicate and a reversed arrow::

    [Joel Zwick] <-[directed_by]- My Big Fat Greek Wedding -[in_language]-> Greek
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from hopgraph.reason.kb.graph import KBGraph
from hopgraph.types import Hop, ReasoningPath


@dataclass(frozen=True, slots=True)
class PathStep:
    """``source -> target`` along the stored relation ``source -[predicate]-> target``, or
    (``inverse``) along the stored ``target -[predicate]-> source`` walked backwards."""

    source: str
    source_name: str
    predicate: str
    relation_type: str
    target: str
    target_name: str
    inverse: bool = False

    def stored(self) -> tuple[str, str, str]:
        """The stored relation as ``(source id, relation type, target id)``."""
        if self.inverse:
            return self.target, self.relation_type, self.source
        return self.source, self.relation_type, self.target


@dataclass(frozen=True, slots=True)
class KBPath:
    steps: tuple[PathStep, ...]
    score: float

    @property
    def answer(self) -> str:
        return self.steps[-1].target if self.steps else ""

    def __str__(self) -> str:
        if not self.steps:
            return ""
        parts = [f"[{self.steps[0].source_name}]"]
        for s in self.steps:
            arrow = f"<-[{s.predicate}]-" if s.inverse else f"-[{s.predicate}]->"
            parts.append(f"{arrow} {s.target_name}")
        return " ".join(parts)

    def to_reasoning_path(self) -> ReasoningPath:
        """As hopgraph's ReasoningPath, with entity names as the ends of each hop."""
        hops = tuple(
            Hop(
                s.source_name,
                s.predicate,
                s.target_name,
                inverse=s.inverse,
                source_id=s.source,
                target_id=s.target,
                type=s.relation_type,
            )
            for s in self.steps
        )
        return ReasoningPath(hops=hops, score=self.score)


def values_at(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``values`` of sorted ``keys`` at ``wanted`` (0 where a key is absent), as float32."""
    if keys.size == 0:
        return np.zeros(wanted.shape, dtype=np.float32)
    pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    return np.where(keys[pos] == wanted, values[pos], 0.0).astype(np.float32)


class HopScores:
    """One question's sparse per-hop scores: ``hop_scores(t, nodes)`` after hop ``t + 1``."""

    def __init__(self, keys: list[np.ndarray], values: list[np.ndarray], row: int, num_nodes: int) -> None:
        self.keys, self.values, self.base = keys, values, row * num_nodes

    def __call__(self, t: int, nodes: np.ndarray) -> np.ndarray:
        return values_at(self.keys[t], self.values[t], nodes + self.base)


class PathIndex:
    """Incoming message edges of every node, sorted by target (built once per graph and model)."""

    def __init__(self, graph: KBGraph, edge_index: np.ndarray, edge_slot: np.ndarray) -> None:
        self.graph = graph
        order = np.argsort(edge_index[1], kind="stable")
        self.edge = order  # message edge id, grouped by target
        self.src = edge_index[0][order]
        self.slot = edge_slot[order]
        counts = np.bincount(edge_index[1], minlength=graph.num_nodes)
        self.ptr = np.concatenate([[0], np.cumsum(counts)])

    @cached_property
    def stored_edges(self) -> int:
        return self.graph.num_edges

    def step(self, edge: int, src: int, dst: int) -> PathStep:
        """The :class:`PathStep` of message edge ``edge`` from node ``src`` to node ``dst``."""
        g = self.graph
        inverse = edge >= self.stored_edges
        rel = int(g.rel[edge - self.stored_edges if inverse else edge])
        return PathStep(
            g.node_ids[src],
            g.names[src],
            g.predicates[rel],
            g.relation_types[rel],
            g.node_ids[dst],
            g.names[dst],
            inverse,
        )

    def trace(
        self,
        answer: int,
        topic: int,
        hop_scores: HopScores,
        relation_attention: np.ndarray,
        hop: int,
        beam: int = 4,
        max_paths: int = 1,
    ) -> list[KBPath]:
        """Best paths of ``hop`` steps from ``topic`` to ``answer``.

        ``hop_scores(t, nodes)`` are the scores of ``nodes`` after hop ``t + 1``,
        ``relation_attention[t]`` the slot attention of hop ``t + 1``. Paths come back best first.
        """
        # a beam entry: (path score so far, [(edge, src, dst), ...] from the answer backwards, first node)
        beams: list[tuple[float, list[tuple[int, int, int]], int]] = [(1.0, [], answer)]
        for t in range(hop, 0, -1):
            ranked: list[tuple[float, float, list[tuple[int, int, int]], int]] = []
            for score, steps, node in beams:
                lo, hi = self.ptr[node], self.ptr[node + 1]
                src = self.src[lo:hi]
                weight = relation_attention[t - 1][self.slot[lo:hi]]
                before = hop_scores(t - 2, src) if t >= 2 else (src == topic).astype(np.float32)
                flow = before * weight
                keep = np.flatnonzero(flow > 0)
                if keep.size > beam:
                    keep = keep[np.lexsort((src[keep], -flow[keep]))[:beam]]
                for k in keep:
                    step = (int(self.edge[lo + k]), int(src[k]), node)
                    # rank by the flow this suffix can carry; keep the attention product as the score
                    ranked.append(
                        (score * float(flow[k]), score * float(weight[k]), [*steps, step], int(src[k]))
                    )
            ranked.sort(key=lambda c: (-c[0], c[3]))
            beams = [(score, steps, first) for _, score, steps, first in ranked[:beam]]
        paths = []
        for score, steps, first in beams:
            if first != topic:
                continue
            path = KBPath(tuple(self.step(e, s, d) for e, s, d in reversed(steps)), score)
            paths.append(path)
            if len(paths) >= max_paths:
                break
        return paths


def check_path(graph: KBGraph, path: KBPath, topic: str, answer: str) -> bool:
    """Whether ``path`` starts at ``topic``, ends at ``answer``, is connected, and every step is a
    stored relation of ``graph``."""
    if not path.steps or path.steps[0].source != topic or path.steps[-1].target != answer:
        return False
    type_index = {t: i for i, t in enumerate(graph.relation_types)}
    for i, s in enumerate(path.steps):
        if i and path.steps[i - 1].target != s.source:
            return False
        src, rel, dst = s.stored()
        a, b = graph.index_of(src), graph.index_of(dst)
        r = type_index.get(rel)
        if a is None or b is None or r is None or not graph.has_edge(a, r, b):
            return False
    return True
