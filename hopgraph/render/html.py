"""An :class:`~hopgraph.types.Answer` as one self-contained HTML page (works offline).

The page shows the question, the answer, its reasoning paths and cited passages, and an
interactive drawing (plotly, its JavaScript embedded; networkx spring layout, seeded so the same
answer is drawn the same way) of the evidence subgraph (``answer.evidence``, or the paths alone
when there is none) with each path highlighted in its own colour and arrows in stored direction.
Hovering a node shows its name, type, aliases and the paths through it; hovering an edge's
midpoint shows the statement and its provenance (chunk ids, document ids and titles).

plotly is optional: ``pip install 'hopgraph[viz]'``. It is imported on first use.
"""

from __future__ import annotations

import html
import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from hopgraph.errors import ConfigError
from hopgraph.ids import entity_id, normalize_name
from hopgraph.reason.base import chunk_label, path_label
from hopgraph.render.text import chunk_labels, path_provenance
from hopgraph.types import Answer, ReasoningPath
from hopgraph.util.paths import check_output_file, write_atomic
from hopgraph.util.text import excerpt

PATH_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#8c564b", "#bcbd22")
MAX_NODES = 300


def _plotly() -> tuple[Any, Any]:
    try:
        return importlib.import_module("plotly.graph_objects"), importlib.import_module("plotly.io")
    except ImportError as exc:
        raise ConfigError(
            "drawing an answer as HTML needs plotly, which is not installed: "
            "pip install 'hopgraph[viz]' (or pip install plotly)"
        ) from exc


@dataclass
class _Node:
    name: str
    type: str = ""
    aliases: tuple[str, ...] = ()
    seed: float | None = None
    paths: list[str] = field(default_factory=list)
    is_answer: bool = False


@dataclass
class _Drawing:
    """The graph to draw: nodes by id, statements (src, dst) -> hover lines, path node sequences."""

    nodes: dict[str, _Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    paths: list[tuple[str, list[str], list[tuple[str, str]]]] = field(default_factory=list)


def _collect(answer: Answer, titles: Mapping[str, str], max_nodes: int) -> _Drawing:
    drawing = _Drawing()
    evidence = answer.evidence
    by_name: dict[str, str] = {}
    if evidence is not None:
        for entity in evidence.entities:
            drawing.nodes[entity.id] = _Node(entity.name, entity.type, entity.aliases)
            by_name.setdefault(normalize_name(entity.name).casefold(), entity.id)

    def node_of(name: str) -> str:
        key = by_name.get(normalize_name(name).casefold()) or entity_id(name)
        drawing.nodes.setdefault(key, _Node(name))
        return key

    for i, path in enumerate(answer.paths, 1):
        label = path_label(i)
        ids = [node_of(path.hops[0].source)] if path.hops else []
        arrows: list[tuple[str, str]] = []
        for hop in path.hops:
            src, dst = ids[-1], node_of(hop.target)
            ids.append(dst)
            stored = (dst, src) if hop.inverse else (src, dst)
            arrows.append(stored)
            a, b = (hop.target, hop.source) if hop.inverse else (hop.source, hop.target)
            _add_statement(
                drawing, stored, f"{a} -[{hop.predicate}]-> {b}", hop.chunk_ids, hop.doc_ids, titles
            )
        for node in dict.fromkeys(ids):
            drawing.nodes[node].paths.append(label)
        drawing.paths.append((f"{label}: {path}", ids, arrows))
    _mark_answer(drawing, answer.text)
    for seed in answer.seeds:
        if seed.id in drawing.nodes:
            drawing.nodes[seed.id].seed = seed.score
        elif seed.text:
            drawing.nodes[node_of(seed.text)].seed = seed.score
    keep = _keep(drawing, evidence.relations if evidence else (), max_nodes)
    if evidence is not None:
        for rel in evidence.relations:
            if rel.source in keep and rel.target in keep:
                text = (
                    f"{drawing.nodes[rel.source].name} -[{rel.predicate}]-> {drawing.nodes[rel.target].name}"
                )
                _add_statement(drawing, (rel.source, rel.target), text, rel.chunk_ids, rel.doc_ids, titles)
    drawing.nodes = {k: v for k, v in drawing.nodes.items() if k in keep}
    drawing.edges = {e: v for e, v in drawing.edges.items() if e[0] in keep and e[1] in keep}
    return drawing


def _mark_answer(drawing: _Drawing, text: str) -> None:
    """The path ends named like the answer text; failing that, the end of the first path."""
    ends = [ids[-1] for _, ids, _ in drawing.paths if ids]
    wanted = normalize_name(text).casefold()
    hits = [k for k in ends if normalize_name(drawing.nodes[k].name).casefold() == wanted]
    for key in hits or ends[:1]:
        drawing.nodes[key].is_answer = True


def _keep(drawing: _Drawing, relations: Any, max_nodes: int) -> set[str]:
    """Path nodes and seeds always; then the best-connected others, up to ``max_nodes``."""
    must = [k for k, n in drawing.nodes.items() if n.paths or n.seed is not None]
    degree: dict[str, int] = {}
    for rel in relations:
        for end in (rel.source, rel.target):
            degree[end] = degree.get(end, 0) + 1
    others = sorted((k for k in drawing.nodes if k not in set(must)), key=lambda k: (-degree.get(k, 0), k))
    return set(must) | set(others[: max(max_nodes - len(must), 0)])


def _add_statement(
    drawing: _Drawing,
    edge: tuple[str, str],
    text: str,
    chunk_ids: tuple[str, ...],
    doc_ids: tuple[str, ...],
    titles: Mapping[str, str],
) -> None:
    lines = drawing.edges.setdefault(edge, [])
    if any(line.startswith(html.escape(text, quote=False)) for line in lines):
        return
    docs = ", ".join(f'{d} "{titles[d]}"' if d in titles else d for d in doc_ids[:5])
    more = f" (+{len(doc_ids) - 5})" if len(doc_ids) > 5 else ""
    source = f"<br>chunks: {', '.join(chunk_ids[:5])}" if chunk_ids else ""
    source += f"<br>docs: {docs}{more}" if docs else ""
    lines.append(
        html.escape(text, quote=False) + html.escape(source, quote=False).replace("&lt;br&gt;", "<br>")
    )


def build_figure(
    answer: Answer, *, titles: Mapping[str, str] | None = None, max_nodes: int = MAX_NODES
) -> Any:
    """The plotly ``Figure`` of ``answer``'s evidence with its paths highlighted."""
    go, _ = _plotly()
    drawing = _collect(answer, titles if titles is not None else answer.titles, max_nodes)
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(drawing.nodes)
    graph.add_edges_from(drawing.edges)
    pos = nx.spring_layout(graph, seed=7) if len(graph) else {}
    xy = {k: (float(p[0]), float(p[1])) for k, p in pos.items()}
    traces: list[Any] = []
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for a, b in drawing.edges:
        line_x += [xy[a][0], xy[b][0], None]
        line_y += [xy[a][1], xy[b][1], None]
    traces.append(
        go.Scatter(
            x=line_x, y=line_y, mode="lines", name="relations", hoverinfo="skip",
            line={"color": "#c7c7c7", "width": 1},
        )
    )  # fmt: skip
    mids = list(drawing.edges.items())
    traces.append(
        go.Scatter(
            x=[(xy[a][0] + xy[b][0]) / 2 for (a, b), _ in mids],
            y=[(xy[a][1] + xy[b][1]) / 2 for (a, b), _ in mids],
            mode="markers", name="statements", hoverinfo="text", showlegend=False,
            hovertext=["<br>".join(lines) for _, lines in mids],
            marker={"size": 6, "color": "rgba(120,120,120,0.25)"},
        )
    )  # fmt: skip
    annotations: list[dict[str, Any]] = []
    for i, (name, ids, arrows) in enumerate(drawing.paths):
        colour = PATH_COLOURS[i % len(PATH_COLOURS)]
        traces.append(
            go.Scatter(
                x=[xy[k][0] for k in ids], y=[xy[k][1] for k in ids], mode="lines", name=name,
                hoverinfo="name", line={"color": colour, "width": 4 if i == 0 else 3},
            )
        )  # fmt: skip
        for src, dst in arrows:
            annotations.append(
                {
                    "x": xy[dst][0], "y": xy[dst][1], "ax": xy[src][0], "ay": xy[src][1],
                    "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True,
                    "arrowhead": 2, "arrowsize": 1.4, "arrowwidth": 2, "arrowcolor": colour,
                    "standoff": 9, "startstandoff": 9, "text": "",
                }
            )  # fmt: skip
    traces.append(_node_trace(go, drawing, xy))
    figure = go.Figure(data=traces)
    figure.update_layout(
        showlegend=True, hovermode="closest", annotations=annotations, plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=700,
        xaxis={"visible": False}, yaxis={"visible": False},
        legend={"orientation": "h", "y": -0.02},
    )  # fmt: skip
    return figure


def _node_trace(go: Any, drawing: _Drawing, xy: Mapping[str, tuple[float, float]]) -> Any:
    keys = list(drawing.nodes)
    hover: list[str] = []
    styles: list[tuple[str, str, int]] = []
    label: list[str] = []
    for key in keys:
        node = drawing.nodes[key]
        lines = [f"<b>{html.escape(node.name)}</b>"]
        if node.type:
            lines.append(f"type: {html.escape(node.type)}")
        if node.aliases:
            lines.append("aliases: " + html.escape(", ".join(node.aliases[:8])))
        if node.seed is not None:
            lines.append(f"seed (linked from the question), score {node.seed:.3g}")
        if node.paths:
            lines.append("on " + ", ".join(node.paths))
        hover.append("<br>".join(lines))
        if node.is_answer:
            styles.append(("#ffbf00", "star", 22))
        elif node.seed is not None:
            styles.append(("#1f77b4", "diamond", 16))
        elif node.paths:
            styles.append(("#ff7f0e", "circle", 13))
        else:
            styles.append(("#d9d9d9", "circle", 8))
        label.append(node.name if node.paths or node.seed is not None else "")
    return go.Scatter(
        x=[xy[k][0] for k in keys], y=[xy[k][1] for k in keys], mode="markers+text", name="entities",
        text=label, textposition="top center", hovertext=hover, hoverinfo="text", showlegend=False,
        marker={
            "color": [s[0] for s in styles], "symbol": [s[1] for s in styles],
            "size": [s[2] for s in styles], "line": {"width": 1, "color": "#555"},
        },
    )  # fmt: skip


def render_page(
    answer: Answer, *, titles: Mapping[str, str] | None = None, max_nodes: int = MAX_NODES
) -> str:
    """The whole HTML page (plotly.js embedded) as a string."""
    _, pio = _plotly()
    titles = titles if titles is not None else answer.titles
    figure = build_figure(answer, titles=titles, max_nodes=max_nodes)
    plot = pio.to_html(figure, include_plotlyjs=True, full_html=False, include_mathjax=False)
    esc = html.escape
    cited = set(answer.citations)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc((answer.question or answer.text)[:200])}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1200px}"
        ".path{font-family:monospace}.flag{color:#b00}blockquote{color:#444;margin:.3em 1em}</style>",
        "</head><body>",
    ]
    if answer.question:
        parts.append(f"<h2>{esc(answer.question)}</h2>")
    parts.append(f'<p id="answer"><b>Answer:</b> {esc(answer.text)}</p>')
    if answer.paths:
        labels = chunk_labels(answer)
        parts.append("<h3>Reasoning paths</h3><ol>")
        for i, path in enumerate(answer.paths, 1):
            parts.append(_path_item(i, path, labels, titles, path_label(i) in cited))
        parts.append("</ol>")
    chunks = [(i, c) for i, c in enumerate(answer.chunks, 1) if chunk_label(i) in cited]
    if chunks:
        parts.append("<h3>Cited passages</h3>")
        for i, chunk in chunks:
            title = titles.get(chunk.doc_id, "")
            head = chunk_label(i) + (f" &ldquo;{esc(title)}&rdquo;" if title else "")
            parts.append(
                f"<p><b>{head}</b> <small>(chunk {esc(chunk.id)}, doc {esc(chunk.doc_id)})</small>"
                f"<blockquote>{esc(excerpt(chunk.text, 600))}</blockquote></p>"
            )
    if answer.unknown_citations:
        flagged = esc(", ".join(answer.unknown_citations))
        parts.append(f'<p class="flag">Flagged citations (name no path or passage; dropped): {flagged}</p>')
    parts += [plot, "</body></html>"]
    return "\n".join(parts)


def _path_item(
    i: int, path: ReasoningPath, labels: Mapping[str, str], titles: Mapping[str, str], cited: bool
) -> str:
    colour = PATH_COLOURS[(i - 1) % len(PATH_COLOURS)]
    chunk_ids, doc_ids = path_provenance(path)
    sources = [labels.get(c, c) for c in chunk_ids] + [titles.get(d, d) for d in doc_ids]
    src = f"<br><small>sources: {html.escape(', '.join(sources))}</small>" if sources else ""
    mark = " <small>(cited)</small>" if cited else ""
    return (
        f'<li value="{i}"><span style="color:{colour}">&#9632;</span> P{i}{mark} '
        f'<span class="path">{html.escape(str(path))}</span>{src}</li>'
    )


def write_html(
    answer: Answer, path: str | os.PathLike[str], *, titles: Mapping[str, str] | None = None,
    max_nodes: int = MAX_NODES,
) -> Path:  # fmt: skip
    """Write ``answer`` as a self-contained HTML page to ``path`` (atomically); returns the path.

    ``path``'s folder must exist (hopgraph creates no folders for output files): otherwise, or
    when ``path`` is a folder, a :class:`~hopgraph.errors.ConfigError` says so."""
    target = check_output_file(path, "write_html")
    page = render_page(answer, titles=titles, max_nodes=max_nodes)
    return write_atomic(target, page)
