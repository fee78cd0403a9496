"""Neo4j graph store: a Neo4j 5 server through the official ``neo4j`` driver (Bolt).

Every query runs in a managed transaction: writes through ``execute_write``, reads through
``execute_read`` in a session opened with ``READ_ACCESS``, so a write sent as a read is
refused by the server itself (``Neo.ClientError.Statement.AccessMode``).
"""

from __future__ import annotations

import logging
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from hopgraph.errors import (
    READ_ONLY_HINT,
    ConfigError,
    CypherError,
    QueryTimeoutError,
    ReadOnlyError,
    StoreError,
    StoreUnavailableError,
)
from hopgraph.kg.cypher.dialect import Neo4jDialect
from hopgraph.kg.cypher.store import CypherGraphStore

log = logging.getLogger(__name__)

ACCESS_MODE_CODES = frozenset({"Neo.ClientError.Statement.AccessMode", "Neo.ClientError.Cluster.NotALeader"})
UNAVAILABLE_CODES = frozenset({"Neo.ClientError.Database.DatabaseNotFound"})


def plain(value: Any) -> Any:
    """A driver value as plain Python: nodes and relationships become property dicts (with
    ``_labels`` / ``_type``), paths ``{"nodes": [...], "relationships": [...]}``, temporal and
    spatial values their string form."""
    if isinstance(value, Node):
        return {**{k: plain(v) for k, v in value.items()}, "_labels": sorted(value.labels)}
    if isinstance(value, Relationship):
        return {**{k: plain(v) for k, v in value.items()}, "_type": value.type}
    if isinstance(value, Path):
        return {
            "nodes": [plain(n) for n in value.nodes],
            "relationships": [plain(r) for r in value.relationships],
        }
    if isinstance(value, Date | DateTime | Duration | Time | Point):  # tuples, some of them
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    return str(value)


def store_error(
    exc: Neo4jError, query: str, params: dict[str, Any], *, write: bool, database: str | None
) -> StoreError:
    """The hopgraph error for an error the server returned."""
    code = exc.code or ""
    message = exc.message or str(exc)
    if not write and (code in ACCESS_MODE_CODES or "read access mode" in message.lower()):
        return ReadOnlyError(READ_ONLY_HINT, query, params)
    if code in UNAVAILABLE_CODES:
        return StoreUnavailableError(
            f"Neo4j has no database {database!r} ({message}); create it or set [store] database"
        )
    return CypherError(f"Neo4j rejected the query ({code}): {message}", query, params)


def _collect(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: plain(value) for key, value in record.items()} for record in tx.run(query, params)]


class Neo4jStore(CypherGraphStore):
    """GraphStore on a Neo4j 5 server: ``Neo4jStore("neo4j://host:7687", user=..., password=...)``.

    ``ensure_schema=False`` skips the constraint and index DDL at open, for servers that speak
    Bolt but not Neo4j's DDL, e.g. FalkorDB in the Bolt smoke test.
    """

    name = "neo4j"
    dialect = Neo4jDialect()

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str | None = "neo4j",
        batch_size: int = 2000,
        query_timeout_ms: int = 0,
        ensure_schema: bool = True,
    ) -> None:
        self.uri = uri
        self.database = database or None
        self.batch_size = batch_size
        self.query_timeout_ms = query_timeout_ms
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        except (DriverError, ValueError) as exc:
            raise ConfigError(f"invalid Neo4j URI {uri!r}: {exc}") from None
        try:
            self._driver.verify_connectivity()
        except AuthError as exc:
            self.close()
            raise StoreUnavailableError(
                f"Neo4j at {uri} refused the credentials of user {user!r}: {exc.message}. "
                "Check NEO4J_USER / NEO4J_PASSWORD."
            ) from None
        except (DriverError, Neo4jError, OSError) as exc:
            self.close()
            raise StoreUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from None
        if ensure_schema:
            try:
                self._ensure_schema()
            except BaseException:
                self.close()
                raise

    def _schema_changed(self) -> None:
        self._run("CALL db.awaitIndexes(300)", write=False)

    def _limit_s(self, timeout_s: float | None) -> float:
        """The transaction timeout for one query in seconds (0: none)."""
        if timeout_s is None:
            return self.query_timeout_ms / 1000 if self.query_timeout_ms > 0 else 0.0
        return timeout_s

    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        params = params or {}
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        limit = self._limit_s(timeout_s)
        work = neo4j.unit_of_work(timeout=limit)(_collect) if limit > 0 else _collect
        try:
            with self._driver.session(database=self.database, default_access_mode=mode) as session:
                execute = session.execute_write if write else session.execute_read
                return execute(work, query, params)
        except Neo4jError as exc:
            if limit > 0 and "TransactionTimedOut" in (exc.code or ""):
                raise QueryTimeoutError(limit, query, params) from None
            raise store_error(exc, query, params, write=write, database=self.database) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailableError(f"lost the connection to Neo4j at {self.uri}: {exc}") from None
        except DriverError as exc:
            raise StoreError(f"the Neo4j driver failed: {exc}") from None

    def close(self) -> None:
        try:
            self._driver.close()
        except Exception as exc:  # noqa: BLE001 - closing must not raise
            log.debug("closing the Neo4j driver: %s", exc)

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
