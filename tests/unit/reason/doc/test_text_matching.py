"""The extractive answerer's text matching without a regex compiled per name: each helper agrees
with the pattern it stands for (or, for a pre-check, never rejects what the pattern matches)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from hopgraph.reason.doc.answer_types import (
    _DESCRIBED,
    _HEAD_TYPE,
    _PHRASE_ENDS,
    _PREPOSITIONS,
    UNKNOWN,
    _case_key,
    _titled,
    described_type,
)
from hopgraph.reason.doc.extractive import _contains, _full_name, _stems, _word_char

ALL_CHARS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def _described_by_regex(name: str, texts: list[str]) -> tuple[str, str]:
    """described_type without its pre-check: the pattern compiled per name (the last type noun of
    the phrase it reads), else the type noun written before the name (:func:`_titled`)."""
    if len(name.strip()) < 2:
        return UNKNOWN, ""
    pattern = re.compile(
        rf"(?:^|(?<=\n)|(?<=[.!?;:]\s)|(?<=[Tt]he\s)){re.escape(name.strip())}{_DESCRIBED}", re.IGNORECASE
    )
    for text in texts:
        for match in pattern.finditer(text):
            found = None
            for word in match.group(1).split()[:4]:
                noun = word.casefold()
                if noun in _PREPOSITIONS or noun in _PHRASE_ENDS:
                    break
                kind = _HEAD_TYPE.get(noun) or (_HEAD_TYPE.get(noun[:-1]) if noun.endswith("s") else None)
                if kind is not None:
                    found = (kind, noun)
            if found is not None:
                return found
    return _titled(name.strip(), texts)


def _full_name_by_regex(name: str, texts: list[str]) -> str:
    if not name[:1].isupper():
        return name
    pattern = re.compile(rf"\b((?:[A-Z][\w'-]*[ \t]+){{1,3}}){re.escape(name)}(?!\w)")
    for text in texts:
        match = pattern.search(text)
        if match and match.group(1).split()[0] not in ("The", "A", "An", "In", "On", "At", "By"):
            return match.group(0)
    return name


def test_word_char_is_the_regex_word_class_for_every_character() -> None:
    by_regex = {m.start() for m in re.finditer(r"\w", ALL_CHARS)}
    assert {i for i, c in enumerate(ALL_CHARS) if _word_char(c)} == by_regex


def test_case_key_never_separates_characters_ignorecase_matches() -> None:
    # a character no case mapping touches matches only itself (and only the case-mapped ones
    # match another): each cased one is tried against every cased one and all of Latin
    cased = [c for c in ALL_CHARS if c.lower() != c or c.upper() != c or c.casefold() != c]
    assert len(cased) > 2000
    haystack = "".join(dict.fromkeys([*ALL_CHARS[:0x250], *cased]))
    for char in cased:
        for match in re.finditer(re.escape(char), haystack, re.IGNORECASE):
            assert _case_key(match.group()) == _case_key(char), (char, match.group())
    assert len(_case_key(ALL_CHARS)) == len(ALL_CHARS)


def test_contains_agrees_with_the_word_boundary_pattern() -> None:
    rng = random.Random(7)
    alphabet = ["a", "b", "_", " ", "-", "é", "1", "²", "İ", ".", "ab", "ba"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)]
    needles = ["", "a", "ab", "b a", "é", "_", "1", "-", "a-b", "ba", "²"]
    for text, needle in itertools.product(texts, needles):
        expected = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None
        assert _contains(text, needle) is expected, (text, needle)


PASSAGES = [
    "Sapporo is a city in Japan. The Sapporo Dome is a stadium.",
    "Halvard Lind (born 1950) is a Norwegian composer. Lind was a teacher.",
    "University of Ibadan is a university in Nigeria; Ibadan is the capital of Oyo State.",
    "The Glass Harbour is an opera by Halvard Lind.\nGLASS HARBOUR was the first of his operas.",
    "İstanbul is a city. istanbul was a capital. ıstanbul is one of the largest cities.",
    "Kelvin Keep is a castle; \u212aelvin keep was a fortress. Saint Seba\u017ftian is a museum in Lyon.",
    "In the film, Kara is an actress. Then Kara (a singer), was the leader of a band.",
    "Orbital Ink is a printing company. Acme Orbital Ink's founder is a person.",
    "the river is the longest. The river Tees is a river in England, and Tees was a port",
]
NAMES = [
    "Sapporo",
    "sapporo dome",
    "Halvard Lind",
    "Lind",
    "Ibadan",
    "University of Ibadan",
    "Glass Harbour",
    "glass harbour",
    "İstanbul",
    "istanbul",
    "ıstanbul",
    "ISTANBUL",
    "Kelvin Keep",
    "kelvin keep",
    "Saint Sebastian",
    "Kara",
    "Ink",
    "Orbital Ink",
    "river",
    "Tees",
    "Oyo State",
    "x",
    "  Sapporo ",
]


@pytest.mark.parametrize("name", NAMES)
def test_described_type_as_the_pattern_alone(name: str) -> None:
    for texts in (PASSAGES, PASSAGES[::-1], PASSAGES[4:6], []):
        assert described_type(name, texts) == _described_by_regex(name, texts)
        assert described_type(name, iter(texts)) == _described_by_regex(name, texts)


def test_described_type_still_finds_descriptions() -> None:
    # the pre-check must not hide these (each was found by the pattern alone)
    assert described_type("Sapporo", PASSAGES)[1] == "city"
    assert described_type("istanbul", PASSAGES)[1] == "city"  # İstanbul, ignoring case
    assert described_type("Saint Sebastian", PASSAGES)[1] == "museum"  # written with a long s (U+017F)


@pytest.mark.parametrize("name", [*NAMES, "Harbour", "Lyon", "Keep", "Dome", "State", "England"])
def test_full_name_as_the_pattern_alone(name: str) -> None:
    for texts in (PASSAGES, PASSAGES[::-1], [p.lower() for p in PASSAGES], []):
        assert _full_name(name, texts) == _full_name_by_regex(name, texts)


def test_a_verb_and_its_inflections_say_one_relation() -> None:
    # "Where did Lise Meitner work?" and -[worked_at]->: a five-letter cut made "work" and "worke"
    assert _stems("worked_at") == _stems("work") == _stems("works") == _stems("working") == {"work"}
    assert _stems("played for") == _stems("plays for") == _stems("play")
    assert _stems("lived") == _stems("lives") == _stems("live")
    assert _stems("owner") == _stems("owners") == _stems("owns") == _stems("owned") == {"own"}
    assert _stems("founded") == _stems("founder") == _stems("established")  # one relation's words
    assert _stems("married") == _stems("husband") == _stems("spouse")
    assert _stems("died") == _stems("death") and _stems("born") == _stems("birthplace")
    assert _stems("was the") == set()  # words that say no relation
    assert _stems("bus") == {"bus"}  # too short to lose its last letter
