"""Personalized PageRank and the passage graph on hand-made graphs with known answers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp  # type: ignore[import-untyped]
from helpers.passage_index import tiny_index

from hopgraph.retrieval.ppr import PassageGraph, Transition, personalized_pagerank


def adjacency(n: int, edges: list[tuple[int, int, float]], undirected: bool = True) -> sp.csr_matrix:
    rows = [a for a, b, _ in edges] + ([b for a, b, _ in edges] if undirected else [])
    cols = [b for a, b, _ in edges] + ([a for a, b, _ in edges] if undirected else [])
    w = [x for *_, x in edges] * (2 if undirected else 1)
    return sp.csr_matrix((w, (rows, cols)), shape=(n, n))


def test_matches_networkx_personalized_pagerank() -> None:
    edges = [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 1.0), (3, 0, 0.5), (1, 4, 1.0), (4, 5, 1.0)]
    reset = np.array([1.0, 0, 0, 0, 0, 3.0])
    ours = personalized_pagerank(adjacency(6, edges), reset, damping=0.85, tol=1e-12, max_iter=500)
    g: nx.Graph = nx.Graph()
    g.add_weighted_edges_from(edges)
    theirs = nx.pagerank(g, alpha=0.85, personalization={0: 1.0, 5: 3.0}, tol=1e-12, max_iter=500)
    np.testing.assert_allclose(ours, [theirs[i] for i in range(6)], atol=1e-8)
    assert ours.sum() == pytest.approx(1.0)


def test_chain_ranks_by_distance_from_seed_and_dangling_mass_returns() -> None:
    # directed chain 0 -> 1 -> 2 -> 3; node 3 has no out-edges (dangling)
    matrix = adjacency(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], undirected=False)
    scores = personalized_pagerank(matrix, np.array([1.0, 0, 0, 0]), damping=0.5, tol=1e-12)
    assert list(np.argsort(-scores)) == [0, 1, 2, 3]
    assert scores.sum() == pytest.approx(1.0)


def test_zero_reset_and_bad_input() -> None:
    matrix = adjacency(3, [(0, 1, 1.0)])
    assert not personalized_pagerank(matrix, np.zeros(3)).any()
    with pytest.raises(ValueError, match="entries"):
        personalized_pagerank(matrix, np.ones(4))
    with pytest.raises(ValueError, match="damping"):
        personalized_pagerank(matrix, np.ones(3), damping=1.0)
    with pytest.raises(ValueError, match="non-negative"):
        personalized_pagerank(matrix, np.array([1.0, -1.0, 0.0]))
    with pytest.raises(ValueError, match="square"):
        Transition.from_adjacency(sp.csr_matrix((2, 3)))


def test_synonym_edges_link_only_close_names() -> None:
    index = tiny_index()
    pairs = list(zip(index.arrays["syn_src"].tolist(), index.arrays["syn_dst"].tolist(), strict=True))
    assert pairs == [(2, 5)]
    assert index.arrays["syn_sim"][0] > 0.99


def test_index_lookups() -> None:
    index = tiny_index()
    assert index.entity_row("paris") == 2 and index.entity_row("nobody") is None
    assert index.chunk_row("c2") == 2 and index.predicate_row("knows") == 1
    assert index.passages_of_entity(4).tolist() == [0, 1, 2, 3]
    assert index.passages_of_entity(5).tolist() == []
    assert index.passage_counts().tolist() == [1, 2, 2, 1, 4, 0]
    np.testing.assert_allclose(index.entity_vectors_by_id(["bob", "nobody"])[0], index.entity_vectors([1])[0])
    assert not index.entity_vectors_by_id(["nobody"]).any()
    assert index.predicate_vectors_of(["knows", "unseen"]).shape == (2, 4)
    assert [h.id for h in index.bm25_chunks("Where does Bob live, in Paris?", 5)] == [
        "c1",
        "c2",
        "c0",
    ]  # shorter c2 before c0


def test_rank_passages_follows_the_graph_from_the_seeds() -> None:
    graph = PassageGraph.from_index(tiny_index())
    scores = graph.rank_passages({0: 1.0}, {})  # seeded on Alice
    assert list(np.argsort(-scores)) == [0, 1, 2, 3]
    france = graph.rank_passages({3: 1.0}, {})
    assert int(np.argmax(france)) == 2
    # the synonym edge carries Pariss' weight into Paris' passages
    assert graph.rank_passages({5: 1.0}, {})[2] > 0
    assert not PassageGraph.from_index(tiny_index(), synonyms=False).rank_passages({5: 1.0}, {}).any()
    assert not graph.rank_passages({}, {}).any()


def test_specificity_damps_hub_entities() -> None:
    graph = PassageGraph.from_index(tiny_index())
    with_spec = graph.reset_vector({0: 1.0, 4: 1.0}, {})
    without = graph.reset_vector({0: 1.0, 4: 1.0}, {}, specificity=False)
    # Alice is in 1 passage, Hub in 4: with specificity Alice gets 4x Hub's reset mass
    assert with_spec[0] == pytest.approx(4 * with_spec[4])
    assert without[0] == pytest.approx(without[4])


def test_passage_mass_share() -> None:
    graph = PassageGraph.from_index(tiny_index())
    reset = graph.reset_vector({0: 2.0}, {3: 0.7, 1: 0.3}, passage_mass=0.05)
    assert reset[:6].sum() == pytest.approx(0.95) and reset[6:].sum() == pytest.approx(0.05)
    assert reset[6 + 3] == pytest.approx(0.035)
    assert graph.reset_vector({}, {3: 1.0})[6 + 3] == pytest.approx(1.0)
    # passage reset alone ranks the dense hit first even when it is an isolated-ish chunk
    assert int(np.argmax(graph.rank_passages({}, {3: 1.0}))) == 3


def test_title_edges_lead_the_walk_to_the_passage_about_an_entity() -> None:
    # Bob is named by c0 and c1 alike; c1 is about Bob (its title names him)
    plain = PassageGraph.from_index(tiny_index())
    titled = PassageGraph.from_index(tiny_index(titles=[(1, 1)]))
    bob = {1: 1.0}
    assert plain.rank_passages(bob, {}, specificity=False)[1] == pytest.approx(
        plain.rank_passages(bob, {}, specificity=False)[0], rel=0.2
    )
    scores = titled.rank_passages(bob, {}, specificity=False)
    assert scores[1] > 1.5 * scores[0]
    # the weight is the title edge's alone: none gives the plain graph back
    none = PassageGraph.from_index(tiny_index(titles=[(1, 1)]), title_weight=0.0)
    np.testing.assert_allclose(none.rank_passages(bob, {}), plain.rank_passages(bob, {}))


def test_zero_tolerance_takes_exactly_max_iter_steps_dangling_mass_included() -> None:
    # 0 -> 1 -> 2 -> 3, and 3 has no out-edges: its mass goes back by the reset distribution
    matrix = adjacency(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], undirected=False)
    walk = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    reset = np.array([0.75, 0.0, 0.25, 0.0])
    for steps in (1, 2, 5):
        x = reset.copy()
        for _ in range(steps):
            x = 0.6 * (walk @ x + x[3] * reset) + 0.4 * reset
        got = personalized_pagerank(matrix, reset, damping=0.6, tol=0.0, max_iter=steps)
        np.testing.assert_allclose(got, x, atol=1e-15)
