"""The KB hop scorer: relation transfer along several paths, and its weights file (round trip, old format)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from helpers.movie_kb import movie_graph, movie_questions  # noqa: E402

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.ids import entity_id  # noqa: E402
from hopgraph.reason.kb.answerer import KBReasoner  # noqa: E402
from hopgraph.reason.kb.encoder import Vocab  # noqa: E402
from hopgraph.reason.kb.graph import KBGraph  # noqa: E402
from hopgraph.reason.kb.questions import resolve  # noqa: E402
from hopgraph.reason.kb.scorer import HopScorer, ReasonerConfig, RelationTransfer, load_scorer, save_scorer  # noqa: E402


@pytest.mark.slow
def test_weights_round_trip(trained: tuple[KBGraph, KBReasoner], short_tmp) -> None:
    graph, reasoner = trained
    path = short_tmp / "w.pt"
    save_scorer(reasoner.model, str(path), {"note": "test"})
    model, meta = load_scorer(str(path))
    assert meta == {"note": "test"}
    examples = resolve(graph, movie_questions()[:20])
    again = KBReasoner(model, graph).predict(examples, with_paths=False)
    assert [p.node for p in again] == [p.node for p in reasoner.predict(examples, with_paths=False)]


def test_an_entity_reached_along_more_paths_scores_slightly_higher() -> None:
    graph = movie_graph()
    model = HopScorer(ReasonerConfig(relations=tuple(graph.relation_types)), Vocab.build(["x"]))
    transfer = model.prepare(graph)
    m = model.num_slots
    directed, language = graph.relation_types.index("DIRECTED_BY"), graph.relation_types.index("IN_LANGUAGE")
    pairs, values = torch.tensor([graph.index_of(entity_id("Director 4"))]), torch.ones(1)
    for slot in (m + directed, language):  # Director 4 <-directed_by- Movie 4/14/24/34 -in_language->
        attention = torch.zeros(1, 2 * m)
        attention[0, slot] = 1.0
        pairs, values = RelationTransfer()(pairs, values, attention, transfer, 0.0, 0.01)
    scores = {graph.names[int(k)]: float(v) for k, v in zip(pairs, values, strict=True)}
    # Movies 4 and 34 are French, 14 Greek, 24 English: two paths reach French, one each the others
    assert scores == pytest.approx({"French": 1.01, "Greek": 1.0, "English": 1.0})


def test_weights_of_an_older_format_are_refused_with_what_to_do(short_tmp) -> None:
    path = short_tmp / "old.pt"
    torch.save({"format": "hopgraph-hopscorer-1", "config": {}, "vocab": [], "state_dict": {}}, path)
    with pytest.raises(ConfigError, match="retrain it with 'hopgraph train metaqa'"):
        load_scorer(str(path))
