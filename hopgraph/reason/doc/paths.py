"""The path reasoner for document graphs: beam search from the seeds over the scored edges.

A path starts at a seed with the seed's weight; step ``k`` along message edge ``m`` (a stored
relation walked forwards or backwards) multiplies it by the scorer's attention of hop ``k + 1`` on
``m`` (the max over hops past the scorer's last hop). No node is visited twice. Every prefix of a
beam is a candidate path, so 1-hop answers compete with 3-hop ones on score. Paths with the same hop
sequence (entity names, predicate, direction) are merged: provenance unioned, best score kept.
Before anything is returned each hop is checked against the stored relations
(:func:`check_paths`): the reasoner never returns a path the graph does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from hopgraph.ids import name_key
from hopgraph.reason.base import path_prefixes
from hopgraph.reason.doc.scorer import ScoredGraph
from hopgraph.reason.doc.subgraph import ScoringGraph
from hopgraph.types import Hop, ReasoningPath, Subgraph

RANKINGS = ("attention", "coverage")
"""How :func:`find_paths` ranks: the attention flow, or question coverage (see :func:`_coverage`)."""
HOP_MARGIN = 0.02
"""How much more of the question (projection length, 0..1) each extra hop must explain."""
COVERAGE_POWER = 4.0
"""Sharpens coverage scores so the best-covering paths dominate the sum over path ends."""
StoredTable = dict[tuple[str, str, str], tuple[set[str], set[str]]]
"""(source name, predicate, target name) -> (chunk ids, doc ids) of the stored relations."""


def _table_of_graph(graph: ScoringGraph) -> StoredTable:
    table: StoredTable = {}
    src, dst = graph.edge_index.tolist() if graph.num_edges else ([], [])
    for e, (s, t) in enumerate(zip(src, dst, strict=True)):
        key = (
            name_key(graph.names[s]),
            graph.predicates[int(graph.edge_predicate[e])],
            name_key(graph.names[t]),
        )
        chunks, docs = table.setdefault(key, (set(), set()))
        chunks.update(graph.edge_chunk_ids[e])
        docs.update(graph.edge_doc_ids[e])
    return table


def _table_of_subgraph(subgraph: Subgraph) -> StoredTable:
    names = {e.id: e.name for e in subgraph.entities}
    table: StoredTable = {}
    for r in subgraph.relations:
        key = (
            name_key(names.get(r.source, r.source)),
            r.predicate or r.type,
            name_key(names.get(r.target, r.target)),
        )
        chunks, docs = table.setdefault(key, (set(), set()))
        chunks.update(r.chunk_ids)
        docs.update(r.doc_ids)
    return table


def _is_stored(path: ReasoningPath, table: StoredTable) -> bool:
    if not path.hops:
        return False
    seen = {name_key(path.hops[0].source)}
    for i, hop in enumerate(path.hops):
        if i and name_key(path.hops[i - 1].target) != name_key(hop.source):
            return False
        ends = (hop.target, hop.source) if hop.inverse else (hop.source, hop.target)
        stored = table.get((name_key(ends[0]), hop.predicate, name_key(ends[1])))
        if stored is None or not set(hop.chunk_ids) <= stored[0] or not set(hop.doc_ids) <= stored[1]:
            return False
        if name_key(hop.target) in seen:
            return False
        seen.add(name_key(hop.target))
    return True


def check_paths(paths: Iterable[ReasoningPath], subgraph: Subgraph | ScoringGraph) -> list[ReasoningPath]:
    """The paths whose every hop is a stored relation of ``subgraph`` (right direction, provenance a
    subset of the stored one), connected end to start, visiting no entity twice; order kept."""
    table = _table_of_graph(subgraph) if isinstance(subgraph, ScoringGraph) else _table_of_subgraph(subgraph)
    return [p for p in paths if _is_stored(p, table)]


def merge_paths(paths: Iterable[ReasoningPath]) -> list[ReasoningPath]:
    """One path per hop sequence (source, predicate, target, direction): provenance unioned in
    first-seen order, best score; best first (then fewer hops, then text)."""
    merged: dict[tuple[tuple[str, str, str, bool], ...], tuple[float, list[dict[str, list[str]]]]] = {}
    first: dict[tuple[tuple[str, str, str, bool], ...], ReasoningPath] = {}
    for p in paths:
        key = tuple((h.source, h.predicate, h.target, h.inverse) for h in p.hops)
        if key not in merged:
            merged[key] = (p.score, [{"c": list(h.chunk_ids), "d": list(h.doc_ids)} for h in p.hops])
            first[key] = p
            continue
        score, prov = merged[key]
        for slot, h in zip(prov, p.hops, strict=True):
            slot["c"] += [c for c in h.chunk_ids if c not in slot["c"]]
            slot["d"] += [d for d in h.doc_ids if d not in slot["d"]]
        merged[key] = (max(score, p.score), prov)
    out = []
    for key, (score, prov) in merged.items():
        hops = tuple(
            replace(h, chunk_ids=tuple(slot["c"]), doc_ids=tuple(slot["d"]))
            for h, slot in zip(first[key].hops, prov, strict=True)
        )
        out.append(ReasoningPath(hops=hops, score=score))
    out.sort(key=lambda p: (-p.score, len(p.hops), str(p)))
    return out


class _Adjacency:
    """Message edges grouped by source (``2E`` edges: forwards, then backwards)."""

    def __init__(self, graph: ScoringGraph) -> None:
        e = graph.num_edges
        ei = graph.edge_index.numpy()
        src = np.concatenate([ei[0], ei[1]])
        self.dst = np.concatenate([ei[1], ei[0]])
        self.order = np.argsort(src, kind="stable")
        counts = np.bincount(src, minlength=graph.num_nodes)
        self.ptr = np.concatenate([[0], np.cumsum(counts)])
        self.edges = e


def find_paths(
    graph: ScoringGraph,
    scored: ScoredGraph,
    *,
    hops: int | None = None,
    beam: int = 16,
    limit: int = 10,
    min_score: float = 1e-4,
    stop_penalty: bool = True,
    rank: str = "coverage",
    subgraph: Subgraph | None = None,
    prefixes: bool = False,
) -> list[ReasoningPath]:
    """Up to ``limit`` checked, merged paths from the seeds, best first (see the module docstring);
    with ``prefixes``, also every shorter path the search found that one of those goes on from
    (with its own score, in the same order): where no passage names the nodes a path passes
    through (a graph of imported triples), they are answers only as the ends of such prefixes
    ("Who won the Nobel Prize in Physics?": the winner, not what the winner discovered).

    ``rank="coverage"`` (the default) ranks by :func:`_coverage`. With ``rank="attention"`` and
    ``stop_penalty``, a path ending at ``v`` after ``k`` hops ranks by ``score * (1 - c)``,
    ``c`` the best attention of hop ``k + 1`` on an edge leaving ``v``: when the question still
    asks for a relation that ``v`` has ("where was the teacher of X born": after
    ``X <-[teacher of]- Y``, ``Y -[born in]-> Z`` draws hop 2), ``v`` is a waypoint, not the answer.
    Paths keep their plain score. They are checked against ``subgraph`` when given, else against
    ``graph``'s own edges."""
    if rank not in RANKINGS:
        raise ValueError(f"unknown path ranking {rank!r}; valid: {', '.join(RANKINGS)}")
    attention = scored.hop_attention.detach().numpy()
    hops = attention.shape[0] if hops is None else int(hops)
    if graph.num_edges == 0 or hops < 1 or beam < 1 or limit < 1:
        return []
    fallback = np.concatenate([scored.edge_scores.detach().numpy()] * 2)
    adj = _Adjacency(graph)
    seeds = graph.seed_weights.numpy()
    # a beam entry: (score, node, message edges so far, nodes visited)
    beams: list[tuple[float, int, tuple[int, ...], frozenset[int]]] = [
        (float(seeds[i]), int(i), (), frozenset([int(i)])) for i in np.flatnonzero(seeds > 0)
    ]
    found: list[tuple[float, tuple[int, ...], float]] = []
    for k in range(hops):
        weight = attention[k] if k < attention.shape[0] else fallback
        ranked: list[tuple[float, int, tuple[int, ...], frozenset[int]]] = []
        for score, node, steps, visited in beams:
            edges = adj.order[adj.ptr[node] : adj.ptr[node + 1]]
            if edges.size == 0:
                continue
            values = score * weight[edges]
            keep = np.flatnonzero(values > min_score)
            if keep.size > beam:
                keep = keep[np.argsort(-values[keep], kind="stable")[:beam]]
            for i in keep:
                target = int(adj.dst[edges[i]])
                if target not in visited:
                    ranked.append((float(values[i]), target, (*steps, int(edges[i])), visited | {target}))
        ranked.sort(key=lambda b: (-b[0], b[1]))
        beams = ranked[:beam]
        penalise = stop_penalty and rank == "attention"  # coverage ranking replaces these keys
        after = attention[k + 1] if penalise and k + 1 < min(hops, attention.shape[0]) else None
        for s, node, steps, visited in beams:
            found.append((s, steps, s * (1.0 - _continuation(adj, after, node, visited))))
    if rank != "attention":
        # the question itself, not the scorer's (possibly trained) first-hop query: coverage asks
        # how much of what was asked the path's relations explain
        found = _coverage(graph, adj, seeds, scored.question.detach().numpy(), found)
    paths = [_to_path(graph, adj, steps, score) for score, steps, _ in found]
    keys = {str(p): key for p, (_, _, key) in zip(paths, found, strict=True)}
    checked = check_paths(merge_paths(paths), subgraph if subgraph is not None else graph)
    checked.sort(key=lambda p: (-keys.get(str(p), p.score), len(p.hops), str(p)))
    best = checked[:limit]
    if prefixes:
        starts = path_prefixes(best)
        best += [p for p in checked[limit:] if p.hops in starts]
        best.sort(key=lambda p: (-keys.get(str(p), p.score), len(p.hops), str(p)))
    return best


def _coverage(
    graph: ScoringGraph,
    adj: _Adjacency,
    seeds: np.ndarray,
    query: np.ndarray,
    found: list[tuple[float, tuple[int, ...], float]],
) -> list[tuple[float, tuple[int, ...], float]]:
    """Rescore each path by how much of the question its relations explain together: the length
    of the question vector's projection onto the span of the path's predicate vectors, less
    :data:`HOP_MARGIN` per hop after the first, to the :data:`COVERAGE_POWER`, times the seed's
    weight. "teacher of" and "born in" together explain "where was the teacher of X born" better
    than either; a repeated or unrelated predicate adds (almost) nothing to the span, so the
    margin keeps the shorter path."""
    if not found:
        return []
    vectors = graph.predicate_vectors.numpy()
    preds = graph.edge_predicate.numpy()
    ei = graph.edge_index.numpy()
    out = []
    for _, steps, _ in found:
        first = steps[0]
        start = ei[1, first - adj.edges] if first >= adj.edges else ei[0, first]
        basis, _ = np.linalg.qr(vectors[[preds[m % adj.edges] for m in steps]].T)
        explained = float(np.linalg.norm(basis.T @ query)) - HOP_MARGIN * (len(steps) - 1)
        score = float(seeds[start]) * max(explained, 0.0) ** COVERAGE_POWER
        out.append((score, steps, score))
    return out


def _continuation(adj: _Adjacency, attention: np.ndarray | None, node: int, visited: frozenset[int]) -> float:
    """How strongly the next hop's query pulls onward from ``node``: the best next-hop attention on
    an edge to a node not yet visited (0 at the hop limit)."""
    if attention is None:
        return 0.0
    edges = adj.order[adj.ptr[node] : adj.ptr[node + 1]]
    onward = [int(m) for m in edges if int(adj.dst[m]) not in visited]
    return float(attention[onward].max()) if onward else 0.0


def _to_path(graph: ScoringGraph, adj: _Adjacency, steps: Sequence[int], score: float) -> ReasoningPath:
    hops = []
    ei = graph.edge_index
    for m in steps:
        inverse = m >= adj.edges
        e = m - adj.edges if inverse else m
        s, t = int(ei[0, e]), int(ei[1, e])
        if inverse:
            s, t = t, s
        hops.append(
            Hop(
                graph.names[s],
                graph.predicates[int(graph.edge_predicate[e])],
                graph.names[t],
                graph.edge_chunk_ids[e],
                graph.edge_doc_ids[e],
                inverse,
                source_id=graph.node_ids[s],
                target_id=graph.node_ids[t],
                type=graph.edge_types[e],
            )
        )
    return ReasoningPath(hops=tuple(hops), score=score)


def terminal_entities(paths: Sequence[ReasoningPath], exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
    """Distinct path ends in path order with their best path score, leaving out ``exclude`` names
    (case-insensitive; e.g. the seeds)."""
    skip = {name_key(n) for n in exclude}
    out: dict[str, tuple[str, float]] = {}
    for p in paths:
        key = name_key(p.answer)
        if key and key not in skip and key not in out:
            out[key] = (p.answer, p.score)
    return list(out.values())
