"""FalkorDB graph store: the embedded default (a graph folder) or a remote server (a URL)."""

from __future__ import annotations

import logging
import math
import numbers
import time
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.helpers import quote_string

from hopgraph.errors import (
    READ_ONLY_HINT,
    CypherError,
    QueryTimeoutError,
    ReadOnlyError,
    StoreUnavailableError,
)
from hopgraph.kg.cypher.dialect import FalkorDBDialect
from hopgraph.kg.cypher.parts import missing_parameters
from hopgraph.kg.cypher.store import CypherGraphStore
from hopgraph.kg.falkordb.server import EmbeddedFalkorDB

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    """FalkorDB result values as plain Python (nodes and edges become property dicts)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    properties = getattr(value, "properties", None)
    if isinstance(properties, dict):
        out = {k: _plain(v) for k, v in properties.items()}
        labels = getattr(value, "labels", None)
        relation = getattr(value, "relation", None)
        if labels:
            out["_labels"] = list(labels)
        if relation:
            out["_type"] = relation
        return out
    return value


VECTOR_MIN_LENGTH = 16
"""Float lists at least this long are vectors: written with 9 significant digits, which
round-trips float32 (all ``vecf32`` keeps) exactly and formats 2.5x faster than ``repr``."""
SCHEMA_REPLY_TIMEOUT_S = 60.0
"""The longest wait for one reply while the indexes are set up at open (each is quick)."""


def _literal(value: Any) -> str:
    kind = type(value)
    if kind is str:
        if "\x00" in value:  # FalkorDB reads the query as a C string: a NUL would cut it short
            raise ValueError(f"cannot store text containing a NUL character (\\x00): {value[:60]!r}")
        return str(quote_string(value))
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return repr(value)
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"cannot store {value!r} in the graph")
        return repr(value)
    if value is None:
        return "null"
    if kind is list or kind is tuple:
        if len(value) >= VECTOR_MIN_LENGTH and all(type(v) is float for v in value):
            text = ",".join(map("{:.9g}".format, value))
            if "n" in text:  # nan, inf
                raise ValueError("cannot store NaN or infinity in the graph")
            return f"[{text}]"
        return "[" + ",".join(map(_literal, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_key(k)}:{_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, numbers.Integral):  # numpy and other integer types
        return repr(int(value))
    if isinstance(value, numbers.Real):
        return _literal(float(value))
    raise TypeError(f"cannot pass a {kind.__name__} to Cypher as a parameter")


def _key(name: Any) -> str:
    if not isinstance(name, str) or not name or "`" in name:
        raise ValueError(f"invalid parameter map key {name!r}")
    return f"`{name}`"


def _close_quietly(db: FalkorDB) -> None:
    try:
        db.connection.close()
    except Exception as exc:  # noqa: BLE001 - closing must not raise
        log.debug("closing FalkorDB connection: %s", exc)


def cypher_header(params: dict[str, Any] | None) -> str:
    """FalkorDB's parameter preamble (``CYPHER a=1 b="x" ``): values are literals in the header,
    never spliced into the query itself. Faster than the client's generic formatter."""
    if not params:
        return ""
    return "CYPHER " + " ".join(f"{_key(k)}={_literal(v)}" for k, v in params.items()) + " "


class FalkorDBStore(CypherGraphStore):
    """GraphStore on FalkorDB.

    ``FalkorDBStore(folder=DIR)`` starts (or adopts) the embedded server of that folder;
    ``FalkorDBStore(url="redis://host:6379")`` or ``url="unix:///path.sock"`` connects to a
    running server and leaves its lifecycle alone.
    """

    name = "falkordb"

    def __init__(
        self,
        folder: str | Path | None = None,
        *,
        url: str = "",
        graph_name: str = "hopgraph",
        batch_size: int = 2000,
        query_timeout_ms: int = 0,
        module_args: dict[str, str | int] | None = None,
    ) -> None:
        if (folder is None) == (not url):
            raise ValueError("give exactly one of folder (embedded server) or url (remote server)")
        self.dialect = FalkorDBDialect()
        self.batch_size = batch_size
        self.query_timeout_ms = query_timeout_ms
        self.server: EmbeddedFalkorDB | None = None
        self.graph_name = graph_name
        if folder is not None:
            self.server = EmbeddedFalkorDB(folder, module_args=module_args)
            self.location = str(self.server.folder)
            self.server.start()
        else:
            self.location = url
        self._url = url
        try:
            self._set_up_schema()
            # redis-py 8 gives a URL's connections a 5 s socket timeout, which cut long reads
            # (a big graph's relations on a loaded machine); past the schema, time limits are the
            # database's (query_timeout_ms, per-query limits)
            self._connect(reply_timeout=None)
        except BaseException:
            self.close()
            raise

    def _connect(self, *, reply_timeout: float | None) -> None:
        """(Re)open the client: ``reply_timeout`` seconds at most for any one reply (None: no limit)."""
        old = getattr(self, "_db", None)
        if self.server is not None:
            self._db = FalkorDB(unix_socket_path=self.server.socket_path, socket_timeout=reply_timeout)
        else:
            try:
                self._db = FalkorDB.from_url(
                    self._url, socket_timeout=reply_timeout, socket_connect_timeout=10.0
                )
                self._db.connection.ping()
            except (redis.ConnectionError, redis.TimeoutError, OSError, ValueError) as exc:
                raise StoreUnavailableError(f"cannot reach FalkorDB at {self._url}: {exc}") from None
        self._graph = self._db.select_graph(self.graph_name)
        if old is not None:
            _close_quietly(old)

    def _set_up_schema(self) -> None:
        """Create the indexes, each reply awaited :data:`SCHEMA_REPLY_TIMEOUT_S` at most.

        FalkorDB 4.16.3 was once seen to hang on a fresh graph's first ``CREATE INDEX`` (every
        server thread waiting, even PING unanswered): an embedded server that does not answer is
        killed and started again once (its log replays what it had); a second hang, or a remote
        server's, is a clear error instead of a wait without end."""
        for attempt in (1, 2):
            self._connect(reply_timeout=SCHEMA_REPLY_TIMEOUT_S)
            try:
                self._ensure_schema()
                return
            except StoreUnavailableError as exc:
                if self.server is None or attempt == 2:
                    if self.server is not None:
                        self.server.kill()  # a hung server cannot save or shut down
                    raise StoreUnavailableError(
                        f"FalkorDB at {self.location} did not answer while setting up its indexes "
                        f"(no reply within {SCHEMA_REPLY_TIMEOUT_S:.0f} s"
                        + (", also after a restart" if self.server is not None else "")
                        + f"): {exc}. Stop other programs using this graph and try again."
                    ) from None
                log.warning("FalkorDB at %s hung while setting up its indexes; restarting it", self.location)
                self.server.kill()
                self.server.start()

    @property
    def socket_path(self) -> str | None:
        return self.server.socket_path if self.server else None

    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        # FalkorDB's per-query TIMEOUT (milliseconds) stops reads; this server version runs
        # writes to the end whatever the limit.
        limit_ms = self.query_timeout_ms if timeout_s is None else max(1, round(timeout_s * 1000))
        timeout = limit_ms if limit_ms and timeout_s != 0 else None
        try:
            text = cypher_header(params) + query
            if write:
                result = self._graph.query(text, timeout=timeout)
            else:
                result = self._graph.ro_query(text, timeout=timeout)
        except redis.ResponseError as exc:
            message = str(exc)
            if "read-only" in message or "RO_QUERY" in message:
                raise ReadOnlyError(READ_ONLY_HINT, query, params) from None
            if "timed out" in message.lower() and timeout:
                raise QueryTimeoutError(timeout / 1000, query, params) from None
            missing = missing_parameters(query, params) if "Missing parameters" in message else []
            if missing:  # FalkorDB does not say which: hopgraph knows the query's $names
                given = ", ".join("$" + m for m in missing)
                message += f" (not given: {given}; CLI: --param {missing[0]}=VALUE)"
            raise CypherError(f"FalkorDB rejected the query: {message}", query, params) from None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise StoreUnavailableError(
                f"lost the connection to FalkorDB at {self.location}: {exc}"
            ) from None
        header = [h[1] if isinstance(h, (list, tuple)) else h for h in (result.header or [])]
        names = [h.decode() if isinstance(h, bytes) else str(h) for h in header]
        return [dict(zip(names, (_plain(v) for v in row), strict=False)) for row in result.result_set or []]

    def _schema_changed(self) -> None:
        # FalkorDB builds indexes in the background: wait until every one is operational.
        while any(
            row["status"] != "OPERATIONAL"
            for row in self._run("CALL db.indexes() YIELD status RETURN status", write=False)
        ):
            time.sleep(0.01)
        if self.server is not None:
            self.server.compact()

    def close(self) -> None:
        if hasattr(self, "_db"):
            _close_quietly(self._db)
        if self.server is not None:
            self.server.stop()

    def __enter__(self) -> FalkorDBStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
