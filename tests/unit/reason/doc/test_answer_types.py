"""Answer types: what a question asks for, what a candidate is, and fragments that answer nothing."""

from __future__ import annotations

import pytest

from hopgraph.reason.doc.answer_types import (
    DATE,
    NUMBER,
    ORG,
    PERSON,
    PLACE,
    THING,
    UNKNOWN,
    YESNO,
    QuestionType,
    candidate_type,
    compatible,
    described_type,
    head_fit,
    is_fragment,
    question_type,
)
from hopgraph.retrieval.linking import load_spacy


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Where was the founder of Nimbus Robotics born?", PLACE),
        ("where was the founder of nimbus robotics born?", PLACE),
        ("In which country is Nimbus Robotics headquartered?", PLACE),
        ("Who was the father of Teutberga?", PERSON),
        ("What year did the company dissolve?", DATE),
        ("When did the Admiral Twin open?", DATE),
        ("How many Publix stores are in Florida?", NUMBER),
        ("What percentage of edits came from Spain?", NUMBER),
        ("Which company acquired Verdant Rail?", ORG),
        ("Is Osaka in Japan?", YESNO),
        ("What does the company build?", THING),
        # a relative "which" is not the question's wh-word: the final "when" is
        ("King Albert lived during a war which Italy entered when?", DATE),
        # "how many" asks wherever it stands, after a relative "where" too
        ("The state where Henry Worrall died has how many congressional districts?", NUMBER),
        # ... nor is the "where" of "born where": the wh-phrase ending the question is
        ("Albert Einstein, born where Ulm is, worked for what company?", ORG),
        # "area" is a measure as the copula's subject, a place after a wh-determiner
        ("What is the area of Estonia?", NUMBER),
        ("In which area of Europe did the Renaissance begin?", PLACE),
    ],
)
def test_question_type_from_the_wh_word_and_its_head_noun(question: str, kind: str) -> None:
    assert question_type(question).kind == kind


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        (
            "Humboldt Peak, in the state where Silverton is located, is part of what mountain range?",
            "what mountain",
        ),
        ("The river that flows where Lake Tana is drains into which sea?", "which sea"),
    ],
)
def test_a_relative_where_does_not_hide_the_asking_wh_phrase(question: str, cue: str) -> None:
    asked = question_type(question)
    assert (asked.kind, asked.cue) == (PLACE, cue)
    nlp = load_spacy()
    if nlp is None:
        pytest.skip("no spaCy English model installed")
    # parsed, the wh-determiner's head is "range" (no type): its compound "mountain" names one
    assert question_type(question, nlp) == asked


@pytest.mark.parametrize(
    ("name", "labels", "kind"),
    [
        ("2011", (), DATE),
        ("11 November 875", (), DATE),
        ("February 4, 1948", (), DATE),
        ("1990s", (), DATE),
        ("420", (), NUMBER),
        ("1979", (), DATE),
        ("1979", ("CARDINAL",), NUMBER),
        ("6.8 inches", (), NUMBER),
        ("Lagos", ("GPE",), PLACE),
        ("Clara Okafor", ("PERSON",), PERSON),
        ("Orbital Ink", ("ORG",), ORG),
        ("DuPage County", (), PLACE),
        ("University of Ibadan", (), UNKNOWN),
        ("Kyoto University", (), ORG),
        ("Ana Ruiz", (), UNKNOWN),
        ("Ana Ruiz", ("person",), PERSON),  # a type word an LLM extractor wrote
        ("437000", ("DATE",), NUMBER),  # six digits are no year, whatever the recogniser says
        ("140 minutes", ("TIME",), NUMBER),
        ("about 900 trains", (), NUMBER),  # a count of things, whatever it counts
        ("seven stone arches", (), NUMBER),
        ("one of them", (), UNKNOWN),
        ("2 Broke Girls", ("WORK_OF_ART",), THING),  # a title, not a count
        ("Lyon Chamber Orchestra", ("PERSON",), ORG),  # its last word over a recogniser's guess
        ("Sangre de Cristo Range", ("ORG",), PLACE),
        ("Humboldt Peak", ("ORG",), PLACE),
        ("Tallinn", ("ORG", "GPE", "GPE"), PLACE),  # most of its labels
        ("Norway", ("PERSON",), PLACE),  # a country by name, over a recogniser's guess
    ],
)
def test_candidate_type_from_patterns_labels_and_name_words(
    name: str, labels: tuple[str, ...], kind: str
) -> None:
    assert candidate_type(name, labels) == kind


def test_compatible_says_fits_contradicts_or_unknown() -> None:
    where = question_type("Where was Clara Okafor born?")
    assert compatible(where, PLACE) is True
    assert compatible(where, DATE) is False
    assert compatible(where, UNKNOWN) is None
    who = question_type("Who published the journal?")
    assert compatible(who, ORG) is True and compatible(who, PERSON) is True
    assert compatible(QuestionType(THING, "what"), DATE) is None


@pytest.mark.parametrize(
    ("name", "question", "fragment"),
    [
        ("11", "Who was the father of Teutberga?", True),
        ("most", "Which city has the most people?", True),
        ("it", "What did Nimbus build?", True),
        ("headquarters", "Where is Orbital Ink headquartered?", True),
        ("11", "How many trains does it run?", False),
        ("Osaka", "Where is Orbital Ink headquartered?", False),
        ("2011", "When was Nimbus founded?", False),
        ("warehouse robots", "What does Nimbus build?", False),
    ],
)
def test_fragments_are_never_answers(name: str, question: str, fragment: bool) -> None:
    assert is_fragment(name, question_type(question)) is fragment


def test_a_passage_saying_what_a_name_is_types_it_over_its_labels() -> None:
    texts = [
        "Glass Harbour is an opera by Halvard Lind.",
        "Halvard Lind (born 4 March 1950) is a Norwegian composer.",
    ]
    assert described_type("Glass Harbour", texts) == (THING, "opera")
    assert described_type("Halvard Lind", texts) == (PERSON, "composer")
    assert candidate_type("Glass Harbour", ["PERSON"], described_type("Glass Harbour", texts)[0]) == THING
    # the end of a longer name is not described: "University of Ibadan is a university"
    assert described_type("Ibadan", ["The University of Ibadan is a university in Ibadan."]) == (UNKNOWN, "")
    assert described_type("Paris", ["Paris is the home of the Louvre."]) == (UNKNOWN, "")
    # the phrase's last type noun: a film critic is a person, not a film
    critic = ["Odile Marchand (born 3 May 1941) is a French film critic."]
    assert described_type("Odile Marchand", critic) == (PERSON, "critic")


def test_head_noun_fit_of_which_questions() -> None:
    country = question_type("In which country is Nimbus Robotics headquartered?")
    assert country.head == "country"
    assert head_fit(country, "Tallinn", "capital") is False  # a passage calls it a capital city
    assert head_fit(country, "Estonia", "") is True  # a country by name
    assert head_fit(country, "the U.S.", "") is True  # and by another of its names
    assert head_fit(country, "Kingdom of Hungary", "") is True  # a state's word in its name
    # the country table is closed: a name it does not hold is none, unless a passage says it is
    assert head_fit(country, "Malmö", "") is False
    assert head_fit(country, "Veloria", "country") is True
    university = question_type("Which university did Clara Okafor attend?")
    assert head_fit(university, "University of Ibadan") is True
    assert head_fit(university, "Ibadan", "city") is None  # another type altogether: the type decides
    assert head_fit(question_type("Where was Clara Okafor born?"), "Lagos", "city") is None


def test_a_thing_question_names_its_noun_and_a_passage_describing_a_candidate_as_one_fits() -> None:
    waterfall = question_type("What is the name of the waterfall in the country where the Bubye River is?")
    assert (waterfall.kind, waterfall.head) == (THING, "waterfall")
    assert question_type("What kind of plane dropped the bomb on Nagasaki?").head == "plane"
    assert question_type("What does the company build?").head == ""  # no noun: nothing to fit
    texts = ["Victoria Falls is a waterfall in southern Africa on the Zambezi River."]
    assert described_type("Victoria Falls", texts, waterfall.head) == (THING, "waterfall")
    assert described_type("Victoria Falls", texts) == (UNKNOWN, "")  # not asked: names no type
    assert head_fit(waterfall, "Victoria Falls", "waterfall") is True
    assert head_fit(waterfall, "Zimbabwe", "country") is None  # another noun says nothing of a thing
    assert head_fit(question_type("What treaty did Spain sign?"), "Treaty of Paris") is True
    # a known type's noun is found as before: "city" is a place, not a thing
    assert described_type("Sapporo", ["Sapporo is a city in Japan."], "city") == (PLACE, "city")


def test_a_description_is_typed_by_its_head_noun_the_last_one() -> None:
    texts = [
        "Lena Hartmann (born 4 March 1971) is a German film director and writer.",
        "Northlight Pictures is a film production company based in Hamburg.",
        "The Silent Orchard is a 2016 drama film directed by Lena Hartmann.",
    ]
    assert described_type("Lena Hartmann", texts) == (PERSON, "director")
    assert described_type("Northlight Pictures", texts) == (ORG, "company")
    assert described_type("Silent Orchard", texts) == (THING, "film")


def test_a_type_noun_written_before_a_name_types_it() -> None:
    texts = ["Hartmann is married to the composer Paul Richter. She lives in the city of Leipzig."]
    assert described_type("Paul Richter", texts) == (PERSON, "composer")
    assert described_type("Leipzig", texts) == (UNKNOWN, "")  # "of" Leipzig: not "city Leipzig"


def test_a_role_said_to_be_a_name_types_it() -> None:
    # the small model tags "Ines Morrow" PRODUCT; the sentence says she is the chief executive
    texts = [
        "The company was established in 1859. Its chief executive is Ines Morrow. "
        "Its mayor since 2019 has been Tomas Keel. The capital is Lisbrook. The winner was Brazil."
    ]
    assert described_type("Ines Morrow", texts) == (PERSON, "executive")
    assert described_type("Tomas Keel", texts) == (PERSON, "mayor")
    assert described_type("Lisbrook", texts) == (PLACE, "capital")
    assert described_type("Brazil", texts) == (UNKNOWN, "")  # "winner" names no type


def test_where_about_study_or_work_also_takes_an_institution() -> None:
    assert ORG in question_type("Where did the director of The Silent Orchard study?").accepts
    assert ORG in question_type("Where does the founder of Nimbus Robotics work?").accepts
    assert ORG not in question_type("Where was the director of The Silent Orchard born?").accepts
