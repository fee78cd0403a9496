"""The extractive answer respects the question's type, skips fragments and carries a confidence."""

from __future__ import annotations

import pytest

from hopgraph.ids import entity_id
from hopgraph.reason.doc.extractive import _full_name, _nested, extractive_answer
from hopgraph.reason.doc.generator import NO_ANSWER, Generation
from hopgraph.reason.doc.pipeline import shown_paths
from hopgraph.types import Chunk, Hop, ReasoningPath, ScoredId

NIMBUS = Chunk("d_nimbus", 0, "Nimbus Robotics was founded by Clara Okafor in 2011.")
OKAFOR = Chunk("d_okafor", 0, "Clara Okafor was born in Lagos in 1979.")
SEEDS = (ScoredId(entity_id("Nimbus Robotics"), 1.0, "Nimbus Robotics"),)
FOUNDED = ReasoningPath((Hop("Nimbus Robotics", "founded in", "2011", (NIMBUS.id,)),), score=0.9)
FOUNDER = Hop("Nimbus Robotics", "founded by", "Clara Okafor", (NIMBUS.id,))
BORN_IN = ReasoningPath((FOUNDER, Hop("Clara Okafor", "born in", "Lagos", (OKAFOR.id,))), score=0.5)
BORN_YEAR = ReasoningPath((FOUNDER, Hop("Clara Okafor", "born in", "1979", (OKAFOR.id,))), score=0.5)
WAYPOINT = ReasoningPath((FOUNDER,), score=0.8)
LABELS = {"lagos": ["GPE"], "clara okafor": ["PERSON"]}


def test_a_date_never_answers_where_when_a_place_is_supported() -> None:
    # the one-hop path to 2011 scores best, but "where" asks for a place
    question = "Where was the founder of Nimbus Robotics born?"
    result = extractive_answer(question, [FOUNDED, WAYPOINT, BORN_IN], [NIMBUS, OKAFOR], SEEDS, labels=LABELS)
    assert result.text == "Lagos" and result.answer_type == "place"
    assert result.citations[0] == "P3" and "C2" in result.citations
    assert result.confidence is not None and 0.0 < result.confidence <= 1.0


def test_the_path_whose_predicates_say_the_question_wins_among_right_typed_ends() -> None:
    question = "In what year was the founder of Nimbus Robotics born?"
    result = extractive_answer(question, [FOUNDED, BORN_YEAR], [NIMBUS, OKAFOR], SEEDS, labels=LABELS)
    assert result.text == "1979"


def test_a_fragment_is_never_the_answer() -> None:
    teutberga = Chunk("d_t", 0, "Teutberga( died 11 November 875) was a queen.")
    seeds = (ScoredId(entity_id("Teutberga"), 1.0, "Teutberga"),)
    day = ReasoningPath((Hop("Teutberga", "die", "11", (teutberga.id,)),), score=0.9)
    result = extractive_answer("Who was the father of Teutberga?", [day], [teutberga], seeds)
    assert result.text == NO_ANSWER and result.confidence == 0.0
    common = ReasoningPath((Hop("Orbital Ink", "is in", "headquarters", (teutberga.id,)),), score=0.9)
    seeds = (ScoredId(entity_id("Orbital Ink"), 1.0, "Orbital Ink"),)
    assert extractive_answer("Where is Orbital Ink?", [common], [teutberga], seeds).text == NO_ANSWER


def test_a_waypoint_loses_to_the_end_of_the_path_that_goes_on() -> None:
    marry = ReasoningPath((FOUNDER, Hop("Clara Okafor", "marry", "Ada Obi", (OKAFOR.id,))), score=0.5)
    result = extractive_answer(
        "Who did the founder of Nimbus Robotics marry?",
        [WAYPOINT, marry],
        [NIMBUS, OKAFOR],
        SEEDS,
        labels=LABELS,
    )
    assert result.text == "Ada Obi"


def test_dates_in_the_top_chunks_answer_when_no_path_ends_in_one() -> None:
    spans = [[("2011", "DATE", NIMBUS.text)], [("1979", "DATE", OKAFOR.text), ("Lagos", "GPE", OKAFOR.text)]]
    result = extractive_answer(
        "When was the founder of Nimbus Robotics born?",
        [WAYPOINT],
        [NIMBUS, OKAFOR],
        SEEDS,
        labels=LABELS,
        spans=spans,
        chunk_scores=[1.0, 1.0],
    )
    # both equally ranked chunks hold a date in a sentence naming the path's entity (Clara
    # Okafor); "born" just before 1979 says the asked relation
    assert result.text == "1979" and result.citations == ("C2",)


def test_the_reader_proposes_a_right_typed_name_from_a_passage_when_the_paths_end_elsewhere() -> None:
    # the offline extractor read "Orbital Ink is a printing company founded by Mei Tanaka" as
    # Mei Tanaka -[founded by]-> Ink; the passage says where its headquarters are
    orbital = Chunk(
        "d_orbital",
        0,
        "Orbital Ink is a printing company founded by Mei Tanaka. Its headquarters are in Osaka.",
    )
    seeds = (ScoredId(entity_id("Mei Tanaka"), 1.0, "Mei Tanaka"),)
    cut = ReasoningPath((Hop("Mei Tanaka", "founded by", "Ink", (orbital.id,)),), score=0.9)
    spans = [
        [
            ("Orbital Ink", "ORG", "Orbital Ink is a printing company founded by Mei Tanaka"),
            ("Osaka", "GPE", "Its headquarters are in Osaka"),
        ]
    ]
    question = "Where is the company founded by Mei Tanaka headquartered?"
    result = extractive_answer(question, [cut], [orbital], seeds, labels={"osaka": ["GPE"]}, spans=spans)
    assert result.text == "Osaka" and result.answer_type == "place" and result.citations == ("C1",)
    # without the passage's span the cut name is all there is
    assert extractive_answer(question, [cut], [orbital], seeds).text == "Ink"


def test_a_which_question_prefers_the_candidate_its_head_noun_names() -> None:
    okafor = Chunk(
        "d_okafor", 0, "Clara Okafor studied at the University of Ibadan. Ibadan is a city in Nigeria."
    )
    seeds = (ScoredId(entity_id("Clara Okafor"), 1.0, "Clara Okafor"),)
    city = ReasoningPath(
        (
            Hop("Clara Okafor", "study at", "University of Ibadan", (okafor.id,)),
            Hop("University of Ibadan", "university in", "Ibadan", (okafor.id,)),
        ),
        score=0.9,
    )
    school = ReasoningPath(city.hops[:1], score=0.5)
    labels = {"ibadan": ["ORG"], "university of ibadan": ["ORG"]}
    result = extractive_answer(
        "Which university did Clara Okafor attend?", [city, school], [okafor], seeds, labels=labels
    )
    assert result.text == "University of Ibadan"


def test_shown_paths_put_the_cited_path_first_and_renumber_the_labels() -> None:
    paths = [FOUNDED, WAYPOINT, BORN_IN]
    generation = Generation("Lagos", ("P3", "C2"), answerer="extractive")
    relabelled, shown = shown_paths(generation, paths, 2)
    assert shown == [BORN_IN, FOUNDED] and relabelled.citations == ("P1", "C2")


def test_an_abstaining_answer_shows_its_guess_confidence_and_the_best_passages() -> None:
    from hopgraph.render.text import answer_to_dict, render_text
    from hopgraph.types import Answer

    answer = Answer(
        text="No confident answer (best guess: Lagos, confidence 0.12 < 0.32). The passages below ...",
        chunks=(NIMBUS, OKAFOR),
        citations=("C2",),
        confidence=0.12,
        best_guess="Lagos",
        abstained=True,
        notes=("This question looks German",),
    )
    text = render_text(answer)
    assert "Passages:" in text and NIMBUS.text in text and OKAFOR.text in text  # all, not only cited
    assert "Note: This question looks German" in text
    data = answer_to_dict(answer)
    assert data["abstained"] is True and data["best_guess"] == "Lagos" and data["confidence"] == 0.12


def test_a_nested_question_discounts_the_seeds_own_one_hop_fact() -> None:
    # "the founder of X": a one-hop path from the seed answers only the first hop, so the seed's
    # own place (Accra, the better-scored path) loses to the founder's birthplace; asked of the
    # seed itself, the one-hop path answers
    # (the two-hop path says two of the question's words, "founder" and "born": 4 x 0.2 = 0.8 of
    # the one-hop path's support, 1.0 of it discounted to 0.5)
    based = ReasoningPath((Hop("Nimbus Robotics", "based in", "Accra", (NIMBUS.id,)),), score=1.0)
    born = ReasoningPath(BORN_IN.hops, score=0.2)
    labels = {**LABELS, "accra": ["GPE"]}
    nested = "Where was the founder of Nimbus Robotics born?"
    assert extractive_answer(nested, [based, born], [NIMBUS, OKAFOR], SEEDS, labels=labels).text == "Lagos"
    plain = "Where is Nimbus Robotics based?"
    assert extractive_answer(plain, [based, born], [NIMBUS, OKAFOR], SEEDS, labels=labels).text == "Accra"


@pytest.mark.parametrize(
    ("question", "nested"),
    [
        ("Where was the founder of Nimbus Robotics born?", True),
        ("Who founded the company that acquired Verdant Rail?", True),
        ("Who conducted the opera written by Halvard Lind?", True),
        ("Where was Bob's wife born?", True),
        ("What is the population of the state where Dodge City is?", True),
        ("Where was Clara Okafor born?", False),
        ("What is the capital of France?", False),
        ("Who is Bob's wife?", False),
        ("In which country is Nimbus Robotics?", False),
    ],
)
def test_a_question_is_nested_when_it_names_its_subject_through_another_relation(
    question: str, nested: bool
) -> None:
    assert _nested(question) is nested


def test_a_one_relation_question_is_answered_by_the_path_that_says_it_not_by_a_detour() -> None:
    # the two-hop path scores higher but its second hop says nothing the question asks
    film = Chunk("d_f", 0, "The Silent Orchard is a drama film directed by Lena Hartmann.")
    lena = Chunk("d_l", 0, "Lena Hartmann is a German film director. She studied at the Munich Film School.")
    directed = Hop("Silent Orchard", "directed by", "Lena Hartmann", (film.id,))
    detour = ReasoningPath(
        (directed, Hop("Lena Hartmann", "study at", "Munich Film School", (lena.id,))), score=0.9
    )
    seeds = (ScoredId(entity_id("Silent Orchard"), 1.0, "Silent Orchard"),)
    labels = {"lena hartmann": ["PERSON"], "munich film school": ["ORG"]}
    paths = [detour, ReasoningPath((directed,), score=0.8)]
    assert extractive_answer(
        "Who directed The Silent Orchard?", paths, [film, lena], seeds, labels=labels
    ).text == ("Lena Hartmann")
    # nested, the same two-hop path is what the question asks
    nested = "Where did the director of The Silent Orchard study?"
    assert extractive_answer(nested, paths, [film, lena], seeds, labels=labels).text == "Munich Film School"


def test_a_detour_past_an_end_of_the_asked_kind_loses_and_one_to_reach_that_kind_wins() -> None:
    berg = Chunk(
        "d_b", 0, "Verdant Rail is a railway company founded by Tomas Berg. Tomas Berg married Ana Ruiz."
    )
    northwind = Chunk("d_n", 0, "Northwind Holdings is an investment company. It acquired Verdant Rail.")
    married = Hop("Ana Ruiz", "married", "Tomas Berg", (berg.id,), inverse=True)
    founded = Hop("Tomas Berg", "founded", "Verdant Rail", (berg.id,))
    bought = Hop("Verdant Rail", "acquired by", "Northwind Holdings", (northwind.id,))
    seeds = (ScoredId(entity_id("Ana Ruiz"), 1.0, "Ana Ruiz"),)
    labels = {"verdant rail": ["ORG"], "northwind holdings": ["ORG"]}
    paths = [
        ReasoningPath((married, founded, bought), score=0.9),
        ReasoningPath((married, founded), score=0.88),
    ]
    question = "What company did the husband of Ana Ruiz found?"
    assert extractive_answer(question, paths, [berg, northwind], seeds, labels=labels).text == "Verdant Rail"


def test_a_nationality_question_is_answered_by_a_nationality_not_by_the_person() -> None:
    film = Chunk("d_f", 0, "Do You Believe? is a 2015 film directed by Jon Gunn.")
    gunn = Chunk("d_g", 0, "Jon Gunn is an American film director born in 1970.")
    directed = Hop("Do You Believe?", "directed by", "Jon Gunn", (film.id,))
    seeds = (ScoredId(entity_id("Do You Believe?"), 1.0, "Do You Believe?"),)
    spans = [
        [],
        [("Jon Gunn", "PERSON", gunn.text), ("American", "NORP", gunn.text), ("1970", "DATE", gunn.text)],
    ]
    labels = {"jon gunn": ["PERSON"], "american": ["NORP"]}
    question = "What nationality is the director of film Do You Believe??"
    result = extractive_answer(
        question, [ReasoningPath((directed,), score=0.9)], [film, gunn], seeds, labels=labels, spans=spans
    )
    assert result.text == "American"


def test_the_path_that_supports_the_answer_most_is_cited_first() -> None:
    # a KB graph (no passages): "Who founded Nimbus Robotics?" reaches Clara Okafor by its one
    # relation and, scored higher, by a detour through a partner; the one relation is the reason
    via_partner = ReasoningPath(
        (
            Hop("Nimbus Robotics", "partner of", "Orbital Ink"),
            Hop("Orbital Ink", "advised by", "Clara Okafor"),
        ),
        score=0.9,
    )
    founder = ReasoningPath((Hop("Nimbus Robotics", "founded by", "Clara Okafor"),), score=0.6)
    result = extractive_answer(
        "Who founded Nimbus Robotics?", [via_partner, founder], [], SEEDS, labels=LABELS
    )
    assert result.text == "Clara Okafor"
    assert result.citations[0] == "P2"
    assert result.citations[1] == "P1"  # the other path to the answer is still cited
    shown, paths = shown_paths(result, [via_partner, founder], limit=2)
    assert paths[0] == founder and shown.citations[0] == "P1"


def test_the_noun_a_relative_clause_describes_is_no_relation_word() -> None:
    # "the city where X was born" names the bridge's kind: a path saying "city of" fits no better
    voss = Chunk("d_voss", 0, "Lisbrook was the birthplace of Helena Voss.")
    lisbrook = Chunk("d_lis", 0, "Lisbrook is a city of Caldoria. It lies by the Amber Lake.")
    seeds = (ScoredId(entity_id("Helena Voss"), 1.0, "Helena Voss"),)
    born = Hop("Helena Voss", "birthplace of", "Lisbrook", (voss.id,), inverse=True)
    country = ReasoningPath((born, Hop("Lisbrook", "city of", "Caldoria", (lisbrook.id,))), score=0.9)
    lake = ReasoningPath((born, Hop("Lisbrook", "lie by", "Amber Lake", (lisbrook.id,))), score=0.6)
    labels = {"caldoria": ["GPE"], "amber lake": ["LOC"], "lisbrook": ["GPE"]}
    question = "What lake does the city where Helena Voss was born stand on?"
    result = extractive_answer(question, [country, lake], [voss, lisbrook], seeds, labels=labels)
    assert result.text == "Amber Lake"


def test_a_count_of_things_never_answers_who() -> None:
    crc = Chunk("d_crc", 0, "Its chief executive is Ines Morrow. The company runs about 900 trains a day.")
    seeds = (ScoredId(entity_id("Greyhaven Bridge"), 1.0, "Greyhaven Bridge"),)
    crc_name = "Caldorian Railway Company"
    owner = Hop("Greyhaven Bridge", "owned by", crc_name, (crc.id,))
    trains = ReasoningPath((owner, Hop(crc_name, "run", "about 900 trains", (crc.id,))), 0.9)
    chief = ReasoningPath((owner, Hop(crc_name, "executive", "Ines Morrow", (crc.id,))), 0.5)
    labels = {"ines morrow": ["PERSON"]}
    question = "Who runs the company that owns the Greyhaven Bridge?"
    result = extractive_answer(question, [trains, chief], [crc], seeds, labels=labels)
    assert result.text == "Ines Morrow"


def test_a_name_that_says_the_asked_kind_beats_one_nothing_says_is_of_it() -> None:
    # "what lake": Amber Lake's name says it is one; nothing says Caldoria is (both are places)
    lisbrook = Chunk("d_lis", 0, "Lisbrook borders Caldoria and lies beside the Amber Lake.")
    seeds = (ScoredId(entity_id("Lisbrook"), 1.0, "Lisbrook"),)
    country = ReasoningPath((Hop("Lisbrook", "border", "Caldoria", (lisbrook.id,)),), score=0.9)
    lake = ReasoningPath((Hop("Lisbrook", "lie beside", "Amber Lake", (lisbrook.id,)),), score=0.3)
    labels = {"caldoria": ["GPE"], "amber lake": ["LOC"]}
    question = "What lake is Lisbrook on?"
    result = extractive_answer(question, [country, lake], [lisbrook], seeds, labels=labels)
    assert result.text == "Amber Lake"


def test_teaching_words_say_their_relation() -> None:
    text = "Helena Voss studied at the University of Port Idris; her teacher was Anselm Brandt."
    voss = Chunk("d_voss", 0, text)
    seeds = (ScoredId(entity_id("Helena Voss"), 1.0, "Helena Voss"),)
    school = ReasoningPath((Hop("Helena Voss", "study at", "University of Port Idris", (voss.id,)),), 0.9)
    teacher = ReasoningPath((Hop("Helena Voss", "teacher", "Anselm Brandt", (voss.id,)),), 0.5)
    labels = {"university of port idris": ["ORG"], "anselm brandt": ["PERSON"]}
    result = extractive_answer("Who taught Helena Voss?", [school, teacher], [voss], seeds, labels=labels)
    assert result.text == "Anselm Brandt"


def test_a_demonym_says_the_country_a_question_asks_for() -> None:
    # "the Norwegian playwright": the passage names Ibsen's country only by its people's word,
    # and names another country where the play was staged
    text = "Brand is a play by the Norwegian playwright Henrik Ibsen, first staged in Stockholm, Sweden."
    brand = Chunk("d_b", 0, text)
    seeds = (ScoredId(entity_id("Brand"), 1.0, "Brand"),)
    spans = [
        [
            ("Norwegian", "NORP", brand.text),
            ("Henrik Ibsen", "PERSON", brand.text),
            ("Stockholm", "GPE", brand.text),
            ("Sweden", "GPE", brand.text),
        ]
    ]
    wrote = ReasoningPath((Hop("Brand", "play by", "Henrik Ibsen", (brand.id,)),), score=0.9)
    question = "What country was the author of Brand a citizen of?"
    labels = {"henrik ibsen": ["PERSON"]}
    result = extractive_answer(question, [wrote], [brand], seeds, spans=spans, labels=labels)
    assert result.text == "Norway" and result.answer_type == "place"


def test_a_candidate_said_to_be_another_kind_loses_to_one_said_to_be_the_asked_kind() -> None:
    # the path ends in the director's studio, which nothing says is a nationality; the passage
    # calls the director Austrian
    ralph = Chunk("d_r", 0, "Louis Ralph was an Austrian film director. He worked at MGM.")
    seeds = (ScoredId(entity_id("Our Emden"), 1.0, "Our Emden"),)
    directed = Hop("Our Emden", "directed by", "Louis Ralph", (ralph.id,))
    studio = ReasoningPath((directed, Hop("Louis Ralph", "worked at", "MGM", (ralph.id,))), score=0.9)
    names = [("Louis Ralph", "PERSON"), ("Austrian", "NORP"), ("MGM", "ORG")]
    spans = [[(name, label, ralph.text) for name, label in names]]
    labels = {"louis ralph": ["PERSON"], "mgm": ["ORG"], "austrian": ["NORP"]}
    question = "What nationality is the director of film Our Emden?"
    result = extractive_answer(question, [studio], [ralph], seeds, labels=labels, spans=spans)
    assert result.text == "Austrian"


def test_a_thing_question_reads_titles_from_the_passages() -> None:
    # no path ends in the film: the passage names it, and says it is a movie
    text = "Last Vegas is a 2013 movie starring Morgan Freeman and Robert De Niro, directed by Jon Turteltaub"
    film = Chunk("d_lv", 0, text)
    seeds = tuple(ScoredId(entity_id(n), 1.0, n) for n in ("Morgan Freeman", "Robert De Niro"))
    directed = ReasoningPath((Hop("Morgan Freeman", "directed by", "Jon Turteltaub", (film.id,)),), 0.9)
    names = [("Last Vegas", "WORK_OF_ART"), ("2013", "DATE"), ("Morgan Freeman", "PERSON")]
    spans = [[(name, label, text) for name, label in names]]
    question = "What movie stars Morgan Freeman and Robert De Niro?"
    result = extractive_answer(question, [directed], [film], seeds, spans=spans)
    assert result.text == "Last Vegas"


def test_a_longer_name_is_read_on_one_line_only() -> None:
    # a passage's title line is no part of the name that starts its first sentence
    texts = ["Odile Marchand\n\nOdile Marchand (born 3 May 1941) is a critic.", "Orbital Ink makes inks."]
    assert _full_name("Odile Marchand", texts) == "Odile Marchand"
    assert _full_name("Ink", texts) == "Orbital Ink"


def test_a_path_saying_born_in_makes_its_end_a_place_whatever_its_label() -> None:
    # the small model tagged this "Lyon" a person: "born in" says it is a place
    marchand = Chunk("d_m", 0, "Odile Marchand founded it. She was born in Lyon and lives in Ravello.")
    seeds = (ScoredId(entity_id("Lumen Film Festival"), 1.0, "Lumen Film Festival"),)
    founder = Hop("Lumen Film Festival", "founded by", "Odile Marchand", (marchand.id,))
    born = ReasoningPath((founder, Hop("Odile Marchand", "born in", "Lyon", (marchand.id,))), score=0.9)
    lives = ReasoningPath((founder, Hop("Odile Marchand", "live in", "Ravello", (marchand.id,))), score=0.4)
    labels = {"lyon": ["PERSON"], "ravello": ["GPE"], "odile marchand": ["PERSON"]}
    question = "Where was the founder of the Lumen Film Festival born?"
    result = extractive_answer(question, [born, lives], [marchand], seeds, labels=labels)
    assert result.text == "Lyon" and result.answer_type == "place"
