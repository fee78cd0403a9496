"""The embedded server's start-up watchdog and its end with its owner (issue 12, item 7).

- A start-up that makes no progress is killed and started again (bounded, logged), and nothing
  acknowledged before is lost on that path.
- SIGTERM of ``hopgraph ingest`` and SIGHUP of ``hopgraph shell`` (a closed terminal) stop the
  server: its pid is gone once the ``hopgraph`` process has exited.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hopgraph import HopGraph
from hopgraph.errors import StoreUnavailableError
from hopgraph.kg.falkordb.server import STATE_FILE, EmbeddedFalkorDB
from hopgraph.kg.falkordb.store import FalkorDBStore

ROOT = Path(__file__).resolve().parents[2]
DEMO_DOCS = ROOT / "data" / "demo" / "docs"
BATCH = 100

WRITER = textwrap.dedent(
    """
    import sys
    from hopgraph.kg.falkordb.store import FalkorDBStore
    from hopgraph.types import Document, Triple

    store = FalkorDBStore(sys.argv[1], batch_size=50)
    doc = Document(source="stall-test")
    store.upsert_documents([doc])
    for b in range(100_000):
        triples = [Triple(f"b{b} s{i}", "links to", f"b{b} o{i}", doc_id=doc.id) for i in range(BATCH)]
        store.upsert_triples(triples)
        vectors = {t.subject_id: [float(b), float(i), 1.0] for i, t in enumerate(triples)}
        store.set_embeddings("Entity", vectors)
        print(f"ack {b}", flush=True)
    """
).replace("BATCH", str(BATCH))


def _gone(pid: int) -> bool:
    """No such process, or a zombie (it has exited; only its exit status is left to collect)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _server_pid(folder: Path) -> int:
    return int(json.loads((folder / "falkordb" / STATE_FILE).read_text())["pid"])


def _freeze_first(processes: list[int]) -> object:
    """An ``after_spawn`` hook that stops (SIGSTOP) the first server it sees: a start-up that hangs."""

    def hook(process: subprocess.Popen[bytes]) -> None:
        processes.append(process.pid)
        if len(processes) == 1:
            os.kill(process.pid, signal.SIGSTOP)

    return hook


def test_a_stalled_start_is_killed_and_restarted_with_every_acknowledged_write(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A writer acknowledges batches; then it and its server are killed (-9) mid-write.
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(short_tmp)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    last = -1
    while last < 3:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        last = int(line.split()[1])
    server_pid = _server_pid(short_tmp)
    os.kill(proc.pid, signal.SIGKILL)
    os.kill(server_pid, signal.SIGKILL)
    proc.wait()
    for line in proc.stdout:
        last = int(line.split()[1])
    _wait_for(lambda: _gone(server_pid), 10, "the killed server")

    # The next start-up hangs (its server is frozen): the watchdog kills it and starts another.
    spawned: list[int] = []
    server = EmbeddedFalkorDB(short_tmp, stall_timeout=2.0)
    server.after_spawn = _freeze_first(spawned)  # type: ignore[assignment]
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="hopgraph.kg.falkordb.server"):
        socket_path = server.start()
    try:
        assert server.restarts == 1 and len(spawned) == 2
        assert server.pid == spawned[1]
        assert time.monotonic() - started < 30
        assert "made no progress" in caplog.text and "attempt 2 of 3" in caplog.text
        _wait_for(lambda: _gone(spawned[0]), 10, "the frozen server")
        with FalkorDBStore(url=f"unix://{socket_path}") as store:
            names = {r["n"] for r in store.cypher("MATCH (e:Entity) RETURN e.name AS n")}
            for b in range(last + 1):
                for i in range(BATCH):
                    assert f"b{b} s{i}" in names and f"b{b} o{i}" in names, f"batch {b} lost"
            with_vectors = store.cypher("MATCH (e:Entity) WHERE e.embedding IS NOT NULL RETURN count(e) AS n")
            assert with_vectors[0]["n"] >= (last + 1) * BATCH
    finally:
        server.stop()
    assert _gone(spawned[1])


def test_start_up_gives_up_after_its_attempts_with_a_clear_error(short_tmp: Path) -> None:
    spawned: list[int] = []

    def freeze_all(process: subprocess.Popen[bytes]) -> None:
        spawned.append(process.pid)
        os.kill(process.pid, signal.SIGSTOP)

    server = EmbeddedFalkorDB(short_tmp, stall_timeout=1.0, start_attempts=2)
    server.after_spawn = freeze_all
    both = r"attempt 1: made no progress.*attempt 2: made no progress"
    with pytest.raises(StoreUnavailableError, match=both):
        server.start()
    assert len(spawned) == 2
    for pid in spawned:
        _wait_for(lambda pid=pid: _gone(pid), 10, f"server {pid}")
    assert not server.running
    # The folder is released: a normal start works.
    with FalkorDBStore(short_tmp) as store:
        assert store.stats().entities == 0


def _hopgraph(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "hopgraph", *args], text=True, **kwargs
    )


@pytest.mark.slow
def test_sigterm_of_ingest_stops_the_server(short_tmp: Path) -> None:
    graph = short_tmp / "g"
    proc = _hopgraph(
        "ingest", str(DEMO_DOCS), "--graph", str(graph), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    state = graph / "falkordb" / STATE_FILE
    _wait_for(lambda: state.exists() or proc.poll() is not None, 120, "the server to start")
    assert proc.poll() is None, proc.communicate()
    pid = _server_pid(graph)
    time.sleep(0.5)  # into the job
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert _gone(pid), f"the server (pid {pid}) outlived hopgraph ingest"
    assert not state.exists()
    # ... and the graph opens again at once, with no orphan to adopt.
    with FalkorDBStore(graph) as store:
        assert store.server is not None and store.server.pid != pid


def test_sighup_of_shell_stops_the_server(short_tmp: Path) -> None:
    graph = short_tmp / "g"
    HopGraph.open(graph).close()  # shell explores a graph; it does not create one
    proc = _hopgraph(
        "shell", "--graph", str(graph), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("RETURN 1 AS one;\n")
    proc.stdin.flush()
    _wait_for(lambda: (graph / "falkordb" / STATE_FILE).exists(), 60, "the server to start")
    assert "one" in proc.stdout.readline() + proc.stdout.readline()  # the shell is up and answering
    pid = _server_pid(graph)
    proc.send_signal(signal.SIGHUP)  # the terminal closed; stdin stays open
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGHUP, err
    assert _gone(pid), f"the server (pid {pid}) outlived hopgraph shell"


def test_sigterm_of_a_python_program_using_the_api_stops_the_server(short_tmp: Path) -> None:
    program = (
        "import sys, time\nfrom hopgraph import HopGraph\n"
        "hg = HopGraph.open(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", program, str(short_tmp)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "open"
    pid = _server_pid(short_tmp)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert _gone(pid)


def test_a_handler_the_application_set_is_left_alone(short_tmp: Path) -> None:
    program = (
        "import signal, sys\nfrom hopgraph.kg.falkordb.store import FalkorDBStore\n"
        "mine = lambda *a: None\nsignal.signal(signal.SIGTERM, mine)\n"
        "with FalkorDBStore(sys.argv[1]):\n"
        "    assert signal.getsignal(signal.SIGTERM) is mine\n"
        "    assert signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", program, str(short_tmp)], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_busy_silent_start_up_is_waited_for_not_restarted(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Replaying one costly write from the log leaves the server silent (no "loading" answer)
    while it works: that is progress, not a stall (what issue 12 saw as "did not start in 60s")."""
    store = FalkorDBStore(short_tmp)
    store.cypher("UNWIND range(1, 130) AS i CREATE (:B {i: i})", write=True)
    started = time.monotonic()
    store.cypher("MATCH (a:B), (b:B), (c:B) WITH count(*) AS n CREATE (:Done {n: n})", write=True)
    cost = time.monotonic() - started
    assert store.server is not None and store.server.pid is not None
    os.kill(store.server.pid, signal.SIGKILL)  # no clean stop: the costly write stays in the log
    store.server._wait_exit(store.server.pid, timeout=10)
    store.server.pid = None
    store.close()
    server = EmbeddedFalkorDB(short_tmp, stall_timeout=max(1.0, cost / 4))
    with caplog.at_level(logging.INFO, logger="hopgraph.kg.falkordb.server"):
        socket_path = server.start()
    try:
        assert server.restarts == 0, caplog.text
        with FalkorDBStore(url=f"unix://{socket_path}") as guest:
            assert guest.cypher("MATCH (d:Done) RETURN d.n AS n") == [{"n": 130**3}]
    finally:
        server.stop()


def test_a_signal_during_start_up_leaves_no_server(short_tmp: Path) -> None:
    spawned: list[int] = []

    def interrupt(process: subprocess.Popen[bytes]) -> None:
        spawned.append(process.pid)
        os.kill(process.pid, signal.SIGSTOP)  # keep it starting ...
        signal.setitimer(signal.ITIMER_REAL, 0.3)  # ... until a signal lands mid-wait

    def on_alarm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        server = EmbeddedFalkorDB(short_tmp, stall_timeout=30.0)
        server.after_spawn = interrupt
        with pytest.raises(KeyboardInterrupt):
            server.start()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert spawned and _gone(spawned[0])
    with FalkorDBStore(short_tmp) as store:  # the folder is free again
        assert store.stats().entities == 0
