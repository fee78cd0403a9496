"""The `store` fixture: every contract test runs once per GraphStore backend.

FalkorDB (embedded) always runs. Neo4j runs when NEO4J_URI is set (user and password from
NEO4J_USER / NEO4J_PASSWORD); otherwise its cases are skipped with the reason shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hopgraph.kg.base import GraphStore

BACKENDS = ["falkordb", "neo4j"]


def _open(backend: str, folder: Path) -> GraphStore:
    if backend == "falkordb":
        from hopgraph.kg.falkordb.store import FalkorDBStore

        return FalkorDBStore(folder, batch_size=500)
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("Neo4j contract suite: set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to run it")
    from hopgraph.kg.neo4j import Neo4jStore

    return Neo4jStore(
        uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", ""),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        batch_size=500,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def _module_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    store = _open(request.param, tmp_path_factory.mktemp("store"))
    yield store
    store.clear()
    store.close()


@pytest.fixture
def store(_module_store: GraphStore) -> Iterator[GraphStore]:
    """An empty store of each backend (one server per module, cleared before every test)."""
    _module_store.clear()
    yield _module_store
