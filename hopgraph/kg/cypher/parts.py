"""Pieces of Cypher shared by the store's writes and entity merging, and the backend primitive's type."""

from __future__ import annotations

import re
from typing import Any, Protocol


class RunCypher(Protocol):
    """A backend's ``_run``: one statement, its parameters, read or write; the rows as dicts."""

    def __call__(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool, timeout_s: float | None = None
    ) -> list[dict[str, Any]]: ...


def merge_provenance(rel: str, predicate: str, chunk_ids: str, doc_ids: str, confidence: str) -> str:
    """``ON CREATE``/``ON MATCH`` clauses that merge incoming values into the relationship ``rel``.

    A new relationship takes the values; an existing one keeps its predicate, gains the chunk and
    document ids it lacks (set-like, so writing twice adds nothing) and keeps the higher confidence.
    The arguments are Cypher expressions (``"r.c"``); nothing is interpolated from data.
    """
    return (
        f"ON CREATE SET {rel}.predicate = {predicate}, {rel}.chunk_ids = {chunk_ids}, "
        f"{rel}.doc_ids = {doc_ids}, {rel}.confidence = {confidence} "
        f"ON MATCH SET {rel}.chunk_ids = {rel}.chunk_ids + "
        f"[v IN {chunk_ids} WHERE NOT v IN {rel}.chunk_ids], "
        f"{rel}.doc_ids = {rel}.doc_ids + [v IN {doc_ids} WHERE NOT v IN {rel}.doc_ids], "
        f"{rel}.confidence = CASE WHEN {confidence} > {rel}.confidence THEN {confidence} "
        f"ELSE {rel}.confidence END "
    )


def count_of(rows: list[dict[str, Any]]) -> int:
    """The ``n`` column of a ``RETURN count(...) AS n`` result (0 when there is no row)."""
    return int(rows[0]["n"]) if rows and rows[0].get("n") is not None else 0


_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def query_parameters(query: str) -> list[str]:
    """The ``$names`` a Cypher query uses, in order of first use (string literals and comments skipped)."""
    names: dict[str, None] = {}
    for match in _PARAMETER.finditer(_STRINGS_AND_COMMENTS.sub(" ", query)):
        names.setdefault(match.group(1))
    return list(names)


def missing_parameters(query: str, params: dict[str, Any] | None) -> list[str]:
    """The ``$names`` ``query`` uses that ``params`` does not give."""
    given = params or {}
    return [name for name in query_parameters(query) if name not in given]


__all__ = ["RunCypher", "count_of", "merge_provenance", "missing_parameters", "query_parameters"]
