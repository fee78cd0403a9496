"""Training the KB scorer on the synthetic movie KB: the loss falls and two-hop answers come out right."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from helpers.movie_kb import movie_questions

from hopgraph.reason.kb.answerer import KBReasoner
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.questions import resolve


@pytest.mark.slow
def test_reaches_perfect_accuracy_on_two_hop_questions(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    examples = resolve(graph, [q for q in movie_questions() if q.hops == 2])
    predictions = reasoner.predict(examples, with_paths=False)
    hits = [p.node in e.answers for p, e in zip(predictions, examples, strict=True)]
    assert len(hits) == 60
    assert all(hits)
