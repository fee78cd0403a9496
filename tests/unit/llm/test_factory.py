"""``--llm SPEC`` parsing, the [llm] settings section and the missing-key error."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopgraph.config import LLMSettings, load_settings
from hopgraph.errors import ConfigError, LLMAuthError
from hopgraph.llm import CachedLLM, Message, OpenAICompatibleLLM, TransformersLLM, make_llm, split_spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini", "")),
        (
            "openai:llama3.1:8b@http://localhost:11434/v1",
            ("openai", "llama3.1:8b", "http://localhost:11434/v1"),
        ),
        ("OpenAI:m@https://host/v1", ("openai", "m", "https://host/v1")),
        ("openai:org@model", ("openai", "org@model", "")),
        ("transformers:/models/qwen@v2", ("transformers", "/models/qwen@v2", "")),
        ("transformers:Qwen/Qwen2.5-0.5B-Instruct", ("transformers", "Qwen/Qwen2.5-0.5B-Instruct", "")),
    ],
)
def test_split_spec(spec: str, expected: tuple[str, str, str]) -> None:
    assert split_spec(spec) == expected


@pytest.mark.parametrize("spec", ["anthropic:claude", "gpt-4o", "openai:", "openai:@http://x/v1"])
def test_bad_specs_name_the_valid_schemes(spec: str) -> None:
    with pytest.raises(ConfigError, match="openai") as info:
        split_spec(spec)
    assert "transformers" in str(info.value) or "names no model" in str(info.value)


def test_make_llm_builds_backends_with_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HOPGRAPH_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://from-openai-env:1/v1")
    settings = LLMSettings(timeout_s=5.0, max_retries=1, concurrency=3, api_key_env="MY_KEY")
    llm = make_llm("openai:m", settings=settings)
    assert isinstance(llm, OpenAICompatibleLLM)
    assert (llm.base_url, llm.timeout, llm.retry.max_retries, llm.concurrency, llm.api_key_env) == (
        "http://from-openai-env:1/v1", 5.0, 1, 3, "MY_KEY",
    )  # fmt: skip
    monkeypatch.setenv("HOPGRAPH_LLM_BASE_URL", "http://from-hopgraph-env:2/v1")
    assert make_llm("openai:m").base_url == "http://from-hopgraph-env:2/v1"  # type: ignore[attr-defined]
    assert make_llm("openai:m@http://explicit:3/v1").base_url == "http://explicit:3/v1"  # type: ignore[attr-defined]
    assert isinstance(make_llm("transformers:/some/path"), TransformersLLM)
    cached = make_llm("openai:m", cache_path=tmp_path / "c.sqlite")
    assert isinstance(cached, CachedLLM) and cached.model == "m"
    assert not (tmp_path / "c.sqlite").exists()  # nothing opened before the first call
    assert isinstance(
        make_llm("openai:m", cache_path=tmp_path / "c", settings=LLMSettings(cache=False)),
        OpenAICompatibleLLM,
    )


def test_spec_from_settings_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(
        environ={"HOPGRAPH_LLM_SPEC": "transformers:/x", "HOPGRAPH_LLM_TIMEOUT_S": "2.5"}
    )
    assert settings.llm.spec == "transformers:/x" and settings.llm.timeout_s == 2.5
    assert isinstance(make_llm(settings=settings.llm), TransformersLLM)
    with pytest.raises(ConfigError, match="no LLM configured"):
        make_llm("")
    with pytest.raises(ConfigError, match="concurrency"):
        make_llm("openai:m", settings=LLMSettings(concurrency=0))


def test_missing_key_for_api_openai_com_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOPGRAPH_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("HOPGRAPH_TEST_NO_KEY", raising=False)
    llm = make_llm("openai:gpt-4o-mini", settings=LLMSettings(api_key_env="HOPGRAPH_TEST_NO_KEY"))
    with pytest.raises(LLMAuthError, match="HOPGRAPH_TEST_NO_KEY is not set"):
        llm.complete([Message("user", "hi")])
