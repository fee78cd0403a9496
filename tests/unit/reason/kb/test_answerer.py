"""KBReasoner on the synthetic movie KB: every answer comes with a path that is in the graph."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from helpers.movie_kb import movie_questions

from hopgraph.reason.kb.answerer import KBReasoner
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.paths import check_path
from hopgraph.reason.kb.questions import resolve


@pytest.mark.slow
def test_every_returned_path_exists_and_ends_at_the_answer(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    examples = resolve(graph, movie_questions())
    predictions = reasoner.predict(examples, top_k=3)
    checked = 0
    for example, prediction in zip(examples, predictions, strict=True):
        assert prediction.answers
        for answer in prediction.answers:
            assert answer.node != example.topic  # never the topic itself
            assert answer.path is not None
            assert check_path(graph, answer.path, graph.node_ids[example.topic], answer.entity)
            assert len(answer.path.steps) <= 3
            checked += 1
    assert checked >= len(examples)
