"""``--llm SPEC`` -> an LLM backend, optionally wrapped in the response cache.

Specs:
    openai:MODEL                      api.openai.com, or the server in HOPGRAPH_LLM_BASE_URL /
                                      OPENAI_BASE_URL / [llm] base_url when set
    openai:MODEL@http://host:port/v1  any OpenAI-compatible server (vLLM, Ollama, LM Studio, llama.cpp)
    transformers:MODEL_OR_PATH        a local causal LM through transformers

Only the text before the first ``:`` is the scheme, so model names with colons
(``openai:llama3.1:8b@http://localhost:11434/v1``) work.
"""

from __future__ import annotations

import os
from pathlib import Path

from hopgraph.config import LLMSettings
from hopgraph.errors import ConfigError
from hopgraph.llm.base import LLM

SCHEMES = ("openai", "transformers")
EXAMPLES = "openai:gpt-4o-mini, openai:MODEL@http://localhost:8000/v1, transformers:PATH_OR_NAME"


def split_spec(spec: str) -> tuple[str, str, str]:
    """``(scheme, model, base_url)`` of a spec; ``base_url`` is empty unless given with ``@``."""
    scheme, sep, rest = spec.strip().partition(":")
    if not sep or not rest.strip():
        raise ConfigError(
            f"LLM spec {spec!r} must look like SCHEME:MODEL; valid schemes: {', '.join(SCHEMES)} "
            f"(e.g. {EXAMPLES})"
        )
    scheme = scheme.strip().lower()
    if scheme not in SCHEMES:
        raise ConfigError(
            f"unknown LLM scheme {scheme!r} in {spec!r}; valid schemes: {', '.join(SCHEMES)} "
            f"(e.g. {EXAMPLES})"
        )
    model, base_url = rest.strip(), ""
    if scheme == "openai":
        head, at, tail = model.rpartition("@")
        if at and tail.startswith(("http://", "https://")):
            model, base_url = head, tail
        if not model:
            raise ConfigError(f"LLM spec {spec!r} names no model before '@'")
    return scheme, model, base_url


def make_llm(spec: str = "", *, cache_path: Path | None = None, settings: LLMSettings | None = None) -> LLM:
    """The backend ``spec`` names (``settings.spec`` when empty), cached at ``cache_path`` if given.

    The cache is skipped when ``settings.cache`` is false.
    """
    settings = settings or LLMSettings()
    spec = spec or settings.spec
    if not spec:
        raise ConfigError(f"no LLM configured: pass --llm SPEC or set HOPGRAPH_LLM_SPEC (e.g. {EXAMPLES})")
    scheme, model, base_url = split_spec(spec)
    llm: LLM
    if scheme == "openai":
        from hopgraph.llm.openai_llm import OpenAICompatibleLLM

        base_url = (
            base_url
            or settings.base_url
            or os.environ.get("HOPGRAPH_LLM_BASE_URL", "")
            or os.environ.get("OPENAI_BASE_URL", "")
        )
        llm = OpenAICompatibleLLM(
            model,
            base_url=base_url or None,
            api_key_env=settings.api_key_env,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
            concurrency=settings.concurrency,
        )
    else:
        from hopgraph.llm.transformers_llm import TransformersLLM

        llm = TransformersLLM(model)
    if cache_path is not None and settings.cache:
        from hopgraph.llm.cache import CachedLLM

        llm = CachedLLM(llm, cache_path)
    return llm
