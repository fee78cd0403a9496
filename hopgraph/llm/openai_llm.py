"""OpenAI-compatible chat backend: OpenAI, vLLM, Ollama, LM Studio, llama.cpp server.

Uses the ``openai`` SDK with the SDK's own retries switched off: retries are done here, so
the policy (backoff, jitter, ``Retry-After``, which failures are retried) is explicit and
tested. JSON output is asked for with ``response_format={"type": "json_schema"}``; a server
that rejects it (HTTP 400/422) is asked again with ``{"type": "json_object"}`` and then with a
plain prompt that carries the schema, and the mode that worked is remembered per instance.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any, Literal

from hopgraph.errors import (
    ConfigError,
    LLMAuthError,
    LLMError,
    LLMRequestError,
    LLMRetriesExhaustedError,
)
from hopgraph.llm.base import Completion, Message, Usage
from hopgraph.llm.json_mode import schema_name, with_json_instruction
from hopgraph.llm.retry import RetryPolicy, parse_retry_after

JsonMode = Literal["json_schema", "json_object", "prompt"]
JSON_MODES: tuple[JsonMode, ...] = ("json_schema", "json_object", "prompt")
LOCAL_KEY = "not-needed"  # placeholder for servers that ignore the key


def _openai() -> Any:
    try:
        import openai
    except ImportError:
        raise ConfigError(
            "the OpenAI-compatible backend needs the openai SDK: pip install 'hopgraph[llm]'"
        ) from None
    return openai


class OpenAICompatibleLLM:
    """Chat completions over the OpenAI protocol. Clients are created on first use.

    ``base_url=None`` means api.openai.com and needs the key in ``api_key_env``; with a
    ``base_url`` (a local server) a missing key is replaced by a placeholder.
    ``concurrency`` bounds requests in flight, per event loop for ``acomplete`` and across
    threads for ``complete``.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 4,
        concurrency: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        max_retry_after: float = 120.0,
    ) -> None:
        if not model:
            raise ConfigError("an OpenAI-compatible LLM needs a model name, e.g. openai:gpt-4o-mini")
        if concurrency < 1:
            raise ConfigError(f"LLM concurrency must be at least 1, got {concurrency}")
        self.model = model
        self.base_url = base_url or None
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.concurrency = concurrency
        self.retry = RetryPolicy(max_retries, backoff_base, backoff_max, max_retry_after)
        self.json_mode: JsonMode = "json_schema"
        """The best structured-output mode this server accepted so far (downgraded on rejection)."""
        self._lock = threading.Lock()
        self._gate = threading.BoundedSemaphore(concurrency)
        self._client: Any = None
        self._aclients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Any, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"OpenAICompatibleLLM(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def server(self) -> str:
        return self.base_url or "https://api.openai.com/v1"

    # -- clients ---------------------------------------------------------------------------
    def _api_key(self) -> str:
        key = os.environ.get(self.api_key_env, "")
        if key:
            return key
        if self.base_url is None:
            raise LLMAuthError(
                f"environment variable {self.api_key_env} is not set: export your OpenAI API key, "
                "or name an OpenAI-compatible server with --llm openai:MODEL@http://host:port/v1"
            )
        return LOCAL_KEY

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "api_key": self._api_key(),
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": 0,
        }

    def _sync_client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = _openai().OpenAI(**self._client_kwargs())
            return self._client

    def _async_client(self) -> tuple[Any, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        with self._lock:
            state = self._aclients.get(loop)
            if state is None:
                state = (_openai().AsyncOpenAI(**self._client_kwargs()), asyncio.Semaphore(self.concurrency))
                self._aclients[loop] = state
            return state

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the async client of the running event loop, if one was created."""
        with self._lock:
            state = self._aclients.pop(asyncio.get_running_loop(), None)
        if state is not None:
            await state[0].close()

    # -- requests --------------------------------------------------------------------------
    def _modes(self, schema: dict[str, Any] | None) -> tuple[JsonMode | None, ...]:
        if schema is None:
            return (None,)
        return JSON_MODES[JSON_MODES.index(self.json_mode) :]

    def _request(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any] | None,
        mode: JsonMode | None,
        temperature: float,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        if schema is not None and mode != "json_schema":
            messages = with_json_instruction(messages, schema)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": temperature,
        }
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if schema is not None and mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name(schema), "schema": schema, "strict": True},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _completion(self, response: Any) -> Completion:
        choices = getattr(response, "choices", None) or []
        if not choices:
            raise LLMError(f"{self.model} at {self.server} returned no choices")
        text = choices[0].message.content or ""
        usage = getattr(response, "usage", None)
        return Completion(
            text=text,
            model=getattr(response, "model", None) or self.model,
            usage=Usage(
                int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)
            ),
        )

    def _delay_or_raise(self, exc: Exception, attempt: int) -> float:
        """Seconds to wait before retrying after ``exc``, or raise the matching hopgraph error."""
        openai = _openai()
        where = f"{self.model} at {self.server}"
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            raise LLMAuthError(
                f"{where} rejected the credentials (HTTP {exc.status_code}); check the key in "
                f"{self.api_key_env}"
            ) from exc
        if isinstance(exc, openai.APIStatusError):
            status, retry_after = exc.status_code, parse_retry_after(dict(exc.response.headers))
            reason = f"HTTP {status}: {exc.message}"
            if not self.retry.is_retryable_status(status):
                raise LLMRequestError(f"{where} rejected the request ({reason})", status) from exc
        elif isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
            status, retry_after = 0, None
            reason = "timed out" if isinstance(exc, openai.APITimeoutError) else f"connection failed: {exc}"
        else:
            raise LLMError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
        if attempt >= self.retry.max_retries:
            raise LLMRetriesExhaustedError(
                f"{where} still failing after {attempt + 1} attempts (last: {reason}); "
                "the server is overloaded or unreachable: retry later, lower concurrency, "
                "or raise max_retries/timeout",
                attempts=attempt + 1,
                status=status,
            ) from exc
        return self.retry.delay(attempt, retry_after)

    def _send(self, kwargs: dict[str, Any]) -> Any:
        client = self._sync_client()
        attempt = 0
        while True:
            try:
                with self._gate:
                    return client.chat.completions.create(**kwargs)
            except _openai().OpenAIError as exc:
                time.sleep(self._delay_or_raise(exc, attempt))
                attempt += 1

    async def _asend(self, kwargs: dict[str, Any]) -> Any:
        client, gate = self._async_client()
        attempt = 0
        while True:
            try:
                async with gate:
                    return await client.chat.completions.create(**kwargs)
            except _openai().OpenAIError as exc:
                await asyncio.sleep(self._delay_or_raise(exc, attempt))
                attempt += 1

    def _fallback(self, mode: JsonMode | None, exc: LLMRequestError, last: bool) -> bool:
        return mode is not None and not last and exc.status in (400, 422)

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        modes = self._modes(schema)
        for i, mode in enumerate(modes):
            try:
                response = self._send(self._request(messages, schema, mode, temperature, max_tokens))
            except LLMRequestError as exc:
                if self._fallback(mode, exc, i == len(modes) - 1):
                    continue
                raise
            if mode is not None:
                self.json_mode = mode
            return self._completion(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        modes = self._modes(schema)
        for i, mode in enumerate(modes):
            try:
                response = await self._asend(self._request(messages, schema, mode, temperature, max_tokens))
            except LLMRequestError as exc:
                if self._fallback(mode, exc, i == len(modes) - 1):
                    continue
                raise
            if mode is not None:
                self.json_mode = mode
            return self._completion(response)
        raise AssertionError("unreachable")  # pragma: no cover
