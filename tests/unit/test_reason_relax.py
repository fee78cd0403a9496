"""Relaxed relation sequences: answers when the best relation path hits a missing KB triple."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.ids import entity_id, relation_type  # noqa: E402
from hopgraph.reason.encoder import Vocab  # noqa: E402
from hopgraph.reason.gnn import HopScorer, ReasonerConfig  # noqa: E402
from hopgraph.reason.graph import KBGraph  # noqa: E402
from hopgraph.reason.paths import HopScores, PathIndex, check_path  # noqa: E402
from hopgraph.reason.relax import Relaxation, compatible_slots, relax, relaxations  # noqa: E402
from hopgraph.types import Relation  # noqa: E402

FACTS = [
    # "Lost Film" has no directed_by triple; its writer Pat directed "Other Film"
    ("Lost Film", "written_by", "Pat"),
    ("Lost Film", "release_year", "1990"),
    ("Other Film", "directed_by", "Pat"),
    ("Other Film", "written_by", "Sam"),
    ("Other Film", "release_year", "1990"),
    ("Third Film", "directed_by", "Sam"),
    ("Third Film", "release_year", "1991"),
]


def _graph() -> KBGraph:
    names = {entity_id(x): x for s, _, o in FACTS for x in (s, o)}
    relations = [Relation(entity_id(s), relation_type(p), entity_id(o), p) for s, p, o in FACTS]
    return KBGraph.from_relations(names, relations)


def _setup() -> tuple[KBGraph, HopScorer]:
    graph = _graph()
    model = HopScorer(ReasonerConfig(relations=tuple(graph.relation_types), dim=8, hidden=8), Vocab.build([]))
    return graph, model


def _slot(model: HopScorer, graph: KBGraph, predicate: str, inverse: bool = False) -> int:
    index = graph.relation_types.index(relation_type(predicate))
    return index + (model.num_slots if inverse else 0)


def test_relaxations_keep_the_last_hop_for_last() -> None:
    assert [str(r) for r in relaxations(1)] == ["hop 1 any relation"]
    assert [str(r) for r in relaxations(3)] == [
        "hop 1 any relation",
        "hop 2 any relation",
        "hop 1 any relation, hop 2 any relation",
        "through the topic",
        "hop 3 any relation",
    ]


def test_compatible_slots_pair_people_relations_but_not_years() -> None:
    graph, model = _setup()
    compatible = compatible_slots(model.prepare(graph))
    directed, written = _slot(model, graph, "directed_by"), _slot(model, graph, "written_by")
    year = _slot(model, graph, "release_year")
    assert compatible[directed, written] and compatible[written, directed]
    assert not compatible[directed, year]


def test_a_missing_first_triple_is_relaxed_and_the_path_exists() -> None:
    graph, model = _setup()
    transfer = model.prepare(graph)
    topic = graph.index_of(entity_id("Lost Film"))
    assert topic is not None
    # "which films did the director of [Lost Film] direct": directed_by, then directed_by backwards
    slots = torch.tensor([[_slot(model, graph, "directed_by")], [_slot(model, graph, "directed_by", True)]])
    found = relax(
        model.transfer,
        transfer,
        torch.tensor([topic]),
        slots,
        torch.tensor([2]),
        (torch.zeros(0, dtype=torch.long).numpy(), torch.zeros(0).numpy()),
        compatible_slots(transfer),
    )
    assert list(found) == [0]
    answer = found[0]
    assert answer.relaxation == Relaxation(frozenset({0}))
    assert [graph.names[int(n)] for n in answer.nodes] == ["Other Film"]
    index = PathIndex(graph, transfer.edge_index.numpy(), transfer.edge_slot.numpy())
    lookup = HopScores(answer.hop_keys, answer.hop_values, 0, graph.num_nodes)
    paths = index.trace(int(answer.nodes[0]), topic, lookup, answer.attention, 2)
    assert paths and check_path(graph, paths[0], graph.node_ids[topic], graph.node_ids[int(answer.nodes[0])])
    assert str(paths[0]) == "[Lost Film] -[written_by]-> Pat <-[directed_by]- Other Film"


def test_a_question_whose_exact_path_reaches_answers_is_not_relaxed() -> None:
    graph, model = _setup()
    transfer = model.prepare(graph)
    topic = graph.index_of(entity_id("Other Film"))
    assert topic is not None
    slots = torch.tensor([[_slot(model, graph, "written_by")], [_slot(model, graph, "directed_by", True)]])
    empty = (torch.zeros(0, dtype=torch.long).numpy(), torch.zeros(0).numpy())
    found = relax(
        model.transfer,
        transfer,
        torch.tensor([topic]),
        slots,
        torch.tensor([2]),
        empty,
        compatible_slots(transfer),
    )
    assert found == {}
