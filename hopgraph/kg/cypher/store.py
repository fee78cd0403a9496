"""GraphStore operations written once in Cypher; backends supply ``_run`` and a Dialect.

``CypherGraphStore`` combines the write side (``cypher_writes.CypherWrites``: upserts, mentions,
embeddings, entity merging, deletion, schema) and the read side (``cypher_reads.CypherReads``:
stats, lookups, neighbourhoods, search, iteration); ``cypher_rows`` holds what both share.
"""

from __future__ import annotations

from typing import Any

from hopgraph.kg.cypher.dialect import Dialect
from hopgraph.kg.cypher.reads import CypherReads
from hopgraph.kg.cypher.rows import TYPES_PER_STATEMENT
from hopgraph.kg.cypher.writes import CypherWrites


class CypherGraphStore(CypherWrites, CypherReads):
    """Everything a GraphStore does, over an abstract ``_run``. Not used directly."""

    name = "cypher"
    dialect: Dialect
    batch_size: int = 2000

    # -- backend primitive --------------------------------------------------------------------
    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        """Run one statement. ``timeout_s``: a time limit for this read (0: none; None: the store's
        ``query_timeout_ms``); a read stopped by it raises ``QueryTimeoutError``."""
        raise NotImplementedError

    # -- exploration ----------------------------------------------------------------------------
    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_s: float | None = None,
    ) -> list[dict[str, Any]]:
        if not isinstance(query, str) or not query.strip():
            raise ValueError("the Cypher query is empty")
        if timeout_s is not None and (timeout_s < 0 or timeout_s != timeout_s):
            raise ValueError(f"timeout_s must be 0 (no limit) or a number of seconds, got {timeout_s}")
        return self._run(query, params or {}, write=write, timeout_s=timeout_s)


__all__ = ["TYPES_PER_STATEMENT", "CypherGraphStore"]
