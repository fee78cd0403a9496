"""The candidate ranker: it reorders only what the rules are unsure of, by the words near each candidate."""

from __future__ import annotations

from hopgraph.ids import entity_id
from hopgraph.reason.doc.answer_types import question_type
from hopgraph.reason.doc.extractive import (
    FEATURES,
    RANKER_GATE,
    RANKER_WEIGHTS,
    TOP_CHUNKS,
    TOP_PATHS,
    rank_candidates,
)
from hopgraph.types import Chunk, Hop, ReasoningPath, ScoredId

SEEDS = (ScoredId(entity_id("Nimbus Robotics"), 1.0, "Nimbus Robotics"),)
NIMBUS = Chunk(
    "d_nimbus", 0, "Nimbus Robotics is a company based in Lagos. It was founded by Clara Okafor in 2011."
)
OKAFOR = Chunk(
    "d_okafor",
    0,
    "Clara Okafor (born 4 May 1979) is a Nigerian engineer. She moved to Accra in 1998 and to Lagos in "
    "2004. On 12 June 2015 she recorded her song Blue Harbour in Lagos.",
)
LAGOS = Chunk("d_lagos", 0, "Lagos hosted the arts festival in 1999, 2003 and 2008.")
QUESTION = "When did the founder of Nimbus Robotics record Blue Harbour?"


def _spans(chunk: Chunk, dates: list[str]) -> list[tuple[str, str, str]]:
    return [(d, "DATE", next(s for s in chunk.text.split(". ") if d in s)) for d in dates]


def _ranked(weights: tuple[float, ...] | None) -> list[str]:
    spans = [
        _spans(NIMBUS, ["2011"]),
        _spans(OKAFOR, ["4 May 1979", "1998", "2004", "12 June 2015"]),
        _spans(LAGOS, ["1999", "2003", "2008"]),
    ]
    found = rank_candidates(
        QUESTION,
        [],
        [NIMBUS, OKAFOR, LAGOS],
        SEEDS,
        None,
        chunk_scores=[1.0, 0.9, 0.8],
        top_paths=TOP_PATHS,
        top_chunks=TOP_CHUNKS,
        labels={},
        asked=question_type(QUESTION),
        spans=spans,
        ranker_weights=weights,
    )
    return [c.name for c in found]


def test_the_ranker_prefers_the_date_whose_sentence_says_the_asked_relation() -> None:
    # eight dates, none on a path, no question word just before any: the rules give the best
    # passage's date most support (and less than RANKER_GATE of it all); the fitted ranker reads
    # "recorded" and "Blue Harbour" after 12 June 2015
    assert len(RANKER_WEIGHTS) == len(FEATURES)
    assert _ranked(())[0] != "12 June 2015"
    assert _ranked(None)[0] == "12 June 2015"


def test_a_question_the_paths_answer_keeps_the_rules_answer() -> None:
    founder = Hop("Nimbus Robotics", "founded by", "Clara Okafor", (NIMBUS.id,))
    born = ReasoningPath((founder, Hop("Clara Okafor", "born in", "1979", (OKAFOR.id,))), score=0.9)
    question = "In what year was the founder of Nimbus Robotics born?"

    def ranked(weights: tuple[float, ...] | None) -> list[tuple[str, float]]:
        found = rank_candidates(
            question,
            [born],
            [NIMBUS, OKAFOR],
            SEEDS,
            None,
            chunk_scores=None,
            top_paths=TOP_PATHS,
            top_chunks=TOP_CHUNKS,
            labels={},
            asked=question_type(question),
            spans=[_spans(NIMBUS, ["2011"]), _spans(OKAFOR, ["1998", "2004"])],
            ranker_weights=weights,
        )
        return [(c.name, c.score) for c in found]

    rules = ranked(())
    assert rules[0][0] == "1979" and rules[0][1] / sum(s for _, s in rules) >= RANKER_GATE
    assert ranked(None) == rules


def test_the_weighted_word_share_does_not_depend_on_the_order_of_the_words() -> None:
    # the words come as sets, whose order changes with the hash seed: a plain sum of 0.1, 0.2 and
    # 0.3 differs in its last bit by order, enough to flip a tie between two sentences
    from hopgraph.reason.doc.extractive import _Context

    context = _Context(["a b c"], {"alpha", "beta", "gamma"}, [], [])
    context.weights = {"alpha": 0.1, "beta": 0.2, "gamma": 0.3}
    orders = [["alpha", "beta", "gamma"], ["gamma", "beta", "alpha"], ["beta", "alpha", "gamma"]]
    assert len({context.said(set(order)) for order in orders}) == 1
    assert len({context.said(order) for order in orders}) == 1  # type: ignore[arg-type]
