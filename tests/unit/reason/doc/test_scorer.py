"""The document-graph scorer on a hand-made graph: zero-shot hops, query update, weights file."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from helpers.heat_graph import DIM, PREDICATES, entity_vectors, predicate_vectors, question, subgraph  # noqa: E402

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.reason.doc.paths import check_paths, find_paths, terminal_entities  # noqa: E402
from hopgraph.reason.doc.scorer import (  # noqa: E402
    DocScorer,
    DocScorerConfig,
    load_doc_scorer,
    save_doc_scorer,
)
from hopgraph.reason.doc.subgraph import ScoringGraph  # noqa: E402
from hopgraph.types import Subgraph  # noqa: E402


def test_two_hop_question_reaches_the_answer_zero_shot(graph: ScoringGraph) -> None:
    model = DocScorer(DocScorerConfig(dim=DIM)).eval()
    with torch.no_grad():
        scored = model(graph, question("directed by", "born in"))
    chicago = graph.node_index["e:Chicago"]
    assert int(scored.hop_node_scores[2].argmax()) == chicago
    # hop 2 prefers "born in" over the relations hop 1 used or that do not match
    assert float(scored.node_scores[chicago]) > 0.9
    assert float(scored.node_scores[graph.node_index["e:1995"]]) < 0.01
    assert float(scored.node_scores[graph.node_index["e:Summer Mann"]]) < 0.01
    paths = find_paths(graph, scored)
    # Michael Mann is a waypoint: hop 2's query pulls on to "born in", so the 2-hop path ranks first
    assert str(paths[0]) == "Heat -[directed by]-> Michael Mann -[born in]-> Chicago"
    assert "Heat -[directed by]-> Michael Mann" in [str(p) for p in paths[1:]]
    assert paths[0].hops[1].chunk_ids == ("c1",) and paths[0].hops[1].doc_ids == ("d1",)
    assert terminal_entities(paths, exclude=["Heat"])[0][0] == "Chicago"
    assert check_paths(paths, subgraph()) == paths


def test_query_update_changes_the_second_hop(graph: ScoringGraph) -> None:
    q = question("directed by", "born in")
    with torch.no_grad():
        moved = DocScorer(DocScorerConfig(dim=DIM)).eval()(graph, q)
        fixed = DocScorer(DocScorerConfig(dim=DIM, query_update=0.0)).eval()(graph, q)
    assert torch.allclose(moved.queries[0], fixed.queries[0])
    directed, born = PREDICATES.index("directed by"), PREDICATES.index("born in")
    # hop 1 used "directed by": hop 2's query loses that component and keeps "born in"
    assert abs(float(moved.queries[1][directed])) < 1e-6 < float(fixed.queries[1][directed])
    assert float(moved.queries[1][born]) == pytest.approx(float(fixed.queries[1][born]))
    # with nothing left to ask, hop 3 finds no good relation: paths do not grow past Chicago
    assert float(moved.hop_node_scores[3].max()) < 0.05


def test_empty_graph_and_wrong_dimension(graph: ScoringGraph) -> None:
    empty = ScoringGraph.build(Subgraph((), ()), [], entity_vectors, predicate_vectors)
    model = DocScorer(DocScorerConfig(dim=DIM)).eval()
    with torch.no_grad():
        scored = model(empty, question("born in"))
    assert scored.node_scores.numel() == 0 and find_paths(empty, scored) == []
    with pytest.raises(ConfigError, match="16-d"):
        model(graph, np.ones(5, dtype=np.float32))


def test_save_and_load_round_trip(tmp_path, graph: ScoringGraph) -> None:  # type: ignore[no-untyped-def]
    model = DocScorer(DocScorerConfig(dim=DIM, far_weight=0.3))
    with torch.no_grad():
        model.down.add_(0.05)
    path = tmp_path / "doc.pt"
    save_doc_scorer(model.eval(), path, {"questions": 3})
    loaded, meta = load_doc_scorer(path)
    assert meta == {"questions": 3} and loaded.config == model.config
    q = question("directed by", "born in")
    with torch.no_grad():
        assert torch.allclose(loaded(graph, q).node_scores, model(graph, q).node_scores)
    torch.save({"format": "other"}, tmp_path / "bad.pt")
    with pytest.raises(ConfigError, match="format"):
        load_doc_scorer(tmp_path / "bad.pt")
    with pytest.raises(ConfigError, match="train"):
        load_doc_scorer(tmp_path / "missing.pt")
