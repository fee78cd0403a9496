"""Rendering answers: terminal text, the JSON schema, and the self-contained HTML drawing."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest

from hopgraph.errors import ConfigError
from hopgraph.ids import entity_id
from hopgraph.render.text import SCHEMA, answer_to_dict, render_text
from hopgraph.types import Answer, Chunk, Entity, Hop, ReasoningPath, Relation, ScoredId, Subgraph

HEAT = Chunk("d_heat", 0, "Heat is a 1995 American crime film written and directed by Michael Mann. " * 8)
MANN = Chunk("d_mann", 0, "Michael Mann was born in Chicago, Illinois, on February 5, 1943.")
OTHER = Chunk("d_other", 0, "Collateral is a 2004 film starring Tom Cruise.")
TITLES = {"d_heat": "Heat (1995 film)", "d_mann": "Michael Mann"}
P1 = ReasoningPath(
    (
        Hop("Heat", "directed by", "Michael Mann", (HEAT.id,), ("d_heat",)),
        Hop("Michael Mann", "born in", "Chicago", (MANN.id,), ("d_mann",)),
    ),
    score=0.625,
)
P2 = ReasoningPath(
    (
        Hop("Heat", "directed", "Michael Mann", ("c_elsewhere",), ("d_heat", "d_kb"), inverse=True),
        Hop("Michael Mann", "born in", "Chicago", (MANN.id,), ("d_mann",)),
    ),
    score=0.25,
)
NAMES = ["Heat", "Michael Mann", "Chicago", "Illinois", "Al Pacino", "Robert De Niro"]


def rel(
    source: str, predicate: str, target: str, chunks: tuple[str, ...] = (), docs: tuple[str, ...] = ()
) -> Relation:
    return Relation(
        entity_id(source), predicate.upper().replace(" ", "_"), entity_id(target), predicate, chunks, docs
    )


EVIDENCE = Subgraph(
    tuple(Entity(n, "Person" if " " in n else "Thing") for n in NAMES),
    (
        rel("Heat", "directed by", "Michael Mann", (HEAT.id,), ("d_heat",)),
        rel("Michael Mann", "directed", "Heat", ("c_elsewhere",)),
        rel("Michael Mann", "born in", "Chicago", (MANN.id,), ("d_mann",)),
        rel("Chicago", "located in", "Illinois"),
        rel("Al Pacino", "starred in", "Heat"),
        rel("Robert De Niro", "starred in", "Heat"),
    ),
    seeds=(entity_id("Heat"),),
)
ANSWER = Answer(
    text="Chicago [P1]",
    paths=(P1, P2),
    chunks=(HEAT, MANN, OTHER),
    citations=("P1", "C1", "C2"),
    timings={"link": 2.5, "generate": 120.25},
    chunk_scores=(0.9, 0.5, float("nan")),
    seeds=(ScoredId(entity_id("Heat"), 1.0, "Heat"),),
    unknown_citations=("P7",),
    evidence=EVIDENCE,
    answerer="llm:test",
    question="Where was the director of Heat born?",
)


def test_text_shows_answer_paths_with_sources_cited_passages_and_flags() -> None:
    text = render_text(ANSWER, titles=TITLES)
    lines = text.splitlines()
    assert lines[:2] == ["Question: Where was the director of Heat born?", "Answer: Chicago [P1]"]
    assert "  P1* Heat -[directed by]-> Michael Mann -[born in]-> Chicago" in lines
    assert "  P2  Heat <-[directed]- Michael Mann -[born in]-> Chicago" in lines
    p1_sources = lines[lines.index("  P1* Heat -[directed by]-> Michael Mann -[born in]-> Chicago") + 1]
    assert p1_sources.strip() == 'sources: C1 "Heat (1995 film)"; C2 "Michael Mann"'
    # a chunk outside the answer is named by id; a document with no chunk of the path by id
    assert 'sources: chunk c_elsewhere; C2 "Michael Mann"; doc d_heat "Heat (1995 film)"; doc d_kb' in text
    assert f'C1 "Heat (1995 film)" (chunk {HEAT.id}, doc d_heat)' in text
    excerpt = next(line for line in lines if line.strip().startswith("Heat is a 1995"))
    assert len(excerpt.strip()) <= 240 and excerpt.endswith("…")
    assert "Collateral" not in text  # C3 is not cited
    assert "Flagged citations" in text and text.rstrip().endswith("P7")
    assert "score" not in text and "Seeds" not in text and "Timings" not in text


def test_explain_adds_scores_seeds_evidence_and_timings() -> None:
    text = render_text(ANSWER, explain=True)
    assert "Answered by: llm:test" in text
    assert "P1* Heat -[directed by]-> Michael Mann -[born in]-> Chicago  (score 0.625)" in text
    assert re.search(r"C1\* \(chunk c\w+, doc d_heat\)  score 0\.9", text)
    assert "Collateral is a 2004 film" in text  # explain lists every passage
    assert "Seeds: Heat (1)" in text
    assert "Evidence subgraph: 6 entities, 6 relations" in text
    assert "Timings (ms): link 2.5, generate 120.2" in text


def test_text_of_a_bare_answer_is_just_the_answer() -> None:
    assert render_text(Answer("No answer could be derived from the graph.")) == (
        "Answer: No answer could be derived from the graph."
    )


def test_json_has_a_stable_schema_and_explain_adds_scores() -> None:
    data = answer_to_dict(ANSWER, titles=TITLES)
    assert list(data) == [
        "schema", "question", "answer", "answerer", "confidence", "best_guess", "abstained", "notes",
        "citations", "unknown_citations", "paths", "chunks",
    ]  # fmt: skip
    assert data["schema"] == SCHEMA and data["answer"] == "Chicago [P1]"
    assert data["citations"] == ["P1", "C1", "C2"] and data["unknown_citations"] == ["P7"]
    p1, p2 = data["paths"]
    assert p1["label"] == "P1" and p1["cited"] and not p2["cited"]
    assert p1["text"] == str(P1) and p1["answer"] == "Chicago"
    assert p1["chunk_labels"] == ["C1", "C2"] and p2["chunk_labels"] == ["C2"]
    assert p2["chunk_ids"] == ["c_elsewhere", MANN.id] and p2["doc_ids"] == ["d_heat", "d_kb", "d_mann"]
    assert p2["hops"][0] == {
        "source": "Heat", "predicate": "directed", "target": "Michael Mann", "inverse": True,
        "chunk_ids": ["c_elsewhere"], "doc_ids": ["d_heat", "d_kb"],
    }  # fmt: skip
    c1, _, c3 = data["chunks"]
    assert c1 == {
        "label": "C1", "id": HEAT.id, "doc_id": "d_heat", "title": "Heat (1995 film)", "ord": 0,
        "text": HEAT.text, "cited": True,
    }  # fmt: skip
    assert c3["title"] == "" and not c3["cited"]
    assert "score" not in p1 and "explain" not in data
    json.dumps(data, allow_nan=False)

    explained = answer_to_dict(ANSWER, explain=True)
    assert explained["paths"][0]["score"] == 0.625
    assert [c["score"] for c in explained["chunks"]] == [0.9, 0.5, None]  # NaN is not JSON
    assert explained["explain"] == {
        "seeds": [{"id": entity_id("Heat"), "name": "Heat", "score": 1.0}],
        "timings": {"link": 2.5, "generate": 120.25},
        "evidence": {"entities": 6, "relations": 6, "truncated": False},
    }
    json.dumps(explained, allow_nan=False)


# -- HTML -----------------------------------------------------------------------------------------


def test_html_page_is_self_contained_and_highlights_the_paths(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    from hopgraph.render.html import build_figure, write_html

    out = write_html(ANSWER, tmp_path / "answer.html", titles=TITLES)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is embedded: works offline
    assert "Plotly.newPlot" in page and len(page) > 1_000_000
    assert "Heat -[directed by]-&gt; Michael Mann -[born in]-&gt; Chicago" in page
    assert "Flagged citations" in page and "Michael Mann was born in Chicago" in page
    assert not list(tmp_path.glob(".*.tmp"))

    figure = build_figure(ANSWER, titles=TITLES)
    names = [trace.name for trace in figure.data]
    assert names[:2] == ["relations", "statements"] and names[-1] == "entities"
    assert names[2:4] == [f"P1: {P1}", f"P2: {P2}"]
    nodes = figure.data[-1]
    assert len(nodes.x) == 6
    hover = dict(zip([t.split("<br>")[0] for t in nodes.hovertext], nodes.marker.symbol, strict=True))
    assert hover["<b>Chicago</b>"] == "star" and hover["<b>Heat</b>"] == "diamond"
    statements = " | ".join(figure.data[1].hovertext)
    assert (
        f'Michael Mann -[born in]-&gt; Chicago<br>chunks: {MANN.id}<br>docs: d_mann "Michael Mann"'
        in statements
    )
    # every hop gets one arrow in stored direction: P2's inverse hop points from Michael Mann to Heat
    arrows = figure.layout.annotations
    assert len(arrows) == 4
    pos = {t.split("<br>")[0]: (x, y) for t, x, y in zip(nodes.hovertext, nodes.x, nodes.y, strict=True)}
    inverse = arrows[2]
    assert (inverse.ax, inverse.ay) == pos["<b>Michael Mann</b>"] and (inverse.x, inverse.y) == pos[
        "<b>Heat</b>"
    ]


def test_html_caps_the_drawn_nodes_but_keeps_paths_and_seeds(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    from hopgraph.render.html import build_figure

    figure = build_figure(ANSWER, max_nodes=4)
    labels = {t.split("<br>")[0] for t in figure.data[-1].hovertext}
    assert len(labels) == 4 and {"<b>Heat</b>", "<b>Michael Mann</b>", "<b>Chicago</b>"} < labels
    kept = {(a, b) for a, b in zip(figure.data[0].x[0::3], figure.data[0].x[1::3], strict=True)}
    assert len(kept) == 4  # only relations between drawn nodes: 3 on the paths + 1 to the extra node
    no_evidence = build_figure(Answer("Chicago", paths=(P1,)))
    assert len(no_evidence.data[-1].x) == 3  # the path alone is drawn
    empty = build_figure(Answer("nothing"))
    assert len(empty.data[-1].x) == 0


def test_write_html_creates_no_folders(tmp_path: Path) -> None:
    """From Python as from the CLI: a missing folder is a clear error, and nothing is created."""
    pytest.importorskip("plotly")
    from hopgraph.render.html import write_html

    with pytest.raises(ConfigError, match=r"no folder .*nope.*create it first"):
        write_html(ANSWER, tmp_path / "nope" / "deeper" / "a.html")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError, match="is a folder"):
        write_html(ANSWER, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_html_without_plotly_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hopgraph.render.html import write_html

    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(ConfigError, match=r"hopgraph\[viz\]"):
        write_html(ANSWER, tmp_path / "a.html")
    assert not (tmp_path / "a.html").exists()


def test_an_answer_citing_nothing_shows_its_passages() -> None:
    """The no-answer text points to "the passages below", and --method ppr answers cite no path:
    the retrieved passages must be on the terminal, not only in --json."""
    bare = Answer(
        "No answer could be derived. The passages below are the closest text matches.", chunks=(HEAT, MANN)
    )
    text = render_text(bare, titles=TITLES)
    assert "Closest passages (not cited by the answer):" in text
    assert f'C1 "{TITLES["d_heat"]}" (chunk {HEAT.id}' in text and f"(chunk {MANN.id}" in text


def test_titles_come_with_the_answer_when_none_are_passed() -> None:
    titled = dataclasses.replace(ANSWER, titles=TITLES)
    assert render_text(titled) == render_text(ANSWER, titles=TITLES)
    assert answer_to_dict(titled) == answer_to_dict(ANSWER, titles=TITLES)
