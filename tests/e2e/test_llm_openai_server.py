"""The OpenAI-compatible backend and the LLM extractor against a real HTTP server speaking the protocol.

The server (tests/helpers/openai_server.py) is scripted per test; the client is the real
``openai`` SDK. Timeouts and backoffs are made small through constructor arguments.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.openai_server import Reply, ScriptedOpenAIServer, chunk_text_of

from hopgraph.errors import LLMAuthError, LLMRequestError, LLMRetriesExhaustedError
from hopgraph.extract.extractors.llm import LLMExtractor
from hopgraph.llm import CachedLLM, Message, OpenAICompatibleLLM, Usage, make_llm
from hopgraph.types import Chunk

CHUNK = Chunk("doc1", 0, "Marie Curie was born in Warsaw. She married Pierre Curie in Paris in 1895.")
GOOD = {
    "triples": [
        {"subject": "Marie Curie", "subject_type": "Person", "predicate": "born in", "object": "Warsaw",
         "object_type": "Place"},
        {"subject": "Marie Curie", "subject_type": "Person", "predicate": "married", "object": "Pierre Curie",
         "object_type": "Person"},
    ]
}  # fmt: skip


def fast_llm(server: ScriptedOpenAIServer, **overrides: Any) -> OpenAICompatibleLLM:
    options: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key_env": "HOPGRAPH_TEST_UNSET_KEY",
        "timeout": 2.0,
        "max_retries": 2,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
    }
    options.update(overrides)
    return OpenAICompatibleLLM("test-model", **options)


def facts(extraction: Any) -> set[tuple[str, str, str]]:
    return {(t.subject, t.predicate, t.object) for t in extraction.triples}


def test_good_json_gives_grounded_triples_with_provenance_and_usage(
    openai_server: ScriptedOpenAIServer,
) -> None:
    openai_server.script(Reply.chat(GOOD, usage=(120, 40)))
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert result.ok, result.error
    assert facts(result) == {("Marie Curie", "born in", "Warsaw"), ("Marie Curie", "married", "Pierre Curie")}
    assert all(t.chunk_id == CHUNK.id and t.doc_id == "doc1" for t in result.triples)
    assert {t.subject_type for t in result.triples} == {"Person"}
    assert result.usage == Usage(120, 40) and result.llm_calls == 1
    [request] = openai_server.requests
    assert request.response_format == "json_schema"
    assert request.body["response_format"]["json_schema"]["schema"]["required"] == ["triples"]
    assert CHUNK.text in request.messages[-1]["content"]
    assert request.headers["authorization"] == "Bearer not-needed"  # a local server needs no key


def test_api_key_from_the_named_env_var_is_sent(
    openai_server: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOPGRAPH_TEST_KEY", "sk-test-123")
    openai_server.script(Reply.chat("hello"))
    completion = fast_llm(openai_server, api_key_env="HOPGRAPH_TEST_KEY").complete([Message("user", "hi")])
    assert completion.text == "hello" and not completion.cached
    assert openai_server.requests[0].headers["authorization"] == "Bearer sk-test-123"
    assert "response_format" not in openai_server.requests[0].body  # plain text when no schema


def test_malformed_json_is_retried_once_with_the_error_fed_back(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(
        Reply.chat("Sure! The triples are: none that I can", usage=(100, 10)),
        Reply.chat(GOOD, usage=(130, 40)),
    )
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert result.ok and len(result.triples) == 2
    assert result.usage == Usage(230, 50) and result.llm_calls == 2
    retry = openai_server.requests[1].messages
    assert retry[-2] == {"role": "assistant", "content": "Sure! The triples are: none that I can"}
    assert "could not be used" in retry[-1]["content"] and "no JSON" in retry[-1]["content"]


def test_repairable_output_needs_no_retry(openai_server: ScriptedOpenAIServer) -> None:
    sloppy = "```json\n{'triples': [['Marie Curie', 'born in', 'Warsaw'], ['Marie Curie', 'married', 'Pierre"
    openai_server.script(Reply.chat(sloppy))
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert facts(result) == {("Marie Curie", "born in", "Warsaw")}  # the cut-off triple is dropped
    assert openai_server.request_count == 1


def test_malformed_twice_is_recorded_as_a_chunk_failure(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.chat("no idea"), Reply.chat('{"answer": "still not triples"}'))
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert not result.ok and result.triples == ()
    assert "malformed model output" in result.error and "triples" in result.error
    assert openai_server.request_count == 2 and result.llm_calls == 2


def test_a_timeout_is_retried(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.slow(3.0), Reply.chat(GOOD))
    start = time.monotonic()
    result = LLMExtractor(fast_llm(openai_server, timeout=0.3)).extract(CHUNK)
    assert result.ok and len(result.triples) == 2
    assert openai_server.request_count == 2
    assert time.monotonic() - start < 2.5  # gave up on the slow reply at the client timeout


def test_429_honours_retry_after_then_succeeds(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.rate_limited(retry_after=0.3), Reply.chat(GOOD))
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert result.ok and len(result.triples) == 2
    first, second = openai_server.requests
    assert second.at - first.at >= 0.3  # backoff alone would have waited <= 0.05 s


def test_server_errors_are_retried(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.fail(503, "overloaded"), Reply.fail(500), Reply.chat("ok"))
    assert fast_llm(openai_server).complete([Message("user", "hi")]).text == "ok"
    assert openai_server.request_count == 3


def test_exhausted_retries_raise_a_clear_error_and_fail_only_that_chunk(
    openai_server: ScriptedOpenAIServer,
) -> None:
    openai_server.script(*[Reply.rate_limited(0.01)] * 3)
    with pytest.raises(LLMRetriesExhaustedError, match=r"after 3 attempts \(last: HTTP 429") as info:
        fast_llm(openai_server).complete([Message("user", "hi")])
    assert info.value.attempts == 3 and info.value.status == 429
    openai_server.script(*[Reply.rate_limited(0.01)] * 3)
    result = LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert not result.ok and "LLMRetriesExhaustedError" in result.error
    assert openai_server.request_count == 6


def test_unreachable_server_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    llm = OpenAICompatibleLLM(
        "m", base_url=f"http://127.0.0.1:{port}/v1", timeout=0.5, max_retries=1, backoff_base=0.01
    )
    with pytest.raises(LLMRetriesExhaustedError, match="connection failed"):
        llm.complete([Message("user", "hi")])


def test_schema_rejected_falls_back_to_json_object_and_remembers(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.reject_formats = {"json_schema"}
    openai_server.script(Reply.chat(GOOD), Reply.chat(GOOD))
    llm = fast_llm(openai_server)
    extractor = LLMExtractor(llm)
    assert extractor.extract(CHUNK).ok
    assert [r.response_format for r in openai_server.requests] == ["json_schema", "json_object"]
    assert llm.json_mode == "json_object"
    assert '"triples"' in openai_server.requests[1].messages[0]["content"]  # schema now in the prompt
    assert extractor.extract(CHUNK).ok
    assert [r.response_format for r in openai_server.requests][2:] == ["json_object"]  # no second probe


def test_no_structured_output_at_all_falls_back_to_plain_prompting(
    openai_server: ScriptedOpenAIServer,
) -> None:
    openai_server.reject_formats = {"json_schema", "json_object"}
    openai_server.script(Reply.chat("Here you go:\n" + json.dumps(GOOD)))
    llm = fast_llm(openai_server)
    result = LLMExtractor(llm).extract(CHUNK)
    assert result.ok and len(result.triples) == 2
    assert [r.response_format for r in openai_server.requests] == ["json_schema", "json_object", ""]
    assert llm.json_mode == "prompt"


def test_a_400_unrelated_to_the_schema_is_raised_and_not_remembered(
    openai_server: ScriptedOpenAIServer,
) -> None:
    openai_server.script(*[Reply.fail(400, "context length exceeded")] * 3)
    llm = fast_llm(openai_server)
    with pytest.raises(LLMRequestError, match="context length exceeded") as info:
        llm.complete([Message("user", "hi")], schema={"type": "object"})
    assert info.value.status == 400 and llm.json_mode == "json_schema"
    assert openai_server.request_count == 3  # each mode tried once, none retried


def test_auth_failure_is_raised_not_recorded(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.script(Reply.fail(401, "invalid api key"))
    with pytest.raises(LLMAuthError, match="HOPGRAPH_TEST_UNSET_KEY"):
        LLMExtractor(fast_llm(openai_server)).extract(CHUNK)
    assert openai_server.request_count == 1


def test_gleaning_adds_what_the_first_pass_missed(openai_server: ScriptedOpenAIServer) -> None:
    first = {"triples": [GOOD["triples"][0]]}
    married = {"subject": "Marie Curie", "subject_type": "", "predicate": "married", "object": "Pierre Curie"}
    more = {"triples": [GOOD["triples"][0], {**married, "object_type": ""}]}
    openai_server.script(Reply.chat(first), Reply.chat(more), Reply.chat({"triples": []}))
    result = LLMExtractor(fast_llm(openai_server), gleaning=3).extract(CHUNK)
    assert facts(result) == {("Marie Curie", "born in", "Warsaw"), ("Marie Curie", "married", "Pierre Curie")}
    assert openai_server.request_count == 3  # the third pass added nothing: no fourth
    assert "missed" in openai_server.requests[1].messages[-1]["content"]
    assert result.dropped == 1  # the repeated triple


def test_two_pass_asks_for_entities_then_triples(openai_server: ScriptedOpenAIServer) -> None:
    entities = {"entities": [{"name": "Marie Curie", "type": "Person"}, {"name": "Warsaw", "type": "City"},
                             {"name": "Berlin", "type": "City"}]}  # fmt: skip
    openai_server.script(
        Reply.chat(entities), Reply.chat({"triples": [["Marie Curie", "born in", "Warsaw"]]})
    )
    result = LLMExtractor(fast_llm(openai_server), one_pass=False).extract(CHUNK)
    assert [t.object_type for t in result.triples] == ["City"]  # type from the entity pass
    second = openai_server.requests[1]
    assert second.body["response_format"]["json_schema"]["name"] == "triples"
    assert (
        "- Warsaw (City)" in second.messages[-1]["content"] and "Berlin" not in second.messages[-1]["content"]
    )


def test_rerun_through_the_cache_makes_no_http_calls(tmp_path: Path) -> None:
    chunks = [Chunk("doc1", i, f"Ada Lovelace met Charles Babbage in London in 183{i}.") for i in range(3)]

    def answer(body: dict[str, Any]) -> Reply:
        year = chunk_text_of(body).split()[-1].rstrip(".")
        return Reply.chat(
            {"triples": [["Ada Lovelace", "met", "Charles Babbage"], ["Ada Lovelace", "met in", year]]}
        )

    with ScriptedOpenAIServer(responder=answer) as server:
        first = [
            LLMExtractor(CachedLLM(fast_llm(server), tmp_path / "llm.sqlite")).extract(c) for c in chunks
        ]
        assert server.request_count == 3 and all(r.ok and r.cached_calls == 0 for r in first)
        assert all(r.usage.total_tokens > 0 for r in first)
        rerun_llm = CachedLLM(fast_llm(server), tmp_path / "llm.sqlite")  # a new process would do the same
        again = [LLMExtractor(rerun_llm).extract(c) for c in chunks]
        assert server.request_count == 3  # zero new requests
    assert [r.triples for r in again] == [r.triples for r in first]
    assert all(r.cached_calls == 1 and r.usage == Usage() for r in again)  # nothing paid twice
    assert rerun_llm.hits == 3 and rerun_llm.misses == 0


def test_async_extraction_respects_the_concurrency_limit(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.responder = lambda body: Reply.chat(GOOD, delay=0.1)
    llm = fast_llm(openai_server, concurrency=2)
    extractor = LLMExtractor(llm)

    async def run() -> list[Any]:
        try:
            return list(await asyncio.gather(*(extractor.aextract(CHUNK) for _ in range(6))))
        finally:
            await llm.aclose()

    results = asyncio.run(run())
    assert all(r.ok and len(r.triples) == 2 for r in results)
    assert openai_server.request_count == 6 and openai_server.max_in_flight == 2
    assert asyncio.run(run())[0].ok  # a second event loop gets its own client


def test_make_llm_spec_reaches_the_server(openai_server: ScriptedOpenAIServer, tmp_path: Path) -> None:
    openai_server.script(Reply.chat("pong"))
    llm = make_llm(f"openai:some-model:7b@{openai_server.base_url}", cache_path=tmp_path / "c.sqlite")
    assert llm.complete([Message("user", "ping")]).text == "pong"
    assert llm.complete([Message("user", "ping")]).cached
    assert openai_server.requests[0].body["model"] == "some-model:7b" and openai_server.request_count == 1


@pytest.mark.skipif(
    not os.environ.get("HOPGRAPH_LLM_BASE_URL"), reason="set HOPGRAPH_LLM_BASE_URL (+ _MODEL)"
)
def test_real_openai_compatible_server() -> None:
    """Runs against a real server when the user names one: HOPGRAPH_LLM_BASE_URL, HOPGRAPH_LLM_MODEL."""
    llm = make_llm("openai:" + os.environ.get("HOPGRAPH_LLM_MODEL", "gpt-4o-mini"))
    result = LLMExtractor(llm).extract(CHUNK)
    assert result.ok, result.error
    assert any(t.subject == "Marie Curie" for t in result.triples)


def test_unusable_replies_are_evicted_so_a_retry_asks_again(tmp_path: Path) -> None:
    with ScriptedOpenAIServer() as server:
        server.script(Reply.chat("no idea"), Reply.chat('{"answer": "still not triples"}'), Reply.chat(GOOD))
        cache = CachedLLM(fast_llm(server), tmp_path / "llm.sqlite")
        failed = LLMExtractor(cache).extract(CHUNK)
        assert not failed.ok and server.request_count == 2
        assert len(cache) == 0  # neither unusable reply stays cached
        retried = LLMExtractor(cache).extract(CHUNK)
        assert retried.ok and len(retried.triples) == 2
        assert server.request_count == 3  # the model was asked again, not the cache
        again = LLMExtractor(cache).extract(CHUNK)
        assert again.cached_calls == 1 and server.request_count == 3  # a good reply is kept


def test_unusable_replies_are_evicted_in_async_extraction_too(tmp_path: Path) -> None:
    with ScriptedOpenAIServer() as server:
        server.script(Reply.chat("no idea"), Reply.chat("nor this"))
        cache = CachedLLM(fast_llm(server), tmp_path / "llm.sqlite")
        failed = asyncio.run(LLMExtractor(cache).aextract(CHUNK))
        assert not failed.ok and len(cache) == 0
