"""``POST /v1/documents`` with uploaded files (multipart/form-data), through httpx: the files are
ingested by a background job like folder ingest would, with folder ingest's suffix rules; a
refused upload (suffix, empty or unreadable file, size limit, content type) stores nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from helpers.serve_app import wait_for_job

from hopgraph.serve.app import create_app
from hopgraph.serve.service import GraphService

MARKDOWN = b"# Ilse Brandtner\n\nIlse Brandtner was a physicist. She was born in Graz.\n"
TEXT = b"Tomasz Wierzba was an engineer. He was born in Lodz.\n"
CORPUS = (
    json.dumps({"id": "rec-1", "title": "Arvid Lund", "text": "Arvid Lund was born in Malmo."})
    + "\n"
    + json.dumps({"id": "rec-2", "title": "Mette Holm", "text": "Mette Holm was born in Aarhus."})
    + "\n"
).encode()


def uploads(service: GraphService) -> set[str]:
    folder = service.hg.folder
    assert folder is not None
    kept = folder / "uploads" / "files"
    return {p.name for p in kept.iterdir()} if kept.is_dir() else set()


def job_count(client: TestClient) -> int:
    return len(client.get("/v1/jobs").json()["jobs"])


def test_uploaded_files_are_ingested_like_a_folder(client: TestClient, service: GraphService) -> None:
    before = client.get("/v1/stats").json()["documents"]
    r = client.post(
        "/v1/documents",
        files=[
            ("files", ("brandtner.md", MARKDOWN, "text/markdown")),
            ("files", ("sub/dir/wierzba.txt", TEXT, "text/plain")),
            ("files", ("people.jsonl", CORPUS, "application/jsonl")),
        ],
    )
    assert r.status_code == 202, r.text
    started = r.json()
    docs = {d["key"]: d for d in started["documents"]}
    # the markdown title is its heading; a path in the file name is cut to its last part;
    # a corpus file holds one document per record
    assert docs["brandtner.md"]["title"] == "Ilse Brandtner"
    assert "wierzba.txt" in docs and len(started["documents"]) == 4
    assert sorted(d["title"] for d in started["documents"] if d["key"] == "people.jsonl") == [
        "Arvid Lund",
        "Mette Holm",
    ]
    job = wait_for_job(client, started["job_id"])
    assert job["status"] == "done" and job["problems"] == [], job
    assert client.get("/v1/stats").json()["documents"] == before + 4
    assert uploads(service) >= {"brandtner.md", "wierzba.txt", "people.jsonl"}
    found = client.get("/v1/entities", params={"q": "Brandtner"}).json()["entities"]
    assert any(e["name"] == "Ilse Brandtner" for e in found)

    # the ids returned are the graph's document ids: each one deletes exactly its document
    for doc in started["documents"]:
        deleted = client.delete(f"/v1/documents/{doc['id']}")
        assert deleted.status_code == 200 and deleted.json()["deleted"]["documents"] == 1, deleted.text
    assert client.get("/v1/stats").json()["documents"] == before


def test_uploading_a_file_name_again_replaces_its_document(client: TestClient) -> None:
    first = client.post("/v1/documents", files=[("files", ("again.txt", TEXT))]).json()
    wait_for_job(client, first["job_id"])
    count = client.get("/v1/stats").json()["documents"]
    changed = TEXT.replace(b"Lodz", b"Krakow")
    again = client.post("/v1/documents", files=[("file", ("again.txt", changed))]).json()
    assert again["documents"][0]["id"] == first["documents"][0]["id"]
    job = wait_for_job(client, again["job_id"])
    assert job["status"] == "done" and job["summary"]["documents_replaced"] == 1, job["summary"]
    assert client.get("/v1/stats").json()["documents"] == count


def refused(r: Any, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    for word in words:
        assert word in r.json()["detail"], r.json()["detail"]


def test_bad_uploads_are_refused_and_store_nothing(client: TestClient, service: GraphService) -> None:
    kept, jobs = uploads(service), job_count(client)
    good = ("files", ("fine.txt", TEXT))
    # folder ingest's suffix rules: a .csv is no document type (the good file beside it is not kept)
    r = client.post("/v1/documents", files=[good, ("files", ("table.csv", b"a,b\n1,2\n"))])
    refused(r, 415, "'table.csv'", "the suffix .csv is not a document type", ".jsonl", "nothing was stored")
    refused(client.post("/v1/documents", files=[("files", ("README", b"text"))]), 415, "no suffix")
    refused(client.post("/v1/documents", files=[good, ("files", ("empty.md", b""))]), 422, "is empty")
    hidden = [("files", (".hidden.txt", b"x"))]
    refused(client.post("/v1/documents", files=hidden), 422, "no usable file name")
    refused(client.post("/v1/documents", files=[good, good]), 422, "uploaded twice")
    refused(client.post("/v1/documents", files=[("files", ("bin.txt", b"\x00\x01" * 50))]), 422, "bin.txt")
    refused(client.post("/v1/documents", files=[("files", ("bad.json", b"{not json"))]), 422, "bad.json")
    r = client.post("/v1/documents", data={"note": "hello"}, files=[good])
    refused(r, 422, "form field 'note' is not a file")
    r = client.post("/v1/documents", files=[good, ("document", ("other.txt", TEXT))])
    refused(r, 422, "'other.txt' came in form field 'document'", "field 'files'")
    r = client.post("/v1/documents", content=b"some text", headers={"content-type": "text/plain"})
    refused(r, 415, "application/json", "multipart/form-data")
    assert uploads(service) == kept and job_count(client) == jobs
    staging = service.hg.folder / "uploads" / ".staging"  # type: ignore[operator]
    assert not staging.exists() or not any(staging.iterdir())


def test_the_upload_limit_is_its_own_and_enforced(service: GraphService) -> None:
    limits = dataclasses.replace(service.settings, max_upload_bytes=2000, max_body_bytes=5000)
    small = GraphService(service.hg, settings=limits)
    app = create_app(small, close_on_shutdown=False, mcp=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        kept = uploads(service)
        r = c.post("/v1/documents", files=[("files", ("big.txt", b"word " * 1000))])
        refused(r, 413, "the upload is over the limit of 2,000 bytes", "[serve] max_upload_bytes")

        # the same with no Content-Length (a chunked body): cut while it streams in
        boundary = "hgboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()

        def chunks() -> Iterator[bytes]:
            yield head
            for _ in range(10):
                yield b"word " * 100
            yield f"\r\n--{boundary}--\r\n".encode()

        r = c.post(
            "/v1/documents",
            content=chunks(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        refused(r, 413, "2,000 bytes", "max_upload_bytes")
        assert uploads(service) == kept
        # a JSON body keeps the body limit, not the upload limit: 3,000 bytes of question pass it
        r = c.post("/v1/ask", json={"question": "Where was " + "x" * 1500 + " born?", "k": 1})
        assert r.status_code != 413, r.text
        # a chunked JSON body over the body limit is cut with a 413 too (FastAPI's body reader
        # would have turned the cut into a 400 "error parsing the body")
        parts = [b'{"question": "', *[b"x" * 1000] * 6, b'"}']
        r = c.post("/v1/ask", content=iter(parts), headers={"content-type": "application/json"})
        refused(r, 413, "the request body is over the limit of 5,000 bytes", "max_body_bytes")


def test_the_spec_documents_both_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/documents"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    schemas = spec["components"]["schemas"]
    assert {"DocumentsRequest", "DocumentsUpload", "DocumentIn"} <= set(schemas)
    assert schemas["DocumentsRequest"]["properties"]["documents"]["items"]["$ref"].endswith("/DocumentIn")
    responses = spec["paths"]["/v1/documents"]["post"]["responses"]
    assert {"202", "413", "415", "422"} <= set(responses)
