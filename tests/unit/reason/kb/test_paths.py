"""KB reasoning paths: their text (inverse edges keep the original predicate) and the in-graph check."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.ids import entity_id
from hopgraph.reason.kb.answerer import KBReasoner
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.paths import check_path
from hopgraph.reason.kb.questions import KBQuestion, resolve


@pytest.mark.slow
def test_path_text_shows_inverse_edges_with_the_original_predicate(
    trained: tuple[KBGraph, KBReasoner],
) -> None:
    graph, reasoner = trained
    question = KBQuestion("what languages are the films directed by [Director 4] in", "Director 4", (), 2)
    prediction = reasoner.predict(resolve(graph, [question]))[0]
    path = prediction.answers[0].path
    assert path is not None
    text = str(path)
    # Director 4 directs Movie 4, 14, 24, 34: the path walks directed_by backwards, then in_language
    assert text.startswith("[Director 4] <-[directed_by]- Movie ")
    assert "-[in_language]-> " + prediction.answers[0].name in text
    hops = path.to_reasoning_path().hops
    assert [(h.predicate, h.inverse) for h in hops] == [("directed_by", True), ("in_language", False)]
    assert str(path.to_reasoning_path()).startswith("Director 4 <-[directed_by]- Movie ")


@pytest.mark.slow
def test_check_path_rejects_a_path_that_is_not_in_the_graph(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    example = resolve(graph, [KBQuestion("who directed [Movie 3]", "Movie 3", ("Director 3",), 1)])[0]
    path = reasoner.predict([example])[0].answers[0].path
    assert path is not None and check_path(graph, path, entity_id("Movie 3"), entity_id("Director 3"))
    assert not check_path(graph, path, entity_id("Movie 3"), entity_id("Director 4"))  # wrong end
    assert not check_path(graph, path, entity_id("Movie 4"), entity_id("Director 3"))  # wrong start
    step = path.steps[0]
    forged_step = type(step)(
        step.source,
        step.source_name,
        step.predicate,
        step.relation_type,
        entity_id("Director 4"),
        "Director 4",
        step.inverse,
    )
    forged = type(path)((forged_step,), path.score)
    assert not check_path(graph, forged, entity_id("Movie 3"), entity_id("Director 4"))
