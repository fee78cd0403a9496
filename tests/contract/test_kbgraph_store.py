"""KBGraph.from_store reads the same graph as the store's own iterators, over any page size."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hopgraph.kg.base import GraphStore  # noqa: E402
from hopgraph.reason.kb.graph import KBGraph  # noqa: E402
from hopgraph.types import Triple  # noqa: E402

TRIPLES = [
    Triple("Heat", "directed_by", "Michael Mann"),
    Triple("Heat", "starred_actors", "Al Pacino"),
    Triple("Heat", "starred_actors", "Robert De Niro"),
    Triple("Heat", "release_year", "1995"),
    Triple("Collateral", "directed_by", "Michael Mann"),
    Triple("Collateral", "written_by", "Stuart Beattie"),
    Triple("Ronin", "starred_actors", "Robert De Niro"),
    Triple("Ronin", "release_year", "1998"),
]


@pytest.mark.parametrize("page_size", [2, 20_000])
def test_from_store_matches_the_store_iterators(store: GraphStore, page_size: int) -> None:
    store.upsert_triples(TRIPLES)
    read = KBGraph.from_store(store, page_size=page_size)
    expected = KBGraph.from_relations({e.id: e.name for e in store.iter_entities()}, store.iter_relations())
    assert read.node_ids == expected.node_ids and read.names == expected.names
    assert read.relation_types == expected.relation_types and read.predicates == expected.predicates
    edges = set(zip(read.src.tolist(), read.rel.tolist(), read.dst.tolist(), strict=True))
    assert edges == set(zip(expected.src.tolist(), expected.rel.tolist(), expected.dst.tolist(), strict=True))
    assert read.num_edges == len(TRIPLES)
    assert "directed_by" in read.predicates
