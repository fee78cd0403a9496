"""Shared fixtures of the document-graph reasoner tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hopgraph.reason.doc.subgraph import ScoringGraph


@pytest.fixture
def graph() -> ScoringGraph:
    """The hand-made Heat graph as tensors, seeded at Heat (torch imported here, lazily)."""
    pytest.importorskip("torch")
    from helpers.heat_graph import entity_vectors, predicate_vectors, subgraph

    from hopgraph.reason.doc.subgraph import ScoringGraph
    from hopgraph.types import ScoredId

    return ScoringGraph.build(
        subgraph(), [ScoredId("e:Heat", 2.0, "Heat")], entity_vectors, predicate_vectors
    )
