"""Relaxed relation sequences: answers when the best relation path hits a missing KB triple."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.ids import entity_id, relation_type  # noqa: E402
from hopgraph.reason.kb.encoder import Vocab  # noqa: E402
from hopgraph.reason.kb.graph import KBGraph  # noqa: E402
from hopgraph.reason.kb.paths import HopScores, PathIndex, check_path  # noqa: E402
from hopgraph.reason.kb.relax import (  # noqa: E402
    Relaxation,
    RelaxedAnswer,
    compatible_slots,
    relax,
    relaxation_stages,
    sequence_mass,
    walk,
)
from hopgraph.reason.kb.scorer import HopScorer, ReasonerConfig, TransferGraph  # noqa: E402
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
    ("Third Film", "written_by", "Pat"),
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


def _relax_one(
    model: HopScorer, transfer: TransferGraph, topic: int, slots: torch.Tensor
) -> dict[int, RelaxedAnswer]:
    """:func:`relax` for one question from ``topic`` along ``slots [T, 1]``, with no scores of
    the scorer's own to break ties."""
    no_scores = (torch.zeros(0, dtype=torch.long).numpy(), torch.zeros(0).numpy())
    hops = torch.tensor([slots.shape[0]])
    return relax(
        model.transfer,
        transfer,
        torch.tensor([topic]),
        slots,
        hops,
        no_scores,
        compatible_slots(transfer),
        torch.tensor([0]),
    )


def test_relaxation_stages_combine_inner_hops_and_keep_the_last_hop_for_last() -> None:
    def names(hops: int) -> list[list[str]]:
        return [[str(r) for r in stage] for stage in relaxation_stages(hops)]

    assert names(1) == [["hop 1 any relation"]]
    assert names(3) == [
        ["hop 1 any relation", "hop 2 any relation", "hop 1 any relation, hop 2 any relation"],
        ["through the topic"],
        ["hop 3 any relation"],
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
    found = _relax_one(model, transfer, topic, slots)
    assert list(found) == [0]
    answer = found[0]
    walk = answer.walks[int(answer.walk_of[0])]
    assert walk.relaxation == Relaxation(frozenset({0}))
    assert [graph.names[int(n)] for n in answer.nodes] == ["Other Film"]
    index = PathIndex(graph, transfer.edge_index.numpy(), transfer.edge_slot.numpy())
    lookup = HopScores(walk.hop_keys, walk.hop_values, 0, graph.num_nodes)
    paths = index.trace(int(answer.nodes[0]), topic, lookup, walk.attention, 2)
    assert paths and check_path(graph, paths[0], graph.node_ids[topic], graph.node_ids[int(answer.nodes[0])])
    assert str(paths[0]) == "[Lost Film] -[written_by]-> Pat <-[directed_by]- Other Film"


def test_sequence_mass_splits_each_node_over_the_edges_it_follows() -> None:
    graph, model = _setup()
    transfer = model.prepare(graph)
    lost, other = (graph.index_of(entity_id(x)) for x in ("Lost Film", "Other Film"))
    assert lost is not None and other is not None
    # row 0: "films directed by the writer of [Other Film]": Sam directed Third Film (one path)
    # row 1: "films directed by the director of [Lost Film]": Lost Film has no director, reaches nothing
    written, directed = _slot(model, graph, "written_by"), _slot(model, graph, "directed_by")
    directed_inv = _slot(model, graph, "directed_by", True)
    slots = torch.tensor([[written, directed], [directed_inv, directed_inv], [0, 0]])
    keys, mass = sequence_mass(
        model.transfer, transfer, torch.tensor([other, lost]), slots, torch.tensor([2, 2])
    )
    n = graph.num_nodes
    assert [(int(k) // n, graph.names[int(k) % n]) for k in keys] == [(0, "Third Film")]
    assert mass.tolist() == pytest.approx([1.0])
    # one hop from "Other Film" along written_by and release_year: two edges, half the mass each
    year = _slot(model, graph, "release_year")
    both = torch.zeros(1, 1, 2 * model.num_slots)
    both[0, 0, [written, year]] = 1.0
    keys_by_hop, mass_by_hop = walk(model.transfer, transfer, torch.tensor([other]), both)
    reached = {graph.names[int(k) % n]: float(m) for k, m in zip(keys_by_hop[0], mass_by_hop[0], strict=True)}
    assert reached == {"Sam": pytest.approx(0.5), "1990": pytest.approx(0.5)}


def test_a_stage_adds_up_its_walks_and_each_answer_keeps_a_path_of_its_own() -> None:
    graph, model = _setup()
    transfer = model.prepare(graph)
    topic = graph.index_of(entity_id("Lost Film"))
    assert topic is not None
    # "release years of the films directed by the director of [Lost Film]": no director stored
    slots = torch.tensor(
        [
            [_slot(model, graph, "directed_by")],
            [_slot(model, graph, "directed_by", True)],
            [_slot(model, graph, "release_year")],
        ]
    )
    answer = _relax_one(model, transfer, topic, slots)[0]
    # hop 1 loosened: Lost Film -> Pat -> (directed) Other Film -> 1990: all of that walk's mass.
    # hops 1 and 2 loosened: half to Pat, a third of that on to each of Other Film, Third Film
    # (and Lost Film, the topic: dropped); half to 1990, half of that on to Other Film (and Lost
    # Film). So 1990 gets 1/6 + 1/4 = 5/12, 1991 1/6: 5/7 and 2/7 of what arrives. Hop 2
    # loosened alone reaches nothing (no director to start from).
    assert [graph.names[int(n)] for n in answer.nodes] == ["1990", "1991"]
    assert answer.mass.tolist() == pytest.approx([1 + 5 / 7, 2 / 7])
    index = PathIndex(graph, transfer.edge_index.numpy(), transfer.edge_slot.numpy())
    for i, node in enumerate(answer.nodes.tolist()):
        walk = answer.walks[int(answer.walk_of[i])]
        lookup = HopScores(walk.hop_keys, walk.hop_values, 0, graph.num_nodes)
        [path] = index.trace(node, topic, lookup, walk.attention, 3)
        assert check_path(graph, path, graph.node_ids[topic], graph.node_ids[node])
    assert [str(w.relaxation) for w in answer.walks] == [
        "hop 1 any relation",
        "hop 1 any relation, hop 2 any relation",
    ]
    assert str(answer.walks[int(answer.walk_of[1])].relaxation) == "hop 1 any relation, hop 2 any relation"
