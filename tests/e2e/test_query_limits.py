"""Exploration queries are time-limited by the database (issue 12, item 6).

The runaway query is a four-way cartesian product over a few hundred nodes: it would run for
minutes; the database stops it at the limit and the user gets an error naming that limit.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hopgraph import HopGraph
from hopgraph.errors import QueryTimeoutError

RUNAWAY = "MATCH (a),(b),(c),(d) RETURN count(*) AS n"
NODES = 200


def _graph(folder: Path, **overrides: Any) -> HopGraph:
    hg = HopGraph.open(folder, **overrides)
    if not hg.cypher("MATCH (n:Bulk) RETURN count(n) AS n")[0]["n"]:
        hg.cypher(f"UNWIND range(1, {NODES}) AS i CREATE (:Bulk {{i: i}})", write=True)
    return hg


def test_runaway_query_is_stopped_at_its_limit(short_tmp: Path) -> None:
    with _graph(short_tmp) as hg:
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match=r"time limit of 1 s") as caught:
            hg.cypher(RUNAWAY, timeout_s=1)
        elapsed = time.monotonic() - started
        assert elapsed < 1 + 1, f"stopped after {elapsed:.2f}s"
        assert caught.value.limit_s == 1 and caught.value.query == RUNAWAY
        assert hg.cypher("MATCH (n:Bulk) RETURN count(n) AS n") == [{"n": NODES}]  # still usable


def test_the_default_limit_comes_from_the_settings(short_tmp: Path) -> None:
    with _graph(short_tmp, query_timeout_s=0.5) as hg:
        assert hg.settings.store.query_timeout_s == 0.5
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match=r"time limit of 0.5 s"):
            hg.cypher(RUNAWAY)
        assert time.monotonic() - started < 0.5 + 1
        # 0 lifts the limit for one query (a quick one here)
        assert hg.cypher("MATCH (n:Bulk) RETURN count(n) AS n", timeout_s=0) == [{"n": NODES}]


def test_the_exploration_limit_is_not_applied_to_internal_queries(short_tmp: Path) -> None:
    with _graph(short_tmp, query_timeout_s=0.2) as hg:
        query = "MATCH (a:Bulk),(b:Bulk),(c:Bulk) WHERE a.i < 120 RETURN count(*) AS n"  # ~1-3 s
        assert hg.store.cypher(query) == [{"n": 119 * NODES * NODES}]
        with pytest.raises(QueryTimeoutError):
            hg.cypher(query)


def test_cli_timeout_names_the_limit_and_exits_2(short_tmp: Path) -> None:
    _graph(short_tmp).close()
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "hopgraph", "cypher", "--graph", str(short_tmp), RUNAWAY, "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: the query ran past its time limit of 1 s")
    assert "--timeout" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def _read_until(fd: int, wanted: str, timeout: float) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {wanted!r}; got {seen[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:  # the pty closed
                break
    return seen


def test_ctrl_c_in_the_shell_interrupts_the_query_and_keeps_the_shell(short_tmp: Path) -> None:
    _graph(short_tmp).close()
    pid, fd = pty.fork()
    if pid == 0:  # the child: an interactive shell on the pty
        os.execv(sys.executable, [sys.executable, "-m", "hopgraph", "shell", "--graph", str(short_tmp)])
    try:
        _read_until(fd, "cypher> ", 60)
        os.write(fd, (RUNAWAY + ";\n").encode())
        time.sleep(1.5)
        os.write(fd, b"\x03")  # Ctrl-C
        out = _read_until(fd, "cypher> ", 20)
        assert "interrupted" in out
        os.write(fd, b"RETURN 40 + 2 AS answer;\n")
        assert "42" in _read_until(fd, "cypher> ", 20)
        os.write(fd, b":quit\n")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(fd)
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
