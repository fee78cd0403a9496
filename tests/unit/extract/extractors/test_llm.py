"""LLM extractor logic over a scripted in-memory LLM: parsing shapes, grounding, guidance, failures.

Plumbing only: the HTTP path and the real backends are tested in tests/e2e.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers.scripted_llm import ScriptedLLM

from hopgraph.errors import ConfigError, LLMAuthError, LLMRetriesExhaustedError
from hopgraph.extract.extractors.base import AsyncExtractor, Extractor
from hopgraph.extract.extractors.llm import LLMExtractor
from hopgraph.extract.extractors.validation import Grounder, SchemaGuidance
from hopgraph.llm import Usage
from hopgraph.types import Chunk

CHUNK = Chunk(
    "doc", 3, "Albert Einstein was born in Ulm. Einstein later taught at the University of Zurich in 1909."
)


def spo(result: Any) -> list[tuple[str, str, str]]:
    return [(t.subject, t.predicate, t.object) for t in result.triples]


def test_protocols() -> None:
    extractor = LLMExtractor(ScriptedLLM())
    assert isinstance(extractor, Extractor) and isinstance(extractor, AsyncExtractor)


@pytest.mark.parametrize(
    "reply",
    [
        {"triples": [{"subject": "Albert Einstein", "predicate": "born in", "object": "Ulm"}]},
        {"triples": [["Albert Einstein", "born in", "Ulm"]]},
        [["Albert Einstein", "born in", "Ulm"]],
        {"relations": [{"head": "Albert Einstein", "relation": "born in", "tail": "Ulm"}]},
        {"subject": "Albert Einstein", "predicate": "born in", "object": "Ulm"},
        {
            "triples": [
                {
                    "subject": {"name": "Albert Einstein", "type": "Person"},
                    "predicate": "born in",
                    "object": "Ulm",
                }
            ]
        },
    ],
)
def test_triple_shapes(reply: Any) -> None:
    result = LLMExtractor(ScriptedLLM(reply)).extract(CHUNK)
    assert result.ok and spo(result) == [("Albert Einstein", "born in", "Ulm")]
    assert result.triples[0].chunk_id == CHUNK.id and result.triples[0].doc_id == "doc"


def test_validation_drops_ungrounded_empty_self_loops_and_repeats() -> None:
    reply = {
        "triples": [
            ["Albert Einstein", "born in", "Ulm"],
            ["albert  einstein", "Born in", "ULM"],  # a repeat up to case and spacing
            ["Albert Einstein", "born in", "Munich"],  # Munich is not in the text
            ["Einstein", "is", "einstein"],  # self loop
            ["", "born in", "Ulm"],
            ["Albert Einstein", "taught at", "University of Zurich"],
            ["Einstein", "taught in", 1909],  # numbers become text
            "not a triple",
        ]
    }
    result = LLMExtractor(ScriptedLLM(reply)).extract(CHUNK)
    assert spo(result) == [
        ("Albert Einstein", "born in", "Ulm"),
        ("Albert Einstein", "taught at", "University of Zurich"),
        ("Einstein", "taught in", "1909"),
    ]
    assert result.dropped == 5
    assert {e.name for e in result.entities} == {
        "Albert Einstein",
        "Ulm",
        "University of Zurich",
        "Einstein",
        "1909",
    }


def test_grounding_rule() -> None:
    g = Grounder(CHUNK.text)
    assert g.score("albert EINSTEIN") == 1.0  # case-insensitive
    assert g.score("Einstein, Albert") == 1.0  # every content token present
    assert g.score("Albert Einstein's") == 1.0  # punctuation and single letters ignored
    assert g.score("Zurich University") == 1.0
    assert g.score("Hans Einstein") == 0.5  # half the content tokens: at the 0.5 threshold
    assert g.score("Hans Albert Meyer") == 0.0  # 1/3 < 0.5
    assert g.score("Ul") == 0.0  # no partial words
    assert g.score("the of") == 0.0
    assert Grounder(CHUNK.text, threshold=0.8).score("Hans Einstein") == 0.0


def test_partial_grounding_lowers_confidence() -> None:
    result = LLMExtractor(ScriptedLLM([["Hans Einstein", "born in", "Ulm"]])).extract(CHUNK)
    assert result.triples[0].confidence == 0.5


def test_strict_guidance_keeps_only_allowed_and_maps_spellings() -> None:
    guidance = SchemaGuidance(
        entity_types=("Person", "Place", "Organization"),
        relation_types=("BORN_IN", "works for"),
        strict=True,
        synonyms={"taught at": "works for", "City": "Place"},
    )
    keys = ("subject", "subject_type", "predicate", "object", "object_type")
    rows = [
        ("Albert Einstein", "person", "born in", "Ulm", "City"),
        ("Einstein", "Person", "taught at", "University of Zurich", "organization"),
        ("Einstein", "Person", "taught in", "1909", "Date"),  # Date is not allowed
        ("Einstein", "", "born in", "Ulm", "Place"),  # an empty type is not allowed either
    ]
    reply = {"triples": [dict(zip(keys, row, strict=True)) for row in rows]}
    llm = ScriptedLLM(reply)
    result = LLMExtractor(llm, schema_guidance=guidance).extract(CHUNK)
    assert [(t.subject, t.subject_type, t.predicate, t.object, t.object_type) for t in result.triples] == [
        ("Albert Einstein", "Person", "BORN_IN", "Ulm", "Place"),
        ("Einstein", "Person", "works for", "University of Zurich", "Organization"),
    ]
    assert result.dropped == 2
    assert "Use only these predicates: BORN_IN, works for" in llm.requests[0][0][-1].content


def test_lenient_guidance_keeps_others() -> None:
    guidance = SchemaGuidance(entity_types=("Person",), relation_types=("BORN_IN",))
    reply = [["Albert Einstein", "born in", "Ulm"], ["Einstein", "taught at", "University of Zurich"]]
    llm = ScriptedLLM(reply)
    result = LLMExtractor(llm, schema_guidance=guidance).extract(CHUNK)
    assert [t.predicate for t in result.triples] == ["BORN_IN", "taught at"]
    assert "preferably" in llm.requests[0][0][-1].content


def test_empty_chunk_costs_no_call() -> None:
    llm = ScriptedLLM()
    result = LLMExtractor(llm).extract(Chunk("doc", 0, "   "))
    assert result.ok and result.triples == () and llm.requests == [] and result.llm_calls == 0


def test_backend_failures_are_recorded_but_config_failures_raise() -> None:
    result = LLMExtractor(ScriptedLLM(LLMRetriesExhaustedError("overloaded", attempts=5))).extract(CHUNK)
    assert not result.ok and "overloaded" in result.error
    result = LLMExtractor(ScriptedLLM(RuntimeError("CUDA out of memory"))).extract(CHUNK)
    assert result.error == "RuntimeError: CUDA out of memory"
    with pytest.raises(LLMAuthError):
        LLMExtractor(ScriptedLLM(LLMAuthError("bad key"))).extract(CHUNK)
    with pytest.raises(ConfigError):
        LLMExtractor(ScriptedLLM(), gleaning=-1)


def test_failed_gleaning_keeps_what_was_found() -> None:
    llm = ScriptedLLM([["Albert Einstein", "born in", "Ulm"]], "sorry, nothing")
    result = LLMExtractor(llm, gleaning=2).extract(CHUNK)
    assert result.ok and spo(result) == [("Albert Einstein", "born in", "Ulm")]
    assert len(llm.requests) == 2 and result.usage == Usage(20, 4)


def test_two_pass_drops_ungrounded_entities_and_uses_their_types() -> None:
    entities = {"entities": [["Albert Einstein", "Person"], "Ulm", {"name": "Bern", "type": "City"}]}
    llm = ScriptedLLM(entities, [["Albert Einstein", "born in", "Ulm"]])
    result = LLMExtractor(llm, one_pass=False).extract(CHUNK)
    assert result.triples[0].subject_type == "Person"
    second_prompt = llm.requests[1][0][-1].content
    assert "- Albert Einstein (Person)\n- Ulm" in second_prompt and "Bern" not in second_prompt
    assert [s["title"] for _, s in llm.requests if s] == ["entities", "triples"]


def test_aextract_matches_extract() -> None:
    reply = [["Albert Einstein", "born in", "Ulm"]]
    sync = LLMExtractor(ScriptedLLM(reply)).extract(CHUNK)
    asynchronous = asyncio.run(LLMExtractor(ScriptedLLM(reply)).aextract(CHUNK))
    assert sync == asynchronous
