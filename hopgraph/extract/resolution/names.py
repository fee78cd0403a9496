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

Short person names (used per document by the resolver, never across documents):

- :func:`short_form_of`: "Sommerfeld" / "Arnold Sommerfeld" (the short name is the whole trailing
  words of a longer person-shaped name: ``short-name``) and "J. J. Thomson" / "Joseph John
  Thomson" (initials of the same given names, same surname: ``initials``). Person-shaped: no
  digits, capitalised words (particles such as "van", "de" allowed inside), the longer name not
  starting with a place modifier ("New York" / "York", "West Germany" / "Germany") and the
  shorter not ending in a generic head noun ("Cavendish Laboratory" / "Laboratory").
- :func:`person_types_ok`: the longer name must not be typed only as a non-person, nor the
  shorter one, unless the shorter is the subject of a person-only predicate
  (:func:`person_predicate`: born, died, married, studied...), which overrules a named-entity tagger
  that typed a bare surname as a place ("Pauli" GPE).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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


_TOKEN = re.compile(r"[^\s.]+\.?")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PARTICLES = _wordset("van von de der den da di del della du la le bin ibn al zu ten ter y")
_PLACE_MODIFIERS = _wordset(
    "north south east west northern southern eastern western central new old upper lower greater "
    "little great mount mt lake fort port cape saint st san santa sao holy royal united federal "
    "native latin super gmina"
)
_HEAD_NOUNS = _wordset(
    "city county state states river island islands university college school church cathedral "
    "empire republic kingdom union party army navy company corporation street road bridge park "
    "museum award prize cup club team band records station airport hospital festival institute "
    "laboratory society academy council committee court house hall tower castle palace mountain "
    "mountains valley sea ocean bay war battle act treaty series show album film league "
    "association foundation center centre group province district region department ministry "
    "bank hotel theatre theater stadium square avenue railway line inc ltd co fc olympics games "
    "championship championships"
)
_PERSON_PREDICATE_WORDS = _wordset(
    "born birth died die dies married marry marries wife husband son daughter studied study "
    "studies educated graduated graduate"
)


def person_words(name: str) -> tuple[str, ...] | None:
    """The word keys of a name shaped like a person's ("J. J. Thomson" -> ('j', 'j', 'thomson')).

    None unless it has no digits, its first and last words are capitalised and any word between
    is capitalised or a particle ("Ludwig van Beethoven"). "J.J." counts as two words.
    """
    tokens = _TOKEN.findall(name)
    if not tokens or any(ch.isdigit() for ch in name):
        return None
    if not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return None
    if any(not t[0].isupper() and t.casefold() not in _PARTICLES for t in tokens[1:-1]):
        return None
    keys = tuple(resolution_key(t) for t in tokens)
    return keys if all(keys) else None


def short_form_of(short: str, long: str) -> str:
    """How ``short`` can name the same person as ``long``: 'short-name', 'initials' or ''.

    'short-name': ``short`` is the whole trailing words of the longer ``long`` ("Sommerfeld" /
    "Arnold Sommerfeld", "John Thomson" / "Joseph John Thomson"). 'initials': the same number of
    words, ``short``'s given names are the initials of ``long``'s, same surname ("J. J. Thomson" /
    "Joseph John Thomson"). '' otherwise, and whenever ``long`` starts with a place modifier or
    ``short`` ends in a generic head noun, or ``long`` has one anywhere ("Loyola University
    Chicago" / "Chicago"), a particle before its last word but one ("Parc del Foix" / "Foix") or
    either starts with an acronym ("HGTV Canada" / "Canada", "ABBA").
    """
    s, w = person_words(short), person_words(long)
    if s is None or w is None or len(s) > len(w) or len(s[-1]) < 2 or s[-1] != w[-1]:
        return ""
    if w[0].split()[0] in _PLACE_MODIFIERS or not _HEAD_NOUNS.isdisjoint(w) or _acronym_start(short, long):
        return ""
    if len(w) > 2 and not _PARTICLES.isdisjoint(w[:-2]):
        return ""
    if len(s) < len(w):
        return "short-name" if w[len(w) - len(s) :] == s and len(s[0]) > 1 else ""
    given, full = s[:-1], w[:-1]
    if (
        given
        and all(len(g) == 1 for g in given)
        and all(len(f) > 1 and f[0] == g for g, f in zip(given, full, strict=True))
    ):
        return "initials"
    return ""


def _acronym_start(*names: str) -> bool:
    firsts = (n.split()[0] for n in names)
    return any(len(f) > 1 and f.isalpha() and f.isupper() for f in firsts)


def person_predicate(predicate: str) -> bool:
    """True when only a person can be the subject of ``predicate`` ("born in", "STUDIED_UNDER")."""
    return not _PERSON_PREDICATE_WORDS.isdisjoint(resolution_key(predicate).split())


def person_types_ok(
    short_types: set[str], long_types: set[str], acts_as_person: bool, long_acts_as_person: bool = False
) -> bool:
    """Whether the types seen for a short and a long name (in one document) allow a person merge.

    No when ``long`` was typed, never as a person; no when ``short`` was typed, never as a person,
    unless it ``acts_as_person`` (the subject of a :func:`person_predicate`). With no type for
    either name (OpenIE triples), one of them must act as a person: untyped, "Canada" next to
    "Bell Canada" is no evidence of a person, while "Sommerfeld -[born in]-> ..." is.
    """
    long_classes = {type_class(t) for t in long_types} - {""}
    if long_classes and "PERSON" not in long_classes:
        return False
    short_classes = {type_class(t) for t in short_types} - {""}
    if not short_classes and not long_classes:
        return acts_as_person or long_acts_as_person
    return not short_classes or "PERSON" in short_classes or acts_as_person


@dataclass
class DocNames:
    """What one document's triples said about its names: the evidence of the short-name rule."""

    types: dict[str, set[str]] = field(default_factory=dict)
    """Every name of the document's triples -> the types it was given ('' for none)."""
    person: set[str] = field(default_factory=set)
    """Names that are the subject of a :func:`person_predicate`."""
    folds: dict[str, str] = field(default_factory=dict)
    """Short name -> the canonical name it was rewritten to in this document (kept by the resolver)."""

    def note(self, subject: str, subject_type: str, predicate: str, obj: str, object_type: str) -> None:
        """Record one triple's names (already normalised)."""
        self.types.setdefault(subject, set()).add(subject_type)
        self.types.setdefault(obj, set()).add(object_type)
        if person_predicate(predicate):
            self.person.add(subject)

    def short_names(self, names: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """Which of ``names`` may stand for longer names of this document: name -> [(long, reason)].

        A longer name qualifies when :func:`short_form_of` gives a reason and
        :func:`person_types_ok` allows the types seen here. Whether the candidates are one entity
        is the resolver's decision.
        """
        words = {n: w for n in self.types if (w := person_words(n)) is not None}
        by_last: dict[str, list[str]] = defaultdict(list)
        for name, w in words.items():
            if len(w) > 1:
                by_last[w[-1]].append(name)
        found: dict[str, list[tuple[str, str]]] = {}
        for name in names:
            w = words.get(name)
            if w is None:
                continue
            longer = [
                (long, reason)
                for long in by_last.get(w[-1], ())
                if long != name
                and (reason := short_form_of(name, long))
                and person_types_ok(
                    self.types[name], self.types[long], name in self.person, long in self.person
                )
            ]
            if longer:
                found[name] = longer
        return found


__all__ = [
    "DocNames",
    "guard",
    "person_predicate",
    "person_types_ok",
    "person_words",
    "resolution_key",
    "short_form_of",
    "string_similarity",
    "type_class",
    "types_compatible",
    "word_key",
]
