"""The answer generator through the real ``openai`` SDK against a server speaking the protocol.

The server (tests/helpers/openai_server.py) is scripted per test: what it returns is what a model
could return; what is asserted is how hopgraph asks and what it makes of the replies.
"""

from __future__ import annotations

import json

import pytest
from helpers.openai_server import Reply, ScriptedOpenAIServer

from hopgraph.errors import LLMAuthError, LLMOutputError
from hopgraph.llm import OpenAICompatibleLLM
from hopgraph.reason.doc.generator import generate_answer
from hopgraph.render.text import answer_to_dict, render_text
from hopgraph.types import Answer, Chunk, Hop, ReasoningPath

QUESTION = "Where was the director of Heat born?"
HEAT = Chunk("d_heat", 0, "Heat is a 1995 American crime film written and directed by Michael Mann.")
MANN = Chunk("d_mann", 0, "Michael Mann was born in Chicago, Illinois, on February 5, 1943.")
CHUNKS = [HEAT, MANN]
PATHS = [
    ReasoningPath(
        (
            Hop("Heat", "directed by", "Michael Mann", (HEAT.id,), ("d_heat",)),
            Hop("Michael Mann", "born in", "Chicago", (MANN.id,), ("d_mann",)),
        ),
        score=0.7,
    )
]


def llm_for(server: ScriptedOpenAIServer) -> OpenAICompatibleLLM:
    return OpenAICompatibleLLM(
        "test-model", base_url=server.base_url, api_key_env="HOPGRAPH_TEST_UNSET_KEY", timeout=2.0,
        max_retries=1, backoff_base=0.01, backoff_max=0.02,
    )  # fmt: skip


def test_citations_are_kept_and_the_request_carries_the_evidence_and_schema(
    openai_server: ScriptedOpenAIServer,
) -> None:
    openai_server.script(Reply.chat({"answer": "Chicago [P1]", "citations": ["P1", "C2"]}, usage=(300, 9)))
    result = generate_answer(llm_for(openai_server), QUESTION, PATHS, CHUNKS)
    assert result.text == "Chicago [P1]" and result.citations == ("P1", "C2")
    assert result.unknown_citations == () and result.answerer == "llm:test-model"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (300, 9)
    [request] = openai_server.requests
    assert request.response_format == "json_schema"
    schema = request.body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["answer", "citations"]
    prompt = request.messages[-1]["content"]
    assert "P1: Heat -[directed by]-> Michael Mann -[born in]-> Chicago (sources: C1, C2)" in prompt
    assert f"C2: {MANN.text}" in prompt and f"Question: {QUESTION}" in prompt


def test_unknown_ids_are_dropped_and_flagged_through_to_the_rendered_answer(
    openai_server: ScriptedOpenAIServer,
) -> None:
    reply = {"answer": "Chicago [C2][C7]", "citations": ["P3", "C2", "source 1"]}
    openai_server.script(Reply.chat(reply))
    result = generate_answer(llm_for(openai_server), QUESTION, PATHS, CHUNKS)
    assert result.text == "Chicago [C2]"
    assert result.citations == ("C2",) and result.unknown_citations == ("P3", "source 1", "C7")
    answer = Answer(
        result.text, tuple(PATHS), tuple(CHUNKS), result.citations,
        unknown_citations=result.unknown_citations, answerer=result.answerer, question=QUESTION,
    )  # fmt: skip
    assert answer_to_dict(answer)["unknown_citations"] == ["P3", "source 1", "C7"]
    text = render_text(answer)
    assert "Cited passages:" in text and "Michael Mann was born in Chicago" in text
    assert "Flagged citations" in text and "P3, source 1, C7" in text


def test_malformed_reply_is_asked_again_once(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(
        Reply.chat('{"answer": , "citations": ["P1"]'),
        Reply.chat('Here you go:\n```json\n{"answer": "Chicago", "citations": ["P1", "C2",],}\n```'),
    )
    result = generate_answer(llm_for(openai_server), QUESTION, PATHS, CHUNKS)
    assert result.text == "Chicago" and result.citations == ("P1", "C2")
    first, second = openai_server.requests
    roles = [m["role"] for m in second.messages]
    assert roles == ["user", "assistant", "user"] and "could not be used" in second.messages[-1]["content"]
    assert second.messages[0] == first.messages[0]


def test_two_malformed_replies_raise_a_clear_error(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.chat('{"answer": }'), Reply.chat(json.dumps({"text": "Chicago"})))
    with pytest.raises(LLMOutputError, match="also after one retry"):
        generate_answer(llm_for(openai_server), QUESTION, PATHS, CHUNKS)
    assert openai_server.request_count == 2


def test_server_without_json_schema_falls_back_and_still_answers() -> None:
    with ScriptedOpenAIServer(reject_formats={"json_schema", "json_object"}) as server:
        server.script(Reply.chat("Chicago [P1]"))  # a model told to reply JSON that wrote prose anyway
        result = generate_answer(llm_for(server), QUESTION, PATHS, CHUNKS)
        formats = [r.response_format for r in server.requests]
    assert formats == ["json_schema", "json_object", ""]
    assert result.text == "Chicago [P1]" and result.citations == ("P1",)


def test_rejected_key_raises_the_llm_auth_error(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.fail(401, "invalid api key"))
    with pytest.raises(LLMAuthError):
        generate_answer(llm_for(openai_server), QUESTION, PATHS, CHUNKS)
