"""The SQLite response cache: keys, hits, usage reporting, threads, processes, async."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hopgraph.errors import LLMRetriesExhaustedError
from hopgraph.llm import LLM, CachedLLM, Completion, Message, Usage
from hopgraph.llm.cache import cache_key

HI = [Message("user", "hi")]


class CountingLLM:
    """Answers with a counter; fails when told to. A plumbing fake: nothing here claims a result."""

    model = "counting"

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.requests: list[dict[str, Any]] = []
        self.fail = fail
        self._lock = threading.Lock()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        with self._lock:
            self.calls += 1
            n = self.calls
            self.requests.append(
                {
                    "messages": list(messages),
                    "schema": schema,
                    "temperature": temperature,
                    "max_tokens": max_tokens,
                }
            )
        if self.fail:
            raise LLMRetriesExhaustedError("down", attempts=1)
        return Completion(f"answer {n} to {messages[-1].content}", self.model, Usage(7, 3))

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        return self.complete(messages, schema=schema, temperature=temperature, max_tokens=max_tokens)


def test_second_call_is_a_hit_with_the_original_usage(tmp_path: Path) -> None:
    inner = CountingLLM()
    llm = CachedLLM(inner, tmp_path / "sub" / "cache.sqlite")
    assert isinstance(llm, LLM)
    first = llm.complete(HI)
    second = llm.complete(HI)
    assert inner.calls == 1 and not first.cached and second.cached
    assert second.text == first.text and second.usage == Usage(7, 3) and second.model == "counting"
    assert (llm.hits, llm.misses, len(llm)) == (1, 1, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"messages": [Message("user", "hello")]},
        {"messages": [Message("system", "hi")]},
        {"schema": {"type": "object"}},
        {"temperature": 0.7},
        {"max_tokens": 10},
    ],
)
def test_every_part_of_the_request_is_in_the_key(change: dict[str, Any], tmp_path: Path) -> None:
    base: dict[str, Any] = {"messages": HI, "schema": None, "temperature": 0.0, "max_tokens": None}
    assert cache_key("m", **base) != cache_key("m", **{**base, **change})
    assert cache_key("m", **base) != cache_key("other-model", **base)
    # through the cache: the changed request is a miss that reaches the wrapped model, exactly as asked
    inner = CountingLLM()
    llm = CachedLLM(inner, tmp_path / "c.sqlite")
    llm.complete(**base)
    changed = llm.complete(**{**base, **change})
    assert inner.calls == 2 and (llm.hits, llm.misses) == (0, 2) and not changed.cached
    assert inner.requests == [base, {**base, **change}]
    assert changed.text == f"answer 2 to {inner.requests[1]['messages'][-1].content}"


def test_failures_are_not_cached(tmp_path: Path) -> None:
    llm = CachedLLM(CountingLLM(fail=True), tmp_path / "c.sqlite")
    with pytest.raises(LLMRetriesExhaustedError):
        llm.complete(HI)
    assert len(llm) == 0


def test_threads_share_one_cache(tmp_path: Path) -> None:
    inner = CountingLLM()
    llm = CachedLLM(inner, tmp_path / "c.sqlite")
    prompts = [[Message("user", f"q{i % 10}")] for i in range(80)]
    results: list[Completion] = []

    def work(chunk: list[list[Message]]) -> None:
        results.extend(llm.complete(p) for p in chunk)

    threads = [threading.Thread(target=work, args=(prompts[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and len(llm) == 10
    assert inner.calls <= 40  # at most one miss per prompt per thread, usually 10


def test_async_use(tmp_path: Path) -> None:
    inner = CountingLLM()
    llm = CachedLLM(inner, tmp_path / "c.sqlite")

    async def run() -> list[Completion]:
        await llm.acomplete(HI)
        return list(await asyncio.gather(*(llm.acomplete(HI) for _ in range(5))))

    assert all(c.cached for c in asyncio.run(run())) and inner.calls == 1


@pytest.mark.slow
def test_processes_write_one_cache_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_cache import CountingLLM
        from hopgraph.llm import CachedLLM, Message
        llm = CachedLLM(CountingLLM(), {str(path)!r})
        for i in range(60):
            llm.complete([Message("user", f"{{sys.argv[1]}}-{{i}}")])
            llm.complete([Message("user", f"shared-{{i}}")])
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, name]) for name in ("a", "b", "c")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    llm = CachedLLM(CountingLLM(), path)
    assert len(llm) == 3 * 60 + 60
    assert llm.complete([Message("user", "b-59")]).cached


def test_threads_opening_a_new_cache_at_once_all_succeed(tmp_path: Path) -> None:
    """The first use of a cache file from many threads at the same moment (an ingest job with
    --concurrency) must not fail with "database is locked" while one of them sets up WAL."""
    errors: list[BaseException] = []
    for round_ in range(20):
        cache = CachedLLM(CountingLLM(), tmp_path / f"fresh-{round_}.sqlite")
        start = threading.Barrier(16)

        def first_use(cache: CachedLLM = cache, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                cache.put("k", Completion(text="x", model="counting"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=first_use) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
