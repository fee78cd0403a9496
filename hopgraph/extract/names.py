"""Name rules of entity resolution: keys, type compatibility, and the guards that veto a merge.

- **key** (:func:`resolution_key`): NFKC, case-folded, ``&`` read as ``and``,
  hyphens/slashes/underscores read as spaces, other punctuation dropped, whitespace collapsed
  ("U.S.A." = "usa", "Jean-Paul  Sartre" = "jean paul sartre"). Equal keys merge without further
  evidence.
- **string similarity** (:func:`string_similarity`): ``difflib.SequenceMatcher`` ratio of the keys.
- **word key** (:func:`word_key`): the words without a leading article and plural endings
  ("The Rivers" -> "river"); candidates for the string rule when there is no embedder.

Guards (precision first: a false merge corrupts paths, a missed one only costs recall):

- **types** (:func:`types_compatible`): types are compatible when either is unknown (empty) or
  both map to the same coarse class (``PERSON``/``PER``, ``ORG``/``ORGANIZATION``,
  ``GPE``/``LOC``/``LOCATION``, ``DATE``/``TIME``...; any other type is its own class). Known and
  different never merge, not even by key.
- :func:`guard`, which vetoes similarity merges:
  - **numbers**: the digit-bearing tokens must be identical ("1963" / "1964", "Apollo 11" /
    "Apollo 12" never merge).
  - **word order**: the same words in another order never merge.
  - **qualifiers**: when one name's tokens are a strict subset of the other's ("Paris" / "Paris,
    Texas", "John Smith" / "John Smith Jr."), they never merge, whatever the scores.
  - **acronyms**: a single word that is the initials of the other's words counts as the same
    ("US Constitution" = "United States Constitution"); any other different word vetoes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_SPACE_LIKE = re.compile(r"[\s\-\u2010-\u2015/_]+")
_DROP = re.compile(r"[^\w\s]")
_TYPE_CLASSES = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "PEOPLE": "PERSON",
    "HUMAN": "PERSON",
    "ORG": "ORGANIZATION",
    "ORGANISATION": "ORGANIZATION",
    "ORGANIZATION": "ORGANIZATION",
    "COMPANY": "ORGANIZATION",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "LOCATION": "PLACE",
    "PLACE": "PLACE",
    "FAC": "PLACE",
    "FACILITY": "PLACE",
    "DATE": "TIME",
    "TIME": "TIME",
    "YEAR": "TIME",
}
_ARTICLES = frozenset({"the", "a", "an"})


def resolution_key(name: str) -> str:
    """The normalised form two names must share to be merged without further evidence."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _DROP.sub("", _SPACE_LIKE.sub(" ", text))
    return " ".join(text.split())


def type_class(entity_type: str) -> str:
    """The coarse class of a type name ('' when unknown)."""
    key = entity_type.strip().upper().replace(" ", "_")
    return _TYPE_CLASSES.get(key, key)


def types_compatible(a: str, b: str) -> bool:
    """True unless both types are known and fall in different classes."""
    ca, cb = type_class(a), type_class(b)
    return not ca or not cb or ca == cb


def string_similarity(a: str, b: str) -> float:
    """``difflib.SequenceMatcher`` ratio of the two names' resolution keys (0..1)."""
    ka, kb = resolution_key(a), resolution_key(b)
    if ka == kb:
        return 1.0
    return difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def _numbers(tokens: list[str]) -> list[str]:
    return sorted(t for t in tokens if any(ch.isdigit() for ch in t))


def _stem(token: str) -> str:
    """Plural (and, punctuation dropped, possessive) ending removed: 'rivers' -> 'river'."""
    if len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _acronym(short: list[str], long: list[str]) -> bool:
    return len(short) == 1 and len(long) >= 2 and short[0] == "".join(t[0] for t in long)


def _words(name: str) -> list[str]:
    tokens = resolution_key(name).split()
    return tokens[1:] if len(tokens) > 1 and tokens[0] in _ARTICLES else tokens


def word_key(name: str) -> str:
    """The name's words without a leading article and plural endings ("The Rivers" -> "river")."""
    return " ".join(_stem(t) for t in _words(name))


def guard(a: str, b: str) -> str:
    """Why two names must not be merged by similarity ('' when nothing forbids it).

    After dropping a leading article, the names must have the same words in the same order, up
    to plural endings and acronyms ("US Constitution" = "United States Constitution"); otherwise
    the reason is "numbers differ", "word order differs", "one name qualifies the other" (words
    only added) or "different words".
    """
    ta, tb = _words(a), _words(b)
    if _numbers(ta) != _numbers(tb):
        return "numbers differ"
    sa, sb = [_stem(t) for t in ta], [_stem(t) for t in tb]
    if sa == sb:
        return ""
    if sorted(sa) == sorted(sb):
        return "word order differs"
    ops = difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes()
    changed = [(ta[i1:i2], tb[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    if all(not x or not y for x, y in changed):
        return "one name qualifies the other"
    if all(_acronym(x, y) or _acronym(y, x) for x, y in changed):
        return ""
    return "different words"


__all__ = ["guard", "resolution_key", "string_similarity", "type_class", "types_compatible", "word_key"]
