"""``kill -9`` of a real ``hopgraph serve`` in the middle of an ingest job posted to it, then a
restart of ``hopgraph serve`` on the same folder: the job resumes on start-up (the documented way:
the newest job a server started, if it was interrupted, is started again by the next server on the
folder), and the final graph equals the graph of a clean, uninterrupted ingest of the same posted
documents into the same folder path (:func:`hopgraph.kg.canonical.canonical_graph`).

The embedded FalkorDB server (the redis-server child) outlives the ``kill -9`` as an orphan holding
every acknowledged write; the restarted ``hopgraph serve`` adopts it, and its graceful stop ends it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers.faults import canonical, child_env, command, done_chunks, letter_texts, redis_child
from helpers.serve_app import free_port

from hopgraph.api import HopGraph
from hopgraph.kg.canonical import graph_diff
from hopgraph.serve.service import GraphService

pytestmark = pytest.mark.slow

PEOPLE = ["Ada Brenner", "Jonas Ekberg", "Mira Castell", "Tobias Lind", "Clara Vossen", "Henrik Aalto",
          "Livia Marchetti", "Oskar Dahl", "Petra Novak", "Emil Sauer"]  # fmt: skip
PLACES = ["Uppsala", "Bologna", "Ghent", "Tartu", "Leiden", "Basel", "Krakow", "Coimbra", "Turku"]
DOCUMENTS = 200  # one chunk each: batches of 64 chunks, so the kill lands between two batches
BATCH = 64


def documents() -> list[dict[str, str]]:
    texts = letter_texts(DOCUMENTS, 10, seed=15, people=PEOPLE, places=PLACES)
    return [{"id": f"k{d:03d}", "title": f"Letter {d}", "text": text} for d, text in enumerate(texts)]


def dead(pid: int) -> bool:
    """No such process, or a zombie (an orphan's exit, reaped by whoever adopted it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


class Serve:
    """``hopgraph serve --graph FOLDER`` as a child process, its stderr in a file."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "w") as err:
            self.proc = subprocess.Popen(
                [*command(), "serve", "--graph", str(folder), "--port", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=child_env(),
            )

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.stderr()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            assert time.monotonic() < deadline, "the server did not come up:\n" + self.stderr()
            time.sleep(0.2)

    def jobs(self) -> list[dict[str, Any]]:
        return list(httpx.get(self.url + "/v1/jobs", timeout=30).json()["jobs"])

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=180)


def wait_done(server: Serve, job_id: int, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(f"{server.url}/v1/jobs/{job_id}", timeout=30).json()
        if job["status"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def test_kill_9_of_the_server_mid_ingest_then_restart_resumes_the_job(
    demo_graph: Path, tmp_path: Path, shared_embedder: Any
) -> None:
    docs = documents()
    folder = tmp_path / "graph"  # the same path for both runs: document sources are paths in it

    # the reference: the same documents posted to a server that is not interrupted
    shutil.copytree(demo_graph, folder)
    clean_service = GraphService(HopGraph.open(folder), embedder=shared_embedder)
    try:
        job_id = clean_service.start_ingest(docs)["job_id"]
        deadline = time.monotonic() + 600
        while clean_service.job(job_id)["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        clean_job = clean_service.job(job_id)
    finally:
        clean_service.close()
    assert clean_job["status"] == "done" and clean_job["chunks"] == {"done": DOCUMENTS}, clean_job
    clean = canonical(folder)
    shutil.rmtree(folder)

    # the same documents posted to a real `hopgraph serve`, killed with SIGKILL mid-job
    shutil.copytree(demo_graph, folder)
    state = folder / "jobs.sqlite"
    before = done_chunks(state)
    first = Serve(folder, tmp_path / "first.log")
    try:
        first.wait_ready()
        redis = redis_child(first.proc.pid)
        assert redis is not None, "no embedded redis-server child"
        posted = httpx.post(first.url + "/v1/documents", json={"documents": docs}, timeout=120)
        assert posted.status_code == 202, posted.text
        killed_job = posted.json()["job_id"]
        deadline = time.monotonic() + 600
        while done_chunks(state) - before < BATCH and time.monotonic() < deadline:
            assert first.proc.poll() is None, first.stderr()
            time.sleep(0.02)
        first.proc.send_signal(signal.SIGKILL)
        assert first.proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if first.proc.poll() is None:
            first.proc.kill()
            first.proc.wait()
    at_kill = done_chunks(state) - before
    assert BATCH <= at_kill < DOCUMENTS, f"killed with {at_kill} of {DOCUMENTS} chunks done: not mid-job"
    # the redis-server child is not killed with its parent: it lives on, an orphan holding the data
    assert not dead(redis), "the embedded FalkorDB server died with hopgraph serve"
    with sqlite3.connect(state) as db:
        (status,) = db.execute("SELECT status FROM jobs WHERE id = ?", (killed_job,)).fetchone()
    assert status == "running"  # as the killed process left it; its pid is gone: interrupted

    # restart on the same folder: the server adopts the orphan and resumes the job on start-up
    second = Serve(folder, tmp_path / "second.log")
    try:
        second.wait_ready()
        server_json = json.loads((folder / "falkordb" / "server.json").read_text())
        assert server_json["pid"] == redis, "the restarted server did not adopt the orphaned FalkorDB"
        jobs = second.jobs()
        assert [j["status"] for j in jobs if j["id"] == killed_job] == ["interrupted"]
        resumed = jobs[-1]["id"]
        assert resumed > killed_job, jobs
        job = wait_done(second, resumed)
        assert job["status"] == "done" and job["progress"]["fraction"] == 1.0, job
        # the chunks committed before the kill are not extracted again
        assert job["summary"]["chunks_skipped"] >= at_kill, job["summary"]
        answer = httpx.post(
            second.url + "/v1/ask", json={"question": "Where was Ada Brenner born?"}, timeout=120
        )
        assert answer.status_code == 200, answer.text
    finally:
        code = second.stop()
    log = second.stderr()
    assert code == 0, log
    assert f"resumed interrupted ingest as job {resumed}" in log, log
    assert "Traceback" not in log, log
    deadline = time.monotonic() + 30
    while not dead(redis) and time.monotonic() < deadline:  # the graceful stop ends the adopted server
        time.sleep(0.1)
    assert dead(redis), "the adopted FalkorDB server outlived the graceful stop"

    with sqlite3.connect(state) as db:
        completions = db.execute(
            "SELECT completions, count(*) FROM chunks WHERE doc_id IN "
            "(SELECT doc_id FROM documents WHERE source LIKE '%/uploads/%') GROUP BY completions"
        ).fetchall()
    assert completions == [(1, DOCUMENTS)]  # every posted chunk marked done exactly once
    assert graph_diff(clean, canonical(folder)) == []
