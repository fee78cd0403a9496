"""Countries by name, other name and demonym, read from ``countries.txt`` beside this module.

    country("the U.S.")     # -> "United States"
    country("Norwegian")    # -> None: a demonym is no country's name
    demonym_country("Norwegian")  # -> "Norway"

A question asking "which country" is answered by a country, which a name alone can say
("Norway", "the United States"), and a passage often says it only by its people's adjective
("the Norwegian playwright Henrik Ibsen"). These lookups are what the extractive answerer uses for
both (:mod:`hopgraph.reason.doc.extractive`)."""

from __future__ import annotations

import functools
from importlib import resources

COUNTRY_HEADS = frozenset({"country", "nation"})
"""Head nouns of a wh-phrase that ask for a country ("which country", "what nation")."""


def _key(text: str) -> str:
    words = text.replace("’", "'").casefold().split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words).strip(" .,;:")


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(name or other name -> country, demonym -> country), keys as :func:`_key` writes them."""
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    text = resources.files(__package__).joinpath("countries.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, others, people = (part.strip() for part in line.split("|"))
        for other in [name, *others.split(";")]:
            if other.strip():
                names[_key(other)] = name
        for word in people.split(";"):
            if word.strip():
                demonyms[_key(word)] = name
    return names, demonyms


def country(name: str) -> str | None:
    """The country ``name`` names (by its name or another: "USA", "Burma"), else None."""
    return _tables()[0].get(_key(name))


def demonym_country(word: str) -> str | None:
    """The country whose people ``word`` names ("Norwegian" -> Norway), else None."""
    return _tables()[1].get(_key(word))
