"""The answer generator: prompt building, citation validation, reply parsing, extractive answers.

Reply parsing runs over a scripted in-memory LLM (plumbing); the HTTP path is in
tests/e2e/test_generator_openai.py.
"""

from __future__ import annotations

import json

import pytest
from helpers.scripted_llm import ScriptedLLM

from hopgraph.errors import LLMError, LLMOutputError
from hopgraph.ids import entity_id
from hopgraph.llm import Usage
from hopgraph.reason.doc import prompts
from hopgraph.reason.doc.extractive import extractive_answer
from hopgraph.reason.doc.generator import (
    NO_ANSWER,
    PromptLimits,
    build_prompt,
    generate_answer,
    validate_citations,
)
from hopgraph.types import Chunk, Entity, Hop, ReasoningPath, ScoredId

HEAT = Chunk("d_heat", 0, "Heat is a 1995 American crime film written and directed by Michael Mann.")
MANN = Chunk("d_mann", 0, "Michael Mann was born in Chicago, Illinois, on February 5, 1943.")
OTHER = Chunk("d_other", 0, "Collateral is a 2004 film starring Tom Cruise.")
CHUNKS = (HEAT, MANN, OTHER)
P_MANN = ReasoningPath(
    (
        Hop("Heat", "directed by", "Michael Mann", (HEAT.id,), ("d_heat",)),
        Hop("Michael Mann", "born in", "Chicago", (MANN.id,), ("d_mann",)),
    ),
    score=0.6,
)
P_INVERSE = ReasoningPath(
    (
        Hop("Heat", "directed", "Michael Mann", (HEAT.id,), ("d_heat",), inverse=True),
        Hop("Michael Mann", "born in", "Chicago", ("c_missing",), ("d_mann",)),
    ),
    score=0.3,
)
P_LA = ReasoningPath((Hop("Heat", "set in", "Los Angeles", (OTHER.id,), ("d_other",)),), score=0.8)
SEEDS = (ScoredId(entity_id("Heat"), 1.0, "Heat"),)


# -- prompt -------------------------------------------------------------------------------------


def test_prompt_numbers_paths_with_their_source_chunk_labels_and_chunks() -> None:
    prompt = build_prompt("Where was the director of Heat born?", [P_MANN, P_INVERSE], CHUNKS)
    assert prompt.labels == ("P1", "P2", "C1", "C2", "C3")
    text = prompt.text
    assert "Question: Where was the director of Heat born?" in text
    assert "P1: Heat -[directed by]-> Michael Mann -[born in]-> Chicago (sources: C1, C2)" in text
    # the inverse hop is drawn backwards; a source chunk not among the chunks gets no label
    assert "P2: Heat <-[directed]- Michael Mann -[born in]-> Chicago (sources: C1)" in text
    assert f"C2: {MANN.text}" in text and f"C3: {OTHER.text}" in text
    assert "$" not in text  # every placeholder filled


def test_prompt_shows_titles_and_says_when_there_is_no_evidence() -> None:
    prompt = build_prompt("q?", [], [HEAT], titles={"d_heat": "Heat (1995 film)"})
    assert "C1 (Heat (1995 film)): Heat is a 1995" in prompt.text
    assert "Reasoning paths:\n(none found)" in prompt.text
    assert build_prompt("q?", [], []).labels == ()


def test_prompt_caps_counts_cuts_long_chunks_and_keeps_the_token_budget() -> None:
    long = [Chunk(f"d{i}", 0, f"passage {i} " + "word " * 2000) for i in range(30)]
    paths = [ReasoningPath((Hop("A", f"p{i}", f"B{i}"),), 1.0) for i in range(40)]
    limits = PromptLimits(max_paths=5, max_chunks=6, max_chunk_chars=500, max_tokens=1000)
    prompt = build_prompt("q " * 5000, paths, long, limits=limits)
    assert prompt.labels[:5] == ("P1", "P2", "P3", "P4", "P5") and "P6" not in prompt.labels
    chunk_labels = [label for label in prompt.labels if label.startswith("C")]
    assert 1 <= len(chunk_labels) <= 6
    assert "passage 0 word" in prompt.text and " …" in prompt.text  # cut, and marked as cut
    fixed = len(prompts.prompt("answer").template)
    assert len(prompt.text) <= fixed + 4 * 1000 + limits.max_question_chars + 100
    unlimited = build_prompt("q", paths[:5], long[:6], limits=PromptLimits(max_tokens=100_000))
    assert all(len(line) <= 1200 + 10 for line in unlimited.text.splitlines())


# -- citations ----------------------------------------------------------------------------------


def test_citations_keep_valid_labels_in_order_and_flag_unknown_ones() -> None:
    text, cited, unknown = validate_citations(
        "Chicago [P1] (born there [c2, P7]) [C9].", ["P1", "p3", "[C1]", "doc 4"], ["P1", "P2", "C1", "C2"]
    )
    assert cited == ("P1", "C1", "C2")
    assert unknown == ("P3", "doc 4", "P7", "C9")
    assert text == "Chicago [P1] (born there [C2])."


def test_citations_of_plain_text_are_left_alone() -> None:
    assert validate_citations("Chicago , Illinois", [], ["P1"]) == ("Chicago , Illinois", (), ())


# -- LLM replies (plumbing over a scripted LLM) ---------------------------------------------------


def test_generate_answer_asks_with_the_answer_schema_and_validates_citations() -> None:
    llm = ScriptedLLM(json.dumps({"answer": "Chicago [P1]", "citations": ["P1", "C2", "P9"]}))
    result = generate_answer(llm, "Where was the director of Heat born?", [P_MANN], CHUNKS)
    assert result.text == "Chicago [P1]"
    assert result.citations == ("P1", "C2") and result.unknown_citations == ("P9",)
    assert result.answerer == "llm:scripted-1" and result.usage == Usage(10, 2)
    [(messages, schema)] = llm.requests
    assert schema is not None and schema["required"] == ["answer", "citations"]
    assert "P1: Heat -[directed by]->" in messages[-1].content


def test_unusable_json_is_asked_for_again_once_with_the_error() -> None:
    llm = ScriptedLLM('{"answer": }', '```json\n{"answer": "Chicago", "citations": ["C2",],}\n```')
    result = generate_answer(llm, "q", [P_MANN], CHUNKS)
    assert result.text == "Chicago" and result.citations == ("C2",)
    assert result.usage == Usage(20, 4)
    retry = llm.requests[1][0]
    assert [m.role for m in retry] == ["user", "assistant", "user"]
    assert retry[1].content == '{"answer": }' and "could not be used" in retry[2].content


def test_two_unusable_replies_raise_an_output_error() -> None:
    llm = ScriptedLLM('{"citations": ["P1"]}', "[1, 2]")
    with pytest.raises(LLMOutputError, match="also after one retry"):
        generate_answer(llm, "q", [P_MANN], CHUNKS)


def test_prose_without_json_is_taken_as_the_answer() -> None:
    result = generate_answer(ScriptedLLM("Chicago, per [P1] and [C5]."), "q", [P_MANN], CHUNKS)
    assert result.text == "Chicago, per [P1] and."
    assert result.citations == ("P1",) and result.unknown_citations == ("C5",)


def test_model_failures_become_llm_errors() -> None:
    with pytest.raises(LLMError, match="RuntimeError: boom"):
        generate_answer(ScriptedLLM(RuntimeError("boom")), "q", [P_MANN], CHUNKS)
    with pytest.raises(LLMOutputError):  # HopGraphErrors pass unchanged
        generate_answer(ScriptedLLM(LLMOutputError("bad")), "q", [P_MANN], CHUNKS)


# -- extractive ---------------------------------------------------------------------------------


def test_extractive_answer_sums_path_scores_per_terminal_entity() -> None:
    # Los Angeles has the best single path (0.8), Chicago two paths (0.6 + 0.3 = 0.9)
    result = extractive_answer(
        "Where was the director of Heat born?", [P_LA, P_MANN, P_INVERSE], CHUNKS, SEEDS
    )
    assert result.text == "Chicago" and result.answerer == "extractive"
    # its paths best first, then their chunks present in the list (c_missing is not)
    assert result.citations == ("P2", "P3", "C1", "C2")
    assert result.unknown_citations == ()


def test_extractive_answer_never_answers_a_seed() -> None:
    back = ReasoningPath((Hop("Michael Mann", "directed", "Heat", (HEAT.id,)),), score=5.0)
    seeds = (*SEEDS, ScoredId("other-id", 0.5, "michael  mann"))
    result = extractive_answer("q", [back, P_LA], CHUNKS, seeds)
    assert result.text == "Los Angeles" and result.citations == ("P2", "C3")
    only_seed = extractive_answer("q", [back], CHUNKS, SEEDS)
    assert only_seed.text == NO_ANSWER and only_seed.citations == ()


def test_extractive_answer_without_paths_picks_the_entity_the_top_chunks_name() -> None:
    mentions: list[str | Entity | ScoredId] = [
        "Heat",
        "Tom Cruise",
        Entity("Chicago"),
        ScoredId("e1", 0.9, "Michael Mann"),
    ]
    result = extractive_answer("Where was the director of Heat born?", [], CHUNKS, SEEDS, mentions)
    # Heat is a seed; Michael Mann is in C1 and C2 (weights 1 + 1/2) and beats Chicago (C2 only)
    assert result.text == "Michael Mann" and result.citations == ("C1", "C2")
    scored = extractive_answer(
        "q", [], CHUNKS, SEEDS, ["Chicago", "Tom Cruise"], chunk_scores=[0.1, 0.2, 0.9]
    )
    assert scored.text == "Tom Cruise" and scored.citations == ("C3",)
    asked = extractive_answer("Is Chicago in Illinois?", [], CHUNKS, (), ["Chicago"])
    assert asked.text == NO_ANSWER  # a name from the question is not its answer


def test_extractive_answer_says_clearly_when_nothing_was_found() -> None:
    for result in (
        extractive_answer("q", [], CHUNKS, SEEDS),
        extractive_answer("q", [], [], SEEDS, ["Chicago"]),
        extractive_answer("q", [ReasoningPath(())], CHUNKS, SEEDS, ["Nowhere"]),
    ):
        assert result.text == NO_ANSWER and result.citations == ()
    assert "No answer could be derived from the graph" in NO_ANSWER
