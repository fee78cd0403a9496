"""Document-graph reasoner on a hand-made graph: tensors, zero-shot scoring, checked and merged paths."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.reason.doc.paths import check_paths, find_paths, merge_paths, terminal_entities  # noqa: E402
from hopgraph.reason.doc.scorer import (  # noqa: E402
    DocScorer,
    DocScorerConfig,
    load_doc_scorer,
    save_doc_scorer,
)
from hopgraph.reason.doc.subgraph import RelationTable, ScoringGraph  # noqa: E402
from hopgraph.types import Entity, Hop, ReasoningPath, Relation, ScoredId, Subgraph  # noqa: E402

DIM = 16
PREDICATES = ["directed by", "born in", "released in", "married to", "located in"]
FACTS = [
    ("Heat", "directed by", "Michael Mann"),
    ("Michael Mann", "born in", "Chicago"),
    ("Heat", "released in", "1995"),
    ("Michael Mann", "married to", "Summer Mann"),
    ("Chicago", "located in", "Illinois"),
    ("Summer Mann", "born in", "Boston"),
]


def _basis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def predicate_vectors(texts: list[str]) -> np.ndarray:
    return np.stack([_basis(PREDICATES.index(t)) for t in texts])


def entity_vectors(ids: list[str]) -> np.ndarray:
    return np.stack([_basis(8 + (sum(map(ord, i)) % 8)) for i in ids])


def subgraph() -> Subgraph:
    names = sorted({n for s, _, o in FACTS for n in (s, o)})
    entities = tuple(Entity(n, id=f"e:{n}") for n in names)
    relations = tuple(
        Relation(f"e:{s}", p.upper().replace(" ", "_"), f"e:{o}", p, (f"c{i}",), (f"d{i}",))
        for i, (s, p, o) in enumerate(FACTS)
    )
    return Subgraph(entities, relations, seeds=("e:Heat",))


def question(*predicates: str) -> np.ndarray:
    v = sum(_basis(PREDICATES.index(p)) for p in predicates)
    return np.asarray(v / np.linalg.norm(v), dtype=np.float32)


@pytest.fixture
def graph() -> ScoringGraph:
    return ScoringGraph.build(
        subgraph(), [ScoredId("e:Heat", 2.0, "Heat")], entity_vectors, predicate_vectors
    )


def test_build_tensors(graph: ScoringGraph) -> None:
    assert graph.num_nodes == 7 and graph.num_edges == len(FACTS)
    heat, mann = graph.node_index["e:Heat"], graph.node_index["e:Michael Mann"]
    assert graph.edge_index[:, 0].tolist() == [heat, mann]  # stored direction
    assert graph.predicates[int(graph.edge_predicate[0])] == "directed by"
    assert graph.edge_chunk_ids[1] == ("c1",) and graph.edge_doc_ids[1] == ("d1",)
    assert graph.seed_rows == [heat] and float(graph.seed_weights[heat]) == 1.0
    assert torch.allclose(graph.node_vectors.norm(dim=1), torch.ones(7))
    assert graph.rows_named(["  chicago "]) == [graph.node_index["e:Chicago"]]


def test_build_ignores_unknown_seed_and_checks_lookup_shape() -> None:
    g = ScoringGraph.build(subgraph(), [ScoredId("e:nowhere", 1.0)], entity_vectors, predicate_vectors)
    assert g.seed_rows == []
    with pytest.raises(ValueError, match="entity vector"):
        ScoringGraph.build(subgraph(), [], lambda ids: np.zeros((1, DIM)), predicate_vectors)


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


def test_relation_table_subgraph_matches_store_semantics() -> None:
    sub = subgraph()
    names = {e.id: e.name for e in sub.entities}
    ids = list(names)
    index = {e: i for i, e in enumerate(ids)}
    preds = {p: i for i, p in enumerate(PREDICATES)}
    table = RelationTable(
        ids,
        [names[e] for e in ids],
        np.array([index[r.source] for r in sub.relations]),
        np.array([index[r.target] for r in sub.relations]),
        np.array([preds[r.predicate] for r in sub.relations]),
        PREDICATES,
        [p.upper().replace(" ", "_") for p in PREDICATES],
        [r.chunk_ids for r in sub.relations],
        [r.doc_ids for r in sub.relations],
    )
    one = table.subgraph(["e:Heat"], hops=1)
    assert {e.name for e in one.entities} == {"Heat", "Michael Mann", "1995"} and not one.truncated
    two = table.subgraph(["e:Heat", "e:unknown"], hops=2)
    assert {e.name for e in two.entities} == {"Heat", "Michael Mann", "1995", "Chicago", "Summer Mann"}
    assert set(two.relations) == {
        r for r in sub.relations if r.predicate != "located in" and "Boston" not in r.target
    }
    assert two.seeds == ("e:Heat",)
    cut = table.subgraph(["e:Heat"], hops=2, max_nodes=3)
    assert len(cut.entities) == 3 and cut.truncated
    assert len(table.subgraph(["e:Heat"], hops=2, max_edges=2).relations) == 2


def test_relation_table_from_index_arrays_reads_provenance_lazily() -> None:
    arrays = {
        "entity_ids": np.array(["e:a", "e:b", "e:c"]),
        "entity_names": np.array(["A", "B", "C"]),
        "rel_src": np.array([0, 1], dtype=np.int32),
        "rel_dst": np.array([1, 2], dtype=np.int32),
        "rel_pred": np.array([1, 0], dtype=np.int32),
        "predicates": np.array(["born in", "directed by"]),
        "rel_chunk_ptr": np.array([0, 2, 3]),
        "rel_chunk_rows": np.array([0, 1, 1], dtype=np.int32),
        "rel_doc_ptr": np.array([0, 2, 3]),
        "rel_doc_ids": np.array(["d0", "d1", "d1"]),
        "chunk_ids": np.array(["c0", "c1"]),
        "chunk_doc_ids": np.array(["d0", "d1"]),
    }
    table = RelationTable.from_index_arrays(arrays)
    sub = table.subgraph(["e:a"], hops=2)
    assert [(r.source, r.type, r.target, r.predicate) for r in sub.relations] == [
        ("e:a", "DIRECTED_BY", "e:b", "directed by"),
        ("e:b", "BORN_IN", "e:c", "born in"),
    ]
    assert sub.relations[0].chunk_ids == ("c0", "c1") and sub.relations[0].doc_ids == ("d0", "d1")
    assert sub.relations[1].chunk_ids == ("c1",) and len(table.chunk_ids) == 2
