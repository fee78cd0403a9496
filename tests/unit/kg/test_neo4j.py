"""Neo4jStore's pure parts without a server: value conversion, error mapping, session routing."""

from __future__ import annotations

import socket
from typing import Any

import neo4j
import pytest
from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator
from neo4j.exceptions import Neo4jError, ServiceUnavailable
from neo4j.spatial import CartesianPoint
from neo4j.time import Date, DateTime, Duration

from hopgraph.errors import ConfigError, CypherError, ReadOnlyError, StoreUnavailableError
from hopgraph.kg import neo4j as neo4j_store
from hopgraph.kg.falkordb.store import READ_ONLY_HINT
from hopgraph.kg.neo4j import Neo4jStore, plain, store_error

ACCESS_MODE = "Neo.ClientError.Statement.AccessMode"


def _server_error(code: str, message: str) -> Neo4jError:
    """An error as the driver builds it from a server FAILURE message (the right subclass)."""
    return Neo4jError._hydrate_neo4j(code=code, message=message)


# -- value conversion ---------------------------------------------------------------------------
def test_nodes_relationships_and_paths_become_dicts() -> None:
    hydrator = _GraphHydrator()
    ada = hydrator.hydrate_node(1, ["Entity", "Person"], {"name": "Ada"}, "n1")
    babbage = hydrator.hydrate_node(2, ["Entity"], {"name": "Babbage"}, "n2")
    rel = hydrator.hydrate_relationship(
        7, 1, 2, "WORKED_WITH", {"predicate": "worked with"}, "r7", "n1", "n2"
    )
    path = hydrator.hydrate_path([ada, babbage], [rel], [1, 1])
    assert plain(ada) == {"name": "Ada", "_labels": ["Entity", "Person"]}
    assert plain(rel) == {"predicate": "worked with", "_type": "WORKED_WITH"}
    assert plain(path) == {
        "nodes": [
            {"name": "Ada", "_labels": ["Entity", "Person"]},
            {"name": "Babbage", "_labels": ["Entity"]},
        ],
        "relationships": [{"predicate": "worked with", "_type": "WORKED_WITH"}],
    }
    assert plain({"people": [ada, (babbage,)]}) == {
        "people": [
            {"name": "Ada", "_labels": ["Entity", "Person"]},
            [{"name": "Babbage", "_labels": ["Entity"]}],
        ]
    }


def test_temporal_and_spatial_values_become_strings() -> None:
    assert plain(Date(2024, 2, 29)) == "2024-02-29"
    assert plain(DateTime(2024, 2, 29, 13, 5, 0)) == "2024-02-29T13:05:00.000000000"
    assert plain(Duration(days=3, hours=1)) == "P3DT1H"
    assert plain([CartesianPoint((1.0, 2.0))]) == ["CartesianPoint(1.0, 2.0)"]


def test_scalars_pass_through_unchanged() -> None:
    values = [None, True, 3, 2.5, "x", b"\x00\x01"]
    assert plain(values) == values
    assert plain({"a": {"b": [1, None]}}) == {"a": {"b": [1, None]}}


# -- error mapping ------------------------------------------------------------------------------
def test_write_in_read_transaction_is_a_read_only_error() -> None:
    exc = _server_error(ACCESS_MODE, "Writing in read access mode not allowed. Attempted write to neo4j")
    err = store_error(exc, "CREATE (n)", {"a": 1}, write=False, database="neo4j")
    assert isinstance(err, ReadOnlyError)
    assert READ_ONLY_HINT in str(err)
    assert (err.query, err.params) == ("CREATE (n)", {"a": 1})


def test_access_mode_message_without_the_code_is_still_read_only() -> None:
    exc = _server_error("Neo.ClientError.General.Unknown", "Writing in read access mode not allowed.")
    assert isinstance(store_error(exc, "CREATE (n)", {}, write=False, database=None), ReadOnlyError)


def test_access_mode_error_of_a_write_is_not_read_only() -> None:
    exc = _server_error(ACCESS_MODE, "Writing in read access mode not allowed.")
    err = store_error(exc, "CREATE (n)", {}, write=True, database="neo4j")
    assert type(err) is CypherError


def test_rejected_query_keeps_code_message_query_and_params() -> None:
    exc = _server_error("Neo.ClientError.Statement.SyntaxError", "Invalid input '+'")
    err = store_error(exc, "RETURN 1 +", {"x": 2}, write=False, database="neo4j")
    assert type(err) is CypherError
    assert "Neo.ClientError.Statement.SyntaxError" in str(err) and "Invalid input '+'" in str(err)
    assert "query: RETURN 1 +" in str(err)
    assert err.params == {"x": 2}


def test_missing_database_is_unavailable_and_named() -> None:
    exc = _server_error("Neo.ClientError.Database.DatabaseNotFound", "Database does not exist: films")
    err = store_error(exc, "RETURN 1", {}, write=False, database="films")
    assert isinstance(err, StoreUnavailableError)
    assert "'films'" in str(err)


# -- connecting ---------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_server_names_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    with pytest.raises(StoreUnavailableError, match=f"cannot reach Neo4j at {uri}"):
        Neo4jStore(uri, user="neo4j", password="x")


def test_invalid_uri_is_a_config_error_listing_the_schemes() -> None:
    with pytest.raises(ConfigError, match=r"invalid Neo4j URI 'localhost:7687'.*bolt.*neo4j"):
        Neo4jStore("localhost:7687")


# -- session routing (a recording stand-in for the driver) --------------------------------------
class _Session:
    def __init__(self, driver: _Driver, kwargs: dict[str, Any]) -> None:
        self.driver, self.kwargs = driver, kwargs

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _execute(self, kind: str, work: Any, query: str, params: dict[str, Any]) -> Any:
        self.driver.calls.append((kind, self.kwargs, getattr(work, "timeout", None), query, params))
        if self.driver.fail is not None:
            raise self.driver.fail
        return [{"ok": 1}]

    def execute_read(self, work: Any, *args: Any) -> Any:
        return self._execute("read", work, *args)

    def execute_write(self, work: Any, *args: Any) -> Any:
        return self._execute("write", work, *args)


class _Driver:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail: Exception | None = None
        self.closed = False

    def verify_connectivity(self) -> None:
        return None

    def session(self, **kwargs: Any) -> _Session:
        return _Session(self, kwargs)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def driver(monkeypatch: pytest.MonkeyPatch) -> _Driver:
    fake = _Driver()
    monkeypatch.setattr(neo4j_store.neo4j.GraphDatabase, "driver", lambda uri, auth: fake)
    return fake


def test_reads_use_read_sessions_and_writes_write_sessions(driver: _Driver) -> None:
    store = Neo4jStore("bolt://db:7687", database="films", ensure_schema=False)
    assert store.cypher("MATCH (n) RETURN n") == [{"ok": 1}]
    store.cypher("CREATE (n)", {"a": 1}, write=True)
    (read, write) = driver.calls
    assert read[:2] == ("read", {"database": "films", "default_access_mode": neo4j.READ_ACCESS})
    assert write[:2] == ("write", {"database": "films", "default_access_mode": neo4j.WRITE_ACCESS})
    assert write[3:] == ("CREATE (n)", {"a": 1})
    store.close()
    assert driver.closed


def test_schema_is_created_at_open_unless_disabled(driver: _Driver) -> None:
    Neo4jStore("bolt://db:7687")
    statements = [call[3] for call in driver.calls]
    ddl = neo4j_store.Neo4jDialect().setup_statements()
    # The DDL in write transactions, then one wait until the new indexes are online.
    assert statements == [*ddl, "CALL db.awaitIndexes(300)"]
    assert [call[0] for call in driver.calls] == ["write"] * len(ddl) + ["read"]


def test_query_timeout_is_the_transaction_timeout(driver: _Driver) -> None:
    store = Neo4jStore("bolt://db:7687", ensure_schema=False, query_timeout_ms=2500)
    store.cypher("RETURN 1")
    assert driver.calls[-1][2] == 2.5
    store.query_timeout_ms = 0
    store.cypher("RETURN 1")
    assert driver.calls[-1][2] is None


def test_server_and_connection_errors_are_mapped(driver: _Driver) -> None:
    store = Neo4jStore("bolt://db:7687", ensure_schema=False)
    driver.fail = _server_error(ACCESS_MODE, "Writing in read access mode not allowed.")
    with pytest.raises(ReadOnlyError):
        store.cypher("CREATE (n)")
    driver.fail = ServiceUnavailable("connection reset")
    with pytest.raises(StoreUnavailableError, match="lost the connection to Neo4j at bolt://db:7687"):
        store.cypher("RETURN 1")


def test_exploration_limit_is_the_transaction_timeout_and_its_error_names_it(driver: _Driver) -> None:
    from hopgraph.errors import QueryTimeoutError

    store = Neo4jStore("bolt://db:7687", ensure_schema=False, query_timeout_ms=2500)
    store.cypher("MATCH (n) RETURN n", timeout_s=30)
    assert driver.calls[-1][2] == 30
    store.cypher("MATCH (n) RETURN n", timeout_s=0)  # 0: no limit, not the internal one
    assert driver.calls[-1][2] is None
    driver.fail = _server_error(
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "The transaction has been terminated. Retry your operation in a new transaction.",
    )
    with pytest.raises(QueryTimeoutError, match="time limit of 30 s") as caught:
        store.cypher("MATCH (a),(b) RETURN count(*)", timeout_s=30)
    assert caught.value.limit_s == 30
