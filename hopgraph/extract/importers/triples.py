"""Importers of already-extracted triples (TSV, RDF) and the driver that writes them to a store.

Formats:

- ``tsv``: one ``subject|relation|object`` per line (MetaQA's ``kb.txt``) or tab-separated
  ``subject<TAB>relation<TAB>object``. The delimiter is chosen per file from its first data line
  (tab if it holds exactly two tabs, else ``|``). Blank lines and lines starting with ``#`` are
  skipped; every other line must split into exactly three non-empty parts.
- ``rdf``: Turtle, N-Triples, N3, RDF/XML, JSON-LD, N-Quads or TriG via rdflib, chosen by suffix
  or by ``rdf_format``; names are mapped as :func:`hopgraph.kg.io.rdf.triples_from_rdf` says.

All or nothing on bad input: :func:`import_triples` checks the whole file before it writes
anything. For TSV that is a fast validation pass over the text (about a second per million
lines) which collects *every* malformed line and raises one :class:`ImportFormatError` listing
the first 20 with their line numbers; an RDF file is parsed completely before the first write.
A store failure part-way through an import leaves the batches written so far in place: re-running
the import is idempotent, and ``store.delete_document(report.doc_id)`` removes the partial import.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hopgraph.errors import ImportFormatError
from hopgraph.kg.base import GraphStore
from hopgraph.kg.io.rdf import entities_from_rdf, parse_rdf, triples_from_rdf
from hopgraph.types import Document, Entity, Triple
from hopgraph.util.batching import batched

FORMATS = ("tsv", "rdf")
"""The values ``import_triples(format=...)`` accepts."""

MAX_REPORTED_ERRORS = 20
DEFAULT_BATCH_SIZE = 20_000
"""Triples per ``upsert_triples`` call (one progress report each). The store splits each call
into ``UNWIND`` statements of its own ``batch_size`` rows; bigger calls mean fewer statements
per relationship type, which is what the write time scales with."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one ``import_triples`` call did."""

    path: str
    format: str
    doc_id: str
    triples: int
    """Triples read from the file (duplicates included; the store merges them)."""
    batches: int
    seconds: float


# -- TSV ------------------------------------------------------------------------------------------
def _existing_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        reason = "is not a file" if p.exists() else "does not exist"
        raise FileNotFoundError(errno.ENOENT, f"triples file {reason}", str(p))
    return p


def _tsv_rows(path: Path) -> Iterator[tuple[int, list[str] | str]]:
    """``(line number, parts)`` for each data line, or ``(line number, error text)`` for a bad one."""
    delimiter: str | None = None
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
                continue
            line = line.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if delimiter is None:
                delimiter = "\t" if line.count("\t") == 2 else "|"
            parts = [part.strip() for part in line.split(delimiter)]
            if len(parts) != 3 or not all(parts):
                shown = "TAB" if delimiter == "\t" else "|"
                yield (
                    number,
                    (f"expected 3 non-empty parts separated by {shown}, got {len(parts)}: {_clip(line)!r}"),
                )
                continue
            yield number, parts


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def read_tsv(path: str | Path, *, doc_id: str = "") -> Iterator[Triple]:
    """Stream the triples of a ``s|r|o`` or tab-separated file.

    Lazy: a malformed line raises :class:`ImportFormatError` (file and line number) when the
    iteration reaches it. Use :func:`validate_tsv` first to find every bad line up front.
    """
    p = _existing_file(path)
    for number, row in _tsv_rows(p):
        if isinstance(row, str):
            raise ImportFormatError(f"{p}:{number}: {row}")
        yield Triple(row[0], row[1], row[2], doc_id=doc_id)


def validate_tsv(path: str | Path) -> int:
    """Check every line of a TSV triples file without storing anything; returns the triple count.

    Raises one :class:`ImportFormatError` naming the file, the number of bad lines and the
    first 20 of them (``line N: what is wrong``).
    """
    p = _existing_file(path)
    good = 0
    bad: list[str] = []
    n_bad = 0
    for number, row in _tsv_rows(p):
        if isinstance(row, str):
            n_bad += 1
            if len(bad) < MAX_REPORTED_ERRORS:
                bad.append(f"  line {number}: {row}")
        else:
            good += 1
    if n_bad:
        more = f"\n  ... and {n_bad - len(bad)} more" if n_bad > len(bad) else ""
        raise ImportFormatError(
            f"{p}: {n_bad} malformed line(s); nothing was imported. Fix them or comment them out "
            f"with '#':\n" + "\n".join(bad) + more
        )
    return good


# -- RDF ------------------------------------------------------------------------------------------
def read_rdf(path: str | Path, *, format: str | None = None, doc_id: str = "") -> Iterator[Triple]:
    """The triples of an RDF file (format by suffix unless given).

    rdflib parses the whole file into memory first, so a parse error (an
    :class:`ImportFormatError` naming the file) surfaces before the first triple is yielded.
    """
    graph = parse_rdf(_existing_file(path), format)
    return triples_from_rdf(graph, doc_id=doc_id)


# -- driver ---------------------------------------------------------------------------------------
def import_triples(
    store: GraphStore,
    path: str | Path,
    *,
    format: str = "tsv",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    rdf_format: str | None = None,
) -> ImportReport:
    """Import a file of triples into ``store`` as one Document.

    The file becomes ``Document(source=<resolved path>, title=<file name>)`` and every triple
    carries its id, so ``store.delete_document(report.doc_id)`` removes exactly this file's
    contribution, and importing the same file again changes nothing. The file is validated in
    full before anything is written (see the module docstring). Triples are written in calls of
    ``batch_size`` to ``store.upsert_triples``; ``progress(triples_so_far)`` runs after each.
    ``rdf_format`` names the RDF syntax when the suffix does not tell it.
    """
    if format not in FORMATS:
        raise ImportFormatError(f"unknown import format {format!r}; valid: {', '.join(FORMATS)}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    started = time.perf_counter()
    file = _existing_file(path).resolve()
    doc = Document(source=str(file), title=file.name, metadata={"kind": "import", "format": format})
    triples: Iterable[Triple]
    entities: list[Entity] = []
    if format == "tsv":
        validate_tsv(file)
        triples = read_tsv(file, doc_id=doc.id)
    else:
        graph = parse_rdf(file, rdf_format)
        triples = triples_from_rdf(graph, doc_id=doc.id)
        entities = list(entities_from_rdf(graph))  # entities without relations, aliases, types
    store.upsert_documents([doc])
    count = batches = 0
    for batch in batched(triples, batch_size):
        store.upsert_triples(batch)
        count += len(batch)
        batches += 1
        if progress is not None:
            progress(count)
    for group in batched(entities, batch_size):
        store.upsert_entities(group, doc_id=doc.id)
    return ImportReport(
        path=str(file),
        format=format,
        doc_id=doc.id,
        triples=count,
        batches=batches,
        seconds=time.perf_counter() - started,
    )


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FORMATS",
    "ImportReport",
    "import_triples",
    "read_rdf",
    "read_tsv",
    "validate_tsv",
]
