"""Writes through the server: a background ingest job while questions keep being answered (no
errors, no torn reads), one write at a time, job progress and its event stream, deletes, and a
job stopped by the server's shutdown that the next server resumes with no chunk done twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers.serve_app import HEISENBERG, copy_graph, wait_for_job

from hopgraph.api import HopGraph
from hopgraph.serve.service import GraphService

CITIES = ["Warsaw", "Paris", "Lyon", "Geneva", "Turin", "Oslo", "Leiden", "Prague"]


def new_documents(n: int, tag: str) -> list[dict[str, Any]]:
    """Texts about people the demo graph does not know (they cannot change the demo answers)."""
    return [
        {
            "id": f"{tag}-{i}",
            "title": f"Chemist {tag} {i}",
            "text": f"Zofia Kowal{tag}{i} was a chemist. "
            f"She was born in {CITIES[i % len(CITIES)]}. "
            f"She studied under Marek Nowak{tag}{i} at the university. "
            f"Marek Nowak{tag}{i} was born in Gdansk.",
        }
        for i in range(n)
    ]


def test_asks_keep_being_answered_while_an_ingest_runs(client: TestClient) -> None:
    before = client.get("/v1/stats").json()
    started = client.post("/v1/documents", json={"documents": new_documents(6, "a")})
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    doc_ids = [d["id"] for d in started.json()["documents"]]
    # one write at a time: a second ingest or a delete while the first runs is refused (409)
    second = client.post("/v1/documents", json={"documents": new_documents(1, "b")})
    if second.status_code != 202:  # the job may already be done on a fast machine
        assert second.status_code == 409 and "one at a time" in second.json()["detail"]
    else:
        wait_for_job(client, second.json()["job_id"])

    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def asker() -> None:
        try:
            while not done.is_set():
                r = client.post("/v1/ask", json={"question": HEISENBERG})
                results.append((r.status_code, r.json().get("answer", r.text)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=asker) for _ in range(4)]
    for t in threads:
        t.start()
    job = wait_for_job(client, job_id)
    done.set()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert results, "no question was answered while the job ran"
    assert all(r == (200, "Königsberg") for r in results), [r for r in results if r != (200, "Königsberg")][
        :3
    ]
    assert job["status"] == "done" and job["progress"]["fraction"] == 1.0 and job["chunks"]["done"] >= 6
    after = client.get("/v1/stats").json()
    assert after["documents"] >= before["documents"] + 6

    # the event stream of a finished job: its final state, then the end
    events = client.get(f"/v1/jobs/{job_id}/events").text
    assert '"status": "done"' in events and events.rstrip().endswith("event: end\ndata: {}")

    # the new texts are answerable once the job is done (a fresh snapshot was swapped in)
    found = client.get("/v1/entities", params={"q": "Kowala0"}).json()["entities"]
    assert any(e["name"] == "Zofia Kowala0" for e in found)

    # a delete removes exactly that document's contribution
    deleted = client.delete(f"/v1/documents/{doc_ids[0]}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted"]["documents"] == 1
    assert client.get("/v1/stats").json()["documents"] == after["documents"] - 1
    assert client.post("/v1/ask", json={"question": HEISENBERG}).json()["answer"] == "Königsberg"


def test_posting_a_document_again_is_not_a_duplicate(client: TestClient) -> None:
    docs = new_documents(1, "c")
    first = client.post("/v1/documents", json={"documents": docs}).json()
    wait_for_job(client, first["job_id"])
    count = client.get("/v1/stats").json()["documents"]
    again = client.post("/v1/documents", json={"documents": docs}).json()
    assert again["documents"][0]["id"] == first["documents"][0]["id"]
    job = wait_for_job(client, again["job_id"])
    assert job["status"] == "done" and job["summary"]["documents_unchanged"] == 1
    assert client.get("/v1/stats").json()["documents"] == count


def test_bad_documents_are_refused(client: TestClient) -> None:
    r = client.post("/v1/documents", json={"documents": [{"text": "a"}, {"text": "   "}]})
    assert r.status_code == 422 and "empty text" in r.json()["detail"]
    r = client.post(
        "/v1/documents", json={"documents": [{"id": "x", "text": "a b"}, {"id": "x", "text": "c d"}]}
    )
    assert r.status_code == 422 and "twice" in r.json()["detail"]
    assert client.post("/v1/documents", json={"documents": []}).status_code == 422


def test_a_job_stopped_by_shutdown_is_resumed_by_the_next_server(
    demo_graph: Path, tmp_path_factory: pytest.TempPathFactory, shared_embedder: Any
) -> None:
    folder = copy_graph(demo_graph, tmp_path_factory)
    first = GraphService(HopGraph.open(folder), embedder=shared_embedder)
    started = first.start_ingest(new_documents(8, "r"))
    first.close()  # what SIGTERM does: the job stops between batches, the store is saved
    state = folder / "jobs.sqlite"
    interrupted = HopGraph.job(state, started["job_id"]).job
    assert interrupted.status == "interrupted", interrupted

    second = GraphService(HopGraph.open(folder), embedder=shared_embedder)
    try:
        resumed = second.resume_interrupted()
        assert resumed is not None and resumed > started["job_id"]
        deadline = time.monotonic() + 300
        while second.job(resumed)["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        job = second.job(resumed)
        assert job["status"] == "done", job
        stats = second.stats()
        assert stats["documents"] == 10 + 8
        docs = second.cypher("MATCH (d:Document) WHERE d.title STARTS WITH 'Chemist r' RETURN count(d) AS n")
        assert docs["rows"] == [{"n": 8}]
        assert second.resume_interrupted() is None  # nothing left to resume
    finally:
        second.close()
    with sqlite3.connect(state) as db:
        completions = [
            n
            for (n,) in db.execute(
                "SELECT completions FROM chunks WHERE doc_id IN "
                "(SELECT doc_id FROM documents WHERE source LIKE '%uploads%')"
            )
        ]
    assert len(completions) == 8 and set(completions) == {1}
