"""The English stopwords, in one list, and the two narrower sets drawn from it.

- :data:`STOPWORDS`: function words too common to tell passages apart (what BM25 leaves out).
- :data:`LINKING_STOPWORDS`: the question words entity linking never takes for a mention or a
  name's distinctive word (a subset: linking keeps words such as "after" or "between").
- :data:`GROUNDING_STOPWORDS`: the words left out when checking that a triple's names occur in
  its chunk (a subset, plus the name particles "de", "von", ... that carry no identity alone).
"""

from __future__ import annotations

_TEXT = (
    "a about after all also an and any are as at be been before being between both but by can could "
    "did do does during each few for from had has have he her here hers him his how i if in into is it "
    "its me more most my no nor not of on once only or other our out over own same she should so some "
    "such than that the their them then there these they this those through to too under until up very "
    "was we were what when where which while who whom whose why will with would you your"
)
STOPWORDS = frozenset(_TEXT.split(" "))


def _subset(words: str) -> frozenset[str]:
    out = frozenset(words.split())
    extra = out - STOPWORDS
    if extra:  # a narrower list may only leave words out
        raise ValueError(f"not in STOPWORDS: {sorted(extra)}")
    return out


LINKING_STOPWORDS = _subset(
    "a an and are as at be by did do does for from has have how in is it of on or the to was were "
    "what when where which who whom whose why with"
)
NAME_PARTICLES = frozenset({"de", "der", "la", "le", "von"})
GROUNDING_STOPWORDS = _subset("a an and at by for from in of on or the to with") | NAME_PARTICLES

__all__ = ["GROUNDING_STOPWORDS", "LINKING_STOPWORDS", "NAME_PARTICLES", "STOPWORDS"]
