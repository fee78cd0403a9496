"""SQLite response cache that wraps any LLM backend, so a rerun of a batch job pays nothing twice.

The key is a SHA-256 of the model name, the messages, the schema, the temperature and the
token limit. A hit returns the stored text with the original call's usage and
``cached=True`` (callers count cached usage apart from paid usage). The database runs in WAL
mode with a busy timeout, one connection per thread, so several processes and threads may
share one cache file; async calls do their SQLite work in worker threads.
Failed calls are never cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hopgraph.errors import ConfigError
from hopgraph.llm.base import LLM, Completion, Message, Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created REAL NOT NULL
)
"""


def cache_key(
    model: str,
    messages: Sequence[Message],
    schema: dict[str, Any] | None,
    temperature: float,
    max_tokens: int | None,
) -> str:
    payload = {
        "model": model,
        "messages": [[m.role, m.content] for m in messages],
        "schema": schema,
        "temperature": temperature,
        "max_tokens": max_tokens,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CachedLLM:
    """``inner`` with its responses cached in the SQLite file ``path`` (created on first use)."""

    def __init__(self, inner: LLM, path: str | Path) -> None:
        self.inner = inner
        self.model = inner.model
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._init_lock = threading.Lock()
        self._initialised = False

    def __repr__(self) -> str:
        return f"CachedLLM({self.inner!r}, path={str(self.path)!r})"

    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                with self._init_lock:  # one thread sets the file up; the others only connect
                    if not self._initialised:
                        self._initialise()
                        self._initialised = True
                conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
                conn.execute("PRAGMA synchronous=NORMAL")
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"cannot open the LLM response cache {self.path}: {exc}") from None
            self._local.conn = conn
        return conn

    def _initialise(self) -> None:
        """WAL mode and the table. Switching to WAL needs the file to itself and SQLite does not
        wait for that (no busy timeout applies), so another process's first use is waited out."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + 30.0
        while True:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            finally:
                conn.close()
            time.sleep(0.05)

    def get(self, key: str) -> Completion | None:
        row = (
            self._db()
            .execute(
                "SELECT model, text, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
            )
            .fetchone()
        )
        if row is None:
            return None
        return Completion(text=row[1], model=row[0], usage=Usage(row[2], row[3]), cached=True)

    def put(self, key: str, completion: Completion) -> None:
        self._db().execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                completion.model,
                completion.text,
                completion.usage.prompt_tokens,
                completion.usage.completion_tokens,
                time.time(),
            ),
        )

    def forget(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> bool:
        """Drop one cached reply (e.g. one its caller could not use); True if it was there."""
        key = cache_key(self.model, messages, schema, temperature, max_tokens)
        return self._db().execute("DELETE FROM responses WHERE key = ?", (key,)).rowcount > 0

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _count(self, hit: bool) -> None:
        with self._count_lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        key = cache_key(self.model, messages, schema, temperature, max_tokens)
        found = self.get(key)
        self._count(found is not None)
        if found is not None:
            return found
        completion = self.inner.complete(
            messages, schema=schema, temperature=temperature, max_tokens=max_tokens
        )
        self.put(key, completion)
        return completion

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        key = cache_key(self.model, messages, schema, temperature, max_tokens)
        found = await asyncio.to_thread(self.get, key)
        self._count(found is not None)
        if found is not None:
            return found
        completion = await self.inner.acomplete(
            messages, schema=schema, temperature=temperature, max_tokens=max_tokens
        )
        await asyncio.to_thread(self.put, key, completion)
        return completion
