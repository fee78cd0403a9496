"""Fault injection for job tests: a store that fails on its Nth call of one method, child processes
of the real ``hopgraph`` command killed at a chosen point, and the canonical-graph comparison."""

from __future__ import annotations

import contextlib
import os
import random
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


PEOPLE = ["Niels Bohr", "Lise Meitner", "Otto Hahn", "Marie Curie", "Enrico Fermi", "Paul Dirac",
          "Max Planck", "Werner Heisenberg", "Erwin Schrodinger", "Ernest Rutherford"]  # fmt: skip
PLACES = ["Copenhagen", "Vienna", "Berlin", "Paris", "Rome", "Cambridge", "Munich", "Zurich"]


def write_corpus(folder: Path, documents: int = 16, sentences: int = 10) -> Path:
    """``documents`` small text files of sentences about physicists and cities (fixed seed)."""
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        lines = []
        for _ in range(sentences):
            a, b = rng.sample(PEOPLE, 2)
            place = rng.choice(PLACES)
            short = a.split()[-1] if rng.random() < 0.3 else a
            lines.append(
                rng.choice(
                    [f"{short} was born in {place}.", f"{a} worked with {b} in {place}.",
                     f"{short} studied under {b} at the University of {place}."]
                )
            )  # fmt: skip
        (folder / f"doc{d:02d}.txt").write_text(" ".join(lines) + "\n")
    return folder


LETTER_SENTENCES = (
    "{a} was born in {place}.",
    "{a} worked with {b} in {place}.",
    "{a} studied under {b} at the University of {place}.",
)


def letter_texts(
    documents: int,
    sentences: int,
    *,
    seed: int,
    people: Sequence[str] = PEOPLE,
    places: Sequence[str] = PLACES,
    visits: bool = False,
) -> list[str]:
    """``documents`` texts of ``sentences`` sentences each about two of ``people`` and one of
    ``places`` (fixed ``seed``); ``visits`` adds "In YEAR, A visited B in PLACE." to the choices."""
    rng = random.Random(seed)
    texts = []
    for _ in range(documents):
        lines = []
        for _ in range(sentences):
            a, b = rng.sample(list(people), 2)
            place = rng.choice(list(places))
            choices = [t.format(a=a, b=b, place=place) for t in LETTER_SENTENCES]
            if visits:
                choices.append(f"In {1900 + rng.randrange(60)}, {a} visited {b} in {place}.")
            lines.append(rng.choice(choices))
        texts.append(" ".join(lines))
    return texts


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


FAILPOINT = Path(__file__).parent / "failpoint"
"""The folder of the ``sitecustomize`` that kills a child at a chosen write (see its docstring)."""


def run_child(args: Sequence[str], **fault: str) -> subprocess.CompletedProcess[str]:
    """``hopgraph ARGS`` in a child process with the failpoint loaded; ``fault``: its settings
    (``FAULT_KILL_AT``, ``FAULT_KILL``, ``FAULT_COUNT_TO``)."""
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(FAILPOINT), env.get("PYTHONPATH", "")) if p)
    env.update(fault)
    return subprocess.run([*command(), *args], env=env, capture_output=True, text=True, timeout=300)


def count_writes(args: Sequence[str], count_file: Path) -> tuple[int, subprocess.CompletedProcess[str]]:
    """The number of store write statements ``hopgraph ARGS`` makes (and its result)."""
    done = run_child(args, FAULT_COUNT_TO=str(count_file))
    return int(count_file.read_text()), done


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
