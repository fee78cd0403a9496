"""An :class:`~hopgraph.types.Answer` as text for people and as JSON for programs.

``titles`` (document id -> title, optional) names the documents sources come from; chunks
carry only their document id. Labels: ``P1`` is ``answer.paths[0]``, ``C1`` ``answer.chunks[0]``.

JSON (``answer_to_dict``; schema ``hopgraph.answer/1``; every key is always present, lists may
be empty, ``title`` is ``""`` when unknown)::

    {
      "schema": "hopgraph.answer/1",
      "question": str, "answer": str, "answerer": str,       # answerer: "extractive", "llm:<model>", "kb"
      "confidence": float | null, "best_guess": str,         # extractive: how sure, of which answer
      "abstained": bool,                                     # below the threshold: "No confident answer"
      "notes": [str],                                        # e.g. the question is not English
      "citations": [label],                                  # valid labels, in order of first appearance
      "unknown_citations": [label],                          # cited by the generator, naming nothing
      "paths": [{
        "label": "P1", "text": "A -[p]-> B <-[q]- C", "answer": "C", "cited": bool,
        "hops": [{"source", "predicate", "target", "inverse": bool, "chunk_ids": [id], "doc_ids": [id]}],
        "chunk_ids": [id], "doc_ids": [id],                  # provenance of all hops, first seen first
        "chunk_labels": [label],                             # those chunks present in "chunks"
        "score": float                                       # explain only
      }],
      "chunks": [{"label": "C1", "id", "doc_id", "title", "ord": int, "text", "cited": bool,
                  "score": float | null}],                   # score: explain only
      "explain": {                                           # explain only
        "seeds": [{"id", "name", "score"}], "timings": {stage: ms},
        "evidence": {"entities": int, "relations": int, "truncated": bool} | null
      }
    }
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hopgraph.reason.base import chunk_label, path_label
from hopgraph.types import Answer, Chunk, ReasoningPath
from hopgraph.util.text import excerpt, one_line, unique

SCHEMA = "hopgraph.answer/1"
EXCERPT_CHARS = 240


def chunk_labels(answer: Answer) -> dict[str, str]:
    """Chunk id -> its label (``C1``..) in ``answer``."""
    labels: dict[str, str] = {}
    for i, chunk in enumerate(answer.chunks, 1):
        labels.setdefault(chunk.id, chunk_label(i))
    return labels


def path_provenance(path: ReasoningPath) -> tuple[list[str], list[str]]:
    """The chunk ids and document ids of all hops of ``path``, each once, first seen first."""
    chunk_ids = unique(c for hop in path.hops for c in hop.chunk_ids)
    doc_ids = unique(d for hop in path.hops for d in hop.doc_ids)
    return chunk_ids, doc_ids


def answer_to_dict(
    answer: Answer, explain: bool = False, *, titles: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``answer`` as JSON-ready data (the schema is in the module docstring)."""
    titles = titles if titles is not None else answer.titles
    cited = set(answer.citations)
    labels = chunk_labels(answer)
    paths: list[dict[str, Any]] = []
    for i, path in enumerate(answer.paths, 1):
        chunk_ids, doc_ids = path_provenance(path)
        item: dict[str, Any] = {
            "label": path_label(i),
            "text": str(path),
            "answer": path.answer,
            "cited": path_label(i) in cited,
            "hops": [
                {
                    "source": hop.source,
                    "predicate": hop.predicate,
                    "target": hop.target,
                    "inverse": hop.inverse,
                    "chunk_ids": list(hop.chunk_ids),
                    "doc_ids": list(hop.doc_ids),
                }
                for hop in path.hops
            ],
            "chunk_ids": chunk_ids,
            "doc_ids": doc_ids,
            "chunk_labels": unique(labels[c] for c in chunk_ids if c in labels),
        }
        if explain:
            item["score"] = _number(path.score)
        paths.append(item)
    chunks: list[dict[str, Any]] = []
    for i, chunk in enumerate(answer.chunks, 1):
        entry: dict[str, Any] = {
            "label": chunk_label(i),
            "id": chunk.id,
            "doc_id": chunk.doc_id,
            "title": titles.get(chunk.doc_id, ""),
            "ord": chunk.ord,
            "text": chunk.text,
            "cited": chunk_label(i) in cited,
        }
        if explain:
            entry["score"] = _number(answer.chunk_scores[i - 1]) if i <= len(answer.chunk_scores) else None
        chunks.append(entry)
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "question": answer.question,
        "answer": answer.text,
        "answerer": answer.answerer,
        "confidence": _number(answer.confidence) if answer.confidence is not None else None,
        "best_guess": answer.best_guess,
        "abstained": answer.abstained,
        "notes": list(answer.notes),
        "citations": list(answer.citations),
        "unknown_citations": list(answer.unknown_citations),
        "paths": paths,
        "chunks": chunks,
    }
    if explain:
        evidence = answer.evidence
        data["explain"] = {
            "seeds": [{"id": s.id, "name": s.text, "score": _number(s.score)} for s in answer.seeds],
            "timings": {stage: _number(ms) for stage, ms in answer.timings.items()},
            "evidence": None
            if evidence is None
            else {
                "entities": len(evidence.entities),
                "relations": len(evidence.relations),
                "truncated": evidence.truncated,
            },
        }
    return data


def render_text(
    answer: Answer,
    explain: bool = False,
    *,
    titles: Mapping[str, str] | None = None,
    excerpt_chars: int = EXCERPT_CHARS,
) -> str:
    """``answer`` for a terminal: the answer, numbered paths with sources, cited passages, flags."""
    titles = titles if titles is not None else answer.titles
    labels = chunk_labels(answer)
    by_id = {c.id: c for c in answer.chunks}
    cited = set(answer.citations)
    lines: list[str] = []
    if answer.question:
        lines.append(f"Question: {one_line(answer.question)}")
    lines.append(f"Answer: {answer.text}")
    if answer.confidence is not None and not answer.abstained:
        lines.append(f"Confidence: {answer.confidence:.2f}")
    lines += [f"Note: {note}" for note in answer.notes]
    if explain and answer.answerer:
        lines.append(f"Answered by: {answer.answerer}")
    if answer.paths:
        lines += ["", "Reasoning paths:"]
        for i, path in enumerate(answer.paths, 1):
            mark = "*" if path_label(i) in cited else " "
            score = f"  (score {path.score:.4g})" if explain else ""
            lines.append(f"  P{i}{mark} {path}{score}")
            sources = _path_sources(path, labels, by_id, titles)
            if sources:
                lines.append(f"       sources: {'; '.join(sources)}")
        if any(label.startswith("P") for label in cited):
            lines.append("  (* cited by the answer)")
    # no confident answer: the best passages are what the reader gets, always shown
    # so are all of them when there is no reasoning path (a text or walk method: its passages are
    # the evidence)
    everything = (
        explain or answer.abstained or not answer.paths or not any(label.startswith("C") for label in cited)
    )
    shown = (
        list(enumerate(answer.chunks, 1))
        if everything
        else [(i, c) for i, c in enumerate(answer.chunks, 1) if chunk_label(i) in cited]
    )
    if explain or (everything and any(label.startswith("C") for label in cited)):
        heading = "Passages:"
    elif everything:
        # the answer cites no passage (no path, or an abstention that points to the passages):
        # show the retrieved ones, or the text would promise passages it does not show
        heading = "Closest passages (not cited by the answer):"
    else:
        heading = "Cited passages:"
    if shown:
        lines += ["", heading]
        for i, chunk in shown:
            lines += _chunk_lines(answer, i, chunk, titles, excerpt_chars, explain, chunk_label(i) in cited)
    if answer.unknown_citations:
        lines += [
            "",
            "Flagged citations (the generator cited labels that name no path or passage; dropped): "
            + ", ".join(answer.unknown_citations),
        ]
    if explain:
        lines += _explain_lines(answer)
    return "\n".join(lines)


def _path_sources(
    path: ReasoningPath, labels: Mapping[str, str], by_id: Mapping[str, Chunk], titles: Mapping[str, str]
) -> list[str]:
    chunk_ids, doc_ids = path_provenance(path)
    out: list[str] = []
    covered: set[str] = set()
    for cid in chunk_ids:
        chunk = by_id.get(cid)
        if chunk is not None:
            covered.add(chunk.doc_id)
            title = titles.get(chunk.doc_id, "")
            out.append(labels[cid] + (f' "{title}"' if title else f" (doc {chunk.doc_id})"))
        else:
            out.append(f"chunk {cid}")
    for did in doc_ids:
        if did not in covered:
            title = titles.get(did, "")
            out.append(f"doc {did}" + (f' "{title}"' if title else ""))
    return out


def _chunk_lines(
    answer: Answer,
    i: int,
    chunk: Chunk,
    titles: Mapping[str, str],
    excerpt_chars: int,
    explain: bool,
    is_cited: bool,
) -> list[str]:
    title = titles.get(chunk.doc_id, "")
    head = f"  C{i}{'*' if explain and is_cited else ''} " + (f'"{title}" ' if title else "")
    head += f"(chunk {chunk.id}, doc {chunk.doc_id})"
    if explain and i <= len(answer.chunk_scores):
        head += f"  score {answer.chunk_scores[i - 1]:.4g}"
    return [head, f"       {excerpt(chunk.text, excerpt_chars)}"]


def _explain_lines(answer: Answer) -> list[str]:
    lines: list[str] = []
    if answer.seeds:
        seeds = ", ".join(f"{s.text or s.id} ({s.score:.3g})" for s in answer.seeds)
        lines += ["", f"Seeds: {seeds}"]
    if answer.evidence is not None:
        ev = answer.evidence
        cut = " (cut by a bound)" if ev.truncated else ""
        lines.append(f"Evidence subgraph: {len(ev.entities)} entities, {len(ev.relations)} relations{cut}")
    if answer.timings:
        stages = ", ".join(f"{stage} {ms:.1f}" for stage, ms in answer.timings.items())
        lines.append(f"Timings (ms): {stages}")
    return lines


def _number(value: float) -> float | None:
    number = float(value)
    return round(number, 6) if math.isfinite(number) else None
