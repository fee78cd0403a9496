"""Deleting documents: the graph's contribution and the job state's rows, together.

``hopgraph delete`` and :meth:`HopGraph.delete_document` both call :func:`delete_documents`, so a
deleted document is forgotten by the job state too and the next ingest of it extracts it again.
A document is named by its id or by the ``source`` it shows (a file path, relative or absolute, or
``FILE#KEY`` for a record of a JSON corpus); the path of a JSON corpus names all its records. A
name that matches nothing is a :class:`~hopgraph.errors.DocumentNotFoundError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hopgraph.errors import DocumentNotFoundError
from hopgraph.extract.jobs.state import JobState
from hopgraph.kg.base import DeleteCounts, GraphStore


@dataclass(frozen=True, slots=True)
class DeletedDocument:
    doc_id: str
    counts: DeleteCounts
    state_rows: int
    """Chunk rows the job state forgot."""


def _spellings(given: str) -> list[str]:
    """``given`` as written and, when it names a path, as the absolute path the loader records."""
    out = [given]
    path, sep, key = given.partition("#")
    try:
        absolute = str(Path(path).expanduser().resolve())
    except (OSError, RuntimeError):
        return out
    out.append(absolute + sep + key)
    return list(dict.fromkeys(out))


def find_documents(store: GraphStore, given: str, state: JobState | None = None) -> list[str]:
    """The ids of the documents ``given`` names (an id, a source, or a JSON corpus path), in the
    store or in the job state; raises :class:`DocumentNotFoundError` when there are none."""
    if not given or not given.strip():
        raise DocumentNotFoundError("no document given: name one by its id or its source path")
    names = _spellings(given)
    rows = store.cypher(
        "MATCH (d:Document) WHERE d.id = $id OR d.source IN $names OR d.path IN $names "
        "RETURN d.id AS id ORDER BY id",
        {"id": given, "names": names},
        write=False,
    )
    ids = [str(r["id"]) for r in rows]
    if state is not None:
        if state.document(given) is not None:
            ids.append(given)
        for name in names:
            ids.extend(row.doc_id for row in state.documents_by_source(name))
    ids = list(dict.fromkeys(ids))
    if not ids:
        where = " or its job state" if state is not None else ""
        raise DocumentNotFoundError(
            f"no document {given!r} in the graph{where}: name a document by its id or by the source "
            "it shows (MATCH (d:Document) RETURN d.id, d.source)"
        )
    return ids


def delete_documents(
    store: GraphStore, given: str, *, state_path: Path | None = None
) -> list[DeletedDocument]:
    """Delete every document ``given`` names from ``store`` and from the job state at ``state_path``
    (when that file exists). Raises :class:`DocumentNotFoundError` when ``given`` names none."""
    state = JobState.open(state_path) if state_path is not None and state_path.is_file() else None
    try:
        deleted = []
        for doc_id in find_documents(store, given, state):
            # the state first: a crash in between leaves a document the state forgot, which the next
            # delete finds in the graph and the next ingest extracts again; never a document the
            # state still lists as done while the graph lost it (an ingest would then skip it)
            rows = state.forget_document(doc_id) if state is not None else 0
            counts = store.delete_document(doc_id)
            deleted.append(DeletedDocument(doc_id, counts, rows))
        return deleted
    finally:
        if state is not None:
            state.close()


__all__ = ["DeletedDocument", "delete_documents", "find_documents"]
