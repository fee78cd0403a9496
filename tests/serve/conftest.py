"""Fixtures of the ``hopgraph serve`` tests: the demo documents ingested once per session into a
real embedded FalkorDB graph (offline spaCy extractor, the session's real embedder), a warmed
:class:`GraphService` over a copy of it, the app, and a real uvicorn server on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("mcp")

from fastapi.testclient import TestClient
from helpers.serve_app import LiveServer, copy_graph

from hopgraph.api import HopGraph
from hopgraph.embed import sentence_transformers as embed
from hopgraph.serve.app import create_app
from hopgraph.serve.service import GraphService
from tests.helpers.shared_embedder import share_embedder

ROOT = Path(__file__).resolve().parents[2]
DEMO_DOCS = ROOT / "data" / "demo" / "docs"


@pytest.fixture(scope="session")
def shared_embedder(
    embedder: embed.SentenceTransformerEmbedder,
) -> Iterator[embed.SentenceTransformerEmbedder]:
    """The session's real embedder; every ``SentenceTransformerEmbedder()`` hopgraph makes while
    these tests run (a subprocess aside) is this one."""
    with pytest.MonkeyPatch.context() as mp:
        share_embedder(mp, embedder)
        yield embedder


@pytest.fixture(scope="session")
def demo_graph(tmp_path_factory: pytest.TempPathFactory, shared_embedder: Any) -> Path:
    """The demo documents ingested once (then closed); copy it with :func:`copy_graph`."""
    folder = tmp_path_factory.mktemp("sd")
    with HopGraph.open(folder) as hg:
        summary = hg.ingest(str(DEMO_DOCS), embedder=shared_embedder)
    assert summary.status == "done" and summary.documents == 10
    return folder


@pytest.fixture(scope="module")
def service(
    demo_graph: Path, tmp_path_factory: pytest.TempPathFactory, shared_embedder: Any
) -> Iterator[GraphService]:
    """A warmed service over a copy of the demo graph (one per test module)."""
    svc = GraphService(HopGraph.open(copy_graph(demo_graph, tmp_path_factory)), embedder=shared_embedder)
    svc.warm_up()
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service: GraphService) -> Iterator[TestClient]:
    """httpx (through Starlette's TestClient, which runs the app's lifespan) against the app."""
    app = create_app(service, close_on_shutdown=False, host="testserver")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def live(service: GraphService) -> Iterator[LiveServer]:
    with LiveServer(create_app(service, close_on_shutdown=False)) as server:
        yield server
