"""A hand-made graph index of four passages (the passage walk's and the fusion's unit tests)."""

from __future__ import annotations

import numpy as np

from hopgraph.retrieval.graph_index import GraphIndex, synonym_edges
from hopgraph.retrieval.text import Bm25


def _unit(*rows: list[float]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def tiny_index(
    titles: list[tuple[int, int]] | None = None, chunk_vecs: np.ndarray | None = None
) -> GraphIndex:
    """Entities: 0 Alice, 1 Bob, 2 Paris, 3 France, 4 Hub (mentioned everywhere), 5 Pariss (a synonym
    of Paris by vector). Chunks: c0 "Alice met Bob", c1 "Bob lives in Paris", c2 "Paris is in France",
    c3 "Hub ..." (mentions Hub only). Relations: Alice-knows->Bob, Bob-lives in->Paris,
    Paris-capital of->France. ``titles``: (chunk, entity) title edges (none by default);
    ``chunk_vecs``: the chunks' ``[4, d]`` vectors (none by default, as an index made by hand)."""
    vecs = _unit([1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1], [0, 0.05, 1, 0])
    mentions = [(0, 0), (0, 1), (0, 4), (1, 1), (1, 2), (1, 4), (2, 2), (2, 3), (2, 4), (3, 4)]
    s, d, w = synonym_edges(vecs, threshold=0.9, top_k=3)
    arrays = {
        "entity_ids": np.array(["alice", "bob", "paris", "france", "hub", "pariss"]),
        "entity_names": np.array(["Alice", "Bob", "Paris", "France", "Hub", "Pariss"]),
        "entity_vecs": vecs,
        "chunk_ids": np.array(["c0", "c1", "c2", "c3"]),
        "chunk_doc_ids": np.array(["d0", "d1", "d2", "d3"]),
        "rel_src": np.array([0, 1, 2], dtype=np.int32),
        "rel_dst": np.array([1, 2, 3], dtype=np.int32),
        "rel_pred": np.array([0, 1, 2], dtype=np.int32),
        "rel_chunk_ptr": np.array([0, 1, 2, 3]),
        "rel_chunk_rows": np.array([0, 1, 2], dtype=np.int32),
        "rel_doc_ptr": np.array([0, 1, 2, 3]),
        "rel_doc_ids": np.array(["d0", "d1", "d2"]),
        "predicates": np.array(["capital of", "knows", "lives in"]),
        "predicate_vecs": _unit([1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]),
        "mention_chunk": np.array([c for c, _ in mentions], dtype=np.int32),
        "mention_entity": np.array([e for _, e in mentions], dtype=np.int32),
        "syn_src": s,
        "syn_dst": d,
        "syn_sim": w,
        "title_chunk": np.array([c for c, _ in titles or []], dtype=np.int32),
        "title_entity": np.array([e for _, e in titles or []], dtype=np.int32),
        **Bm25.build(["Alice met Bob", "Bob lives in Paris", "Paris is in France", "Hub"]).arrays(),
    }
    if chunk_vecs is not None:
        arrays["chunk_vecs"] = np.asarray(chunk_vecs, dtype=np.float32)
    return GraphIndex(arrays, fingerprint="test")
