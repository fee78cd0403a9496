"""The extractive answer: the best-supported answer entity of the reasoning paths, without an LLM.

    generation = extractive_answer(question, paths, chunks, seeds)   # the paths decide
    generation = extractive_answer(question, [], chunks, seeds, mentions=candidates)  # the chunks do

Labels are those of :mod:`hopgraph.reason.doc.generator`: ``P1`` is ``paths[0]``, ``C2`` is
``chunks[1]``. The answer is the terminal entity best supported by the top paths (seeds never an
answer), citing those paths and their source chunks; with no usable path, the candidate mention
named most strongly by the top chunks, citing those chunks; otherwise
:data:`~hopgraph.reason.doc.generator.NO_ANSWER`, citing nothing. The result is a
:class:`~hopgraph.reason.doc.generator.Generation` with ``answerer="extractive"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from hopgraph.ids import entity_id, name_key
from hopgraph.reason.base import chunk_label, path_label
from hopgraph.reason.doc.generator import NO_ANSWER, Generation
from hopgraph.types import Chunk, Entity, ReasoningPath, ScoredId
from hopgraph.util.text import unique


def extractive_answer(
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    seeds: Sequence[ScoredId] = (),
    mentions: Sequence[str | Entity | ScoredId] | None = None,
    *,
    chunk_scores: Sequence[float] | None = None,
    top_paths: int = 5,
    top_chunks: int = 3,
) -> Generation:
    """The best-supported answer entity, without an LLM.

    With paths: the terminal entity of the ``top_paths`` best paths with the largest summed path
    score (then more paths, then the better-ranked path), seeds never an answer; cites those paths
    and their source chunks found in ``chunks``. With no usable path but ``mentions`` (candidate
    entities, best first): the candidate named most strongly by the ``top_chunks`` first chunks
    (weight: ``chunk_scores`` or 1/rank), never a seed or a name in the question; cites those
    chunks. Otherwise :data:`NO_ANSWER`, citing nothing.
    """
    seed_ids = {s.id for s in seeds}
    seed_names = {name_key(s.text) for s in seeds if s.text.strip()}

    def is_seed(name: str) -> bool:
        return not name.strip() or name_key(name) in seed_names or entity_id(name) in seed_ids

    ranked = sorted((i for i, p in enumerate(paths) if p.hops), key=lambda i: -paths[i].score)
    support: dict[str, list[int]] = {}
    for i in ranked[: max(top_paths, 0)]:
        if not is_seed(paths[i].answer):
            support.setdefault(name_key(paths[i].answer), []).append(i)
    if support:
        best = max(
            support.values(),
            key=lambda rows: (sum(paths[i].score for i in rows), len(rows), -ranked.index(rows[0])),
        )
        label_of = {c.id: chunk_label(j) for j, c in enumerate(chunks, 1)}
        cited = [path_label(i + 1) for i in best]
        cited += unique(
            label_of[c] for i in best for hop in paths[i].hops for c in hop.chunk_ids if c in label_of
        )
        return Generation(paths[best[0]].answer, tuple(cited), answerer="extractive")
    if mentions and chunks:
        found = _best_mention(question, chunks, mentions, is_seed, chunk_scores, top_chunks)
        if found is not None:
            name, rows = found
            return Generation(name, tuple(chunk_label(j + 1) for j in rows), answerer="extractive")
    return Generation(NO_ANSWER, answerer="extractive")


def _best_mention(
    question: str,
    chunks: Sequence[Chunk],
    mentions: Sequence[str | Entity | ScoredId],
    is_seed: Callable[[str], bool],
    chunk_scores: Sequence[float] | None,
    top_chunks: int,
) -> tuple[str, list[int]] | None:
    top = list(chunks[: max(top_chunks, 0)])
    use_scores = chunk_scores is not None and len(chunk_scores) >= len(top)
    weights = [
        float(chunk_scores[j]) if use_scores and chunk_scores else 1.0 / (j + 1) for j in range(len(top))
    ]
    texts = [c.text.casefold() for c in top]
    asked = question.casefold()
    best: tuple[float, int, str, list[int]] | None = None
    for order, mention in enumerate(mentions):
        name = _name_of(mention)
        needle = name.casefold()
        if len(needle) < 2 or is_seed(name) or _contains(asked, needle):
            continue
        rows = [j for j, text in enumerate(texts) if needle in text and _contains(text, needle)]
        if rows:
            score = sum(weights[j] for j in rows)
            if best is None or score > best[0]:
                best = (score, order, name, rows)
    return None if best is None else (best[2], best[3])


def _contains(text: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None


def _name_of(mention: str | Entity | ScoredId) -> str:
    if isinstance(mention, Entity):
        return mention.name
    if isinstance(mention, ScoredId):
        return mention.text
    return str(mention)
