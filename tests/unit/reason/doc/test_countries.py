"""Countries by name, other name and demonym (``countries.txt``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopgraph.reason.doc import countries
from hopgraph.reason.doc.countries import country, demonym_country


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Norway", "Norway"),
        ("the U.S.", "United States"),
        ("USA", "United States"),
        ("Burma", "Myanmar"),
        ("The Netherlands", "Netherlands"),
        ("Soviet Union", "Soviet Union"),
        ("Norwegian", None),  # a demonym is no country's name
        ("Lagos", None),
    ],
)
def test_a_country_by_its_name_or_another(name: str, expected: str | None) -> None:
    assert country(name) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Norwegian", "Norway"), ("American", "United States"), ("Dutch", "Netherlands"), ("Norway", None)],
)
def test_a_demonym_names_its_country(word: str, expected: str | None) -> None:
    assert demonym_country(word) == expected


def test_a_demonym_two_countries_share_names_neither() -> None:
    assert demonym_country("Korean") is None and demonym_country("Congolese") is None


def test_every_line_of_the_table_is_a_country_its_names_and_demonyms() -> None:
    table = Path(countries.__file__).with_name("countries.txt").read_text(encoding="utf-8")
    seen: dict[str, str] = {}
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        assert len(parts) == 3 and parts[0], line
        for name in [parts[0], *filter(None, (n.strip() for n in parts[1].split(";")))]:
            key = name.casefold().removeprefix("the ")
            assert seen.setdefault(key, parts[0]) == parts[0], f"{name} names two countries"
        assert country(parts[0]) == parts[0]
