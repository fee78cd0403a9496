"""Shared fixtures of the knowledge-base reasoner tests: a scorer trained once on the synthetic movie KB."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.graph import KBGraph


@pytest.fixture(scope="session")
def trained() -> tuple[KBGraph, KBReasoner]:
    """The movie KB and a reasoner trained on all its questions (seconds; torch imported here, lazily)."""
    pytest.importorskip("torch")
    pytest.importorskip("torch_geometric")
    from helpers.movie_kb import movie_graph, movie_questions

    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.questions import resolve
    from hopgraph.reason.kb.train import TrainConfig, train_scorer

    graph = movie_graph()
    config = TrainConfig(epochs=12, batch_size=16, lr=1e-2, dim=32, hidden=32, seed=1)
    model, report = train_scorer(graph, resolve(graph, movie_questions()), config)
    assert report.losses[-1] < report.losses[0]
    return graph, KBReasoner(model, graph)
