"""Fault injection for job tests: a store that fails on its Nth call of one method, child processes
of the real ``hopgraph`` command killed at a chosen point, and the canonical-graph comparison."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hopgraph.api import HopGraph
from hopgraph.kg.canonical import canonical_graph


class InjectedFault(Exception):
    """Raised by :class:`FaultyStore` (an error, not an interrupt)."""


class FaultyStore:
    """``inner`` with its ``method`` raising ``exc`` on call number ``at`` (1-based); all else passes."""

    def __init__(self, inner: Any, method: str, at: int, exc: BaseException | None = None) -> None:
        self._inner = inner
        self._method = method
        self._at = at
        self._exc = exc if exc is not None else KeyboardInterrupt()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._at:
                raise self._exc
            return attr(*args, **kwargs)

        return wrapped


def canonical(folder: Path) -> dict[str, list[str]]:
    with HopGraph.open(folder) as hg:
        return canonical_graph(hg.store)


def command() -> list[str]:
    script = Path(sys.executable).parent / "hopgraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopgraph"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOPGRAPH_", "NEO4J_"))}
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def done_chunks(state_file: Path) -> int:
    if not state_file.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{state_file}?mode=ro", uri=True, timeout=1)) as db:
            return int(db.execute("SELECT count(*) FROM chunks WHERE status = 'done'").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet, or locked for a moment
        return 0


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def redis_child(pid: int) -> int | None:
    for child in children(pid):
        with contextlib.suppress(OSError):
            if "redis-server" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
                return child
    return None


def run_until(
    args: Sequence[str],
    *,
    ready: Callable[[], bool],
    fault: str,
    timeout: float = 300.0,
    delay: float = 0.0,
) -> int:
    """Start ``hopgraph ARGS``; once ``ready()`` holds (and ``delay`` s later), inject ``fault``.

    Faults: ``kill`` (SIGKILL hopgraph), ``kill-redis`` (SIGKILL its redis-server child), ``int``
    (SIGINT: Ctrl-C), ``term`` (SIGTERM), ``hup`` (SIGHUP). Returns the exit status; raises
    AssertionError when the command ended before the fault could be injected.
    """
    child = subprocess.Popen(
        [*command(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env()
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and child.poll() is None and not ready():
            time.sleep(0.02)
        if delay:
            time.sleep(delay)
        if child.poll() is not None:
            err = child.stderr.read().decode(errors="replace") if child.stderr else ""
            raise AssertionError(
                f"hopgraph ended (status {child.returncode}) before the fault: {err[-2000:]}"
            )
        if fault == "kill-redis":
            redis = redis_child(child.pid)
            assert redis is not None, "no redis-server child found"
            os.kill(redis, signal.SIGKILL)
        else:
            sig = {"kill": signal.SIGKILL, "int": signal.SIGINT, "term": signal.SIGTERM, "hup": signal.SIGHUP}
            child.send_signal(sig[fault])
        return child.wait(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
