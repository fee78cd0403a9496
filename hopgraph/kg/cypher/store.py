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
    def _run(self, query: str, params: dict[str, Any] | None = None, *, write: bool) -> list[dict[str, Any]]:
        raise NotImplementedError

    # -- exploration ----------------------------------------------------------------------------
    def cypher(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        if not isinstance(query, str) or not query.strip():
            raise ValueError("the Cypher query is empty")
        return self._run(query, params or {}, write=write)


__all__ = ["TYPES_PER_STATEMENT", "CypherGraphStore"]
