"""Entity linking: which graph entities a free-form question mentions.

The simple linker here looks up every n-gram of the question (up to ``max_tokens`` words) as an
entity name, case-insensitively, with ``store.find_entities`` (one query), and ranks matches by
length: the longest mention wins ("the Godfather Part II" over "Godfather"). The retrieval work
will extend it (fuzzy and embedding matches); the interface stays
``link_entities(store, question, k) -> list[ScoredId]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hopgraph.kg.base import GraphStore
from hopgraph.types import ScoredId

MAX_TOKENS = 12
"""Longest mention looked up, in words."""
_EDGE_PUNCT = "?!.,;:\"'()[]{}"
_WORD = re.compile(r"\S+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "with",
    ]
)
"""Single words that are never linked on their own (a KB may hold a tag named "the")."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the question: ``text`` as written, its ``start``/``end`` offsets and word count."""

    text: str
    start: int
    end: int
    words: int


def candidate_mentions(question: str, max_tokens: int = MAX_TOKENS) -> list[Mention]:
    """Every run of 1..``max_tokens`` words, also with leading/trailing punctuation trimmed."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(question)]
    out: dict[tuple[int, int], Mention] = {}
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_tokens)):
            start, end = words[i][0], words[j][1]
            for s, e in ((start, end), *_trimmed(question, start, end)):
                text = question[s:e]
                if text and (s, e) not in out and not (i == j and text.casefold() in STOPWORDS):
                    out[(s, e)] = Mention(text, s, e, j - i + 1)
    return list(out.values())


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    s, e = start, end
    while s < e and text[s] in _EDGE_PUNCT:
        s += 1
    while e > s and text[e - 1] in _EDGE_PUNCT:
        e -= 1
    # a possessive: "Heat's director" mentions "Heat"
    if text[s:e].endswith(("'s", "’s")):
        return [(s, e), (s, e - 2)]
    return [(s, e)] if (s, e) != (start, end) else []


def link_entities(store: GraphStore, question: str, k: int = 5) -> list[ScoredId]:
    """Entities named in ``question``, best first: longest mention first, then an exact-case match
    before a case-insensitive one, then the earlier mention, then the lowest entity id.

    ``ScoredId.score`` is the mention's word count (plus 0.5 for an exact-case match) and
    ``ScoredId.text`` the entity's name. Empty when nothing matches.
    """
    if not question or not question.strip() or k < 1:
        return []
    mentions = candidate_mentions(question)
    by_key: dict[str, list[Mention]] = {}
    for m in mentions:
        by_key.setdefault(" ".join(m.text.split()).casefold(), []).append(m)
    found = store.find_entities(m.text for m in mentions)
    ranked: dict[str, tuple[float, int, ScoredId]] = {}
    for entity in found:
        for m in by_key.get(" ".join(entity.name.split()).casefold(), []):
            exact = " ".join(m.text.split()) == " ".join(entity.name.split())
            score = m.words + (0.5 if exact else 0.0)
            best = ranked.get(entity.id)
            if best is None or (score, -m.start) > (best[0], -best[1]):
                ranked[entity.id] = (score, m.start, ScoredId(entity.id, score, entity.name))
    order = sorted(ranked.values(), key=lambda r: (-r[0], r[1], r[2].id))
    return [r[2] for r in order[:k]]
