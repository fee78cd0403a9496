"""Document-graph reasoning paths: inverse hops without revisits, forged paths rejected, duplicates merged."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from helpers.heat_graph import DIM, entity_vectors, predicate_vectors, question, subgraph  # noqa: E402

from hopgraph.reason.doc.paths import check_paths, find_paths, merge_paths  # noqa: E402
from hopgraph.reason.doc.scorer import (  # noqa: E402
    DocScorer,
    DocScorerConfig,
)
from hopgraph.reason.doc.subgraph import ScoringGraph  # noqa: E402
from hopgraph.types import Hop, ReasoningPath, ScoredId  # noqa: E402


def test_inverse_hops_and_no_revisits() -> None:
    sub = subgraph()
    g = ScoringGraph.build(sub, [ScoredId("e:Chicago", 1.0)], entity_vectors, predicate_vectors)
    with torch.no_grad():
        scored = DocScorer(DocScorerConfig(dim=DIM)).eval()(g, question("born in", "directed by"))
    paths = find_paths(g, scored, limit=50)
    text = [str(p) for p in paths]
    assert "Chicago <-[born in]- Michael Mann <-[directed by]- Heat" in text
    assert all(len({h.target for h in p.hops} | {p.hops[0].source}) == len(p.hops) + 1 for p in paths)
    assert any(h.inverse for p in paths for h in p.hops)


def test_forged_paths_are_rejected(graph: ScoringGraph) -> None:
    real = ReasoningPath((Hop("Heat", "directed by", "Michael Mann", ("c0",), ("d0",)),), 1.0)
    wrong_direction = ReasoningPath((Hop("Michael Mann", "directed by", "Heat"),), 1.0)
    wrong_predicate = ReasoningPath((Hop("Heat", "born in", "Michael Mann"),), 1.0)
    wrong_chunk = ReasoningPath((Hop("Heat", "directed by", "Michael Mann", ("c9",)),), 1.0)
    broken = ReasoningPath(
        (Hop("Heat", "directed by", "Michael Mann"), Hop("Chicago", "located in", "Illinois")), 1.0
    )
    inverse = ReasoningPath((Hop("Michael Mann", "directed by", "Heat", inverse=True),), 1.0)
    paths = [real, wrong_direction, wrong_predicate, wrong_chunk, broken, inverse]
    assert check_paths(paths, subgraph()) == [real, inverse]
    assert check_paths(paths, graph) == [real, inverse]


def test_duplicates_are_merged() -> None:
    a = ReasoningPath((Hop("A", "p", "B", ("c1",), ("d1",)),), 0.5)
    b = ReasoningPath((Hop("A", "p", "B", ("c2", "c1"), ("d2",)),), 0.8)
    c = ReasoningPath((Hop("A", "p", "B", ("c3",), ("d3",), inverse=True),), 0.1)
    merged = merge_paths([a, b, c])
    assert len(merged) == 2
    assert merged[0].score == 0.8 and merged[0].hops[0].chunk_ids == ("c1", "c2")
    assert merged[0].hops[0].doc_ids == ("d1", "d2")


def test_prefixes_of_the_best_paths_come_with_them() -> None:
    # a graph of triples has no passage to name the nodes a path passes through: the prefixes
    # are how they compete as answers ("Who won X?": the winner, not what the winner discovered)
    sub = subgraph()
    g = ScoringGraph.build(sub, [ScoredId("e:Chicago", 1.0)], entity_vectors, predicate_vectors)
    with torch.no_grad():
        scored = DocScorer(DocScorerConfig(dim=DIM)).eval()(g, question("born in", "directed by"))
    every = {str(p): p for p in find_paths(g, scored, limit=100)}
    best = find_paths(g, scored, limit=2)
    both = find_paths(g, scored, limit=2, prefixes=True)
    longest = max(len(p.hops) for p in best)
    assert longest >= 2 and all(p in both for p in best)
    extra = [p for p in both if p not in best]
    assert extra, "a two-hop best path has a one-hop prefix"
    for path in extra:  # each a proper prefix of a best path, as the full search scored it
        assert any(len(path.hops) < len(b.hops) and b.hops[: len(path.hops)] == path.hops for b in best)
        assert every[str(path)].score == path.score
    assert [p.score for p in both] == sorted((p.score for p in both), reverse=True)
