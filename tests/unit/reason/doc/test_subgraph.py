"""Scoring tensors of a document subgraph, and subgraphs cut from a relation table."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from helpers.heat_graph import DIM, FACTS, PREDICATES, entity_vectors, predicate_vectors, subgraph  # noqa: E402

from hopgraph.reason.doc.subgraph import RelationTable, ScoringGraph  # noqa: E402
from hopgraph.types import ScoredId  # noqa: E402


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
