"""A question choosing between two options it names ("Which film came out first, A or B?") is
answered with one of them, by the years their own passages give."""

from __future__ import annotations

import pytest

from hopgraph.reason.doc.extractive import CHOICE_UNDECIDED, _choice, extractive_answer
from hopgraph.types import Chunk, Hop, ReasoningPath

HARBOUR = Chunk(
    "d_harbour", 0, "Glass Harbour is a 1961 drama film directed by Ines Moreau. It was remade in 1994."
)
LANTERN = Chunk("d_lantern", 0, "The Paper Lantern is a 1948 comedy film. Ines Moreau saw it in 1961.")
MOREAU = Chunk("d_moreau", 0, "Ines Moreau (4 May 1920 - 2 June 1999) was a French director.")
TANAKA = Chunk("d_tanaka", 0, "Mei Tanaka (1931 - 1987) was a Japanese engineer, born in Osaka.")
PATH = ReasoningPath((Hop("Glass Harbour", "directed by", "Ines Moreau", (HARBOUR.id,)),), score=0.9)


@pytest.mark.parametrize(
    ("question", "options"),
    [
        (
            "Which film came out first, Glass Harbour or The Paper Lantern?",
            ("Glass Harbour", "The Paper Lantern", True, False),
        ),
        (
            "Which film was released later: Glass Harbour or The Paper Lantern?",
            ("Glass Harbour", "The Paper Lantern", False, False),
        ),
        ("Who died first, Ines Moreau or Mei Tanaka?", ("Ines Moreau", "Mei Tanaka", True, True)),
        (
            "Which film came out first, Sugar, Honey and Pepper or Reunion??",
            ("Sugar, Honey and Pepper", "Reunion", True, False),
        ),
        ("When was the director of Glass Harbour or The Paper Lantern born?", None),
        ("Which film did Ines Moreau direct first?", None),
        ("Is Glass Harbour older than The Paper Lantern?", None),
    ],
)
def test_a_choice_question_names_its_options_and_its_order(
    question: str, options: tuple[str, str, bool, bool] | None
) -> None:
    assert _choice(question) == options


def test_the_option_whose_own_passage_gives_the_earlier_year_answers_first() -> None:
    # The Paper Lantern's passage says 1961 too, but in its second sentence: its own year is 1948
    chunks = [HARBOUR, LANTERN, MOREAU]
    first = extractive_answer(
        "Which film came out first, Glass Harbour or The Paper Lantern?", [PATH], chunks
    )
    assert first.text == "The Paper Lantern" and first.confidence == pytest.approx(0.8)
    assert first.citations == ("C2",)
    later = extractive_answer(
        "Which film came out later, The Paper Lantern or Glass Harbour?", [PATH], chunks
    )
    assert later.text == "Glass Harbour"


def test_a_question_about_a_death_reads_the_second_year_of_the_life_dates() -> None:
    chunks = [MOREAU, TANAKA]
    # born: 1920 before 1931; died: 1999 after 1987
    assert (
        extractive_answer("Who was born first, Mei Tanaka or Ines Moreau?", [], chunks).text == "Ines Moreau"
    )
    assert extractive_answer("Who died first, Ines Moreau or Mei Tanaka?", [], chunks).text == "Mei Tanaka"


def test_options_no_passage_dates_are_a_guess_with_a_low_confidence() -> None:
    found = extractive_answer(
        "Which film came out first, Glass Harbour or Blue Rain?", [PATH], [HARBOUR, MOREAU]
    )
    assert found.text == "Glass Harbour" and found.confidence == CHOICE_UNDECIDED


def test_a_living_persons_one_year_is_no_death() -> None:
    # "Ann Berg (born 1950)" gives a birth year only: who died first is not decided by it
    berg = Chunk("d_berg", 0, "Ann Berg (born 1950) is a Swedish painter.")
    found = extractive_answer("Who died first, Ann Berg or Mei Tanaka?", [], [berg, TANAKA])
    assert found.text == "Ann Berg" and found.confidence == CHOICE_UNDECIDED
