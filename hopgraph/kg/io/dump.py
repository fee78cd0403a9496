"""A whole graph as JSON lines, and back: the backup and move format (``hopgraph dump`` / ``restore``).

Format (UTF-8, one JSON object per line; gzip-compressed when the file name ends in ``.gz``)::

    {"format": "hopgraph-dump", "version": 1, "backend": "falkordb", "nodes": N, "relationships": M}
    {"node": 0, "labels": ["Document"], "properties": {"id": "d…", "source": "…", "title": "…", …}}
    {"node": 1, "labels": ["Chunk"], "properties": {"id": "c…", "text": "…", "embedding": [0.1, …]}}
    …
    {"rel": 0, "type": "HAS_CHUNK", "start": 0, "end": 1, "properties": {}}
    {"rel": 7, "type": "DIRECTED_BY", "start": 5, "end": 6, "properties": {"predicate": "directed by", …}}
    {"end": true, "nodes": N, "relationships": M}

Every node with all its labels and properties, every relationship with its type and properties
(provenance lists, the predicate's wording, confidence), embeddings included, written as the
float32 values the store holds, so a restore is exact. ``node``/``start``/``end`` numbers refer
to nodes within the file only. Nodes a user added in Cypher with other labels round-trip too.
The ``embedding`` of ``Entity`` and ``Chunk`` nodes is restored as a vector (with its index); any
other list stays a list. Not in a dump: the job state (``jobs.sqlite``), the LLM cache and the
caches under ``cache/`` (they are rebuilt or re-derived), and the store's settings.

Restoring is all or nothing on bad input: the whole file is checked before anything is written,
and only into an empty graph. While it writes, the graph holds one ``RestoreInProgress`` node
(written first, removed last): a restore cut off part-way (``kill -9`` of hopgraph or of the
server) leaves it behind, so the next restore knows the nodes it finds are its own partial work,
empties the graph and starts over, and other writes (ingest, import, delete) refuse such a graph
with :class:`RestoreCutOffError` until the restore has been run again.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hopgraph.errors import ImportFormatError, RestoreCutOffError, StoreError
from hopgraph.kg.base import GraphStore
from hopgraph.util.batching import batched

FORMAT = "hopgraph-dump"
log = logging.getLogger(__name__)

VERSION = 1
PAGE = 2000
"""Nodes or relationships read per query when dumping, and written per statement when restoring."""
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
"""The labels and relationship types a dump may hold (they are interpolated into Cypher)."""
KEYED_LABELS = ("Entity", "Chunk", "Document")
"""Labels whose nodes are found by their indexed ``id`` when relationships are restored."""
VECTOR_LABELS = ("Entity", "Chunk")
RESTORE_REF = "_hopgraph_restore_ref"
"""Temporary property that identifies the other nodes while their relationships are restored."""


RESTORE_MARK = "RestoreInProgress"
"""Label of the node that marks a restore in progress (see the module docstring)."""


class GraphNotEmptyError(StoreError):
    """A restore was asked into a graph that already holds nodes."""


def restore_cut_off(store: GraphStore) -> str | None:
    """The dump file of a restore into ``store`` that was cut off part-way, or None."""
    rows = store.cypher(f"MATCH (m:{RESTORE_MARK}) RETURN m.file AS file LIMIT 1")
    return str(rows[0]["file"]) if rows else None


def check_not_cut_off(store: GraphStore) -> None:
    """Raise :class:`RestoreCutOffError` when a restore into ``store`` was cut off part-way."""
    file = restore_cut_off(store)
    if file is not None:
        raise RestoreCutOffError(
            f"this graph holds part of a restore of {file} that was cut off; run the restore again "
            f"(hopgraph restore {file} --graph DIR: it empties the graph and starts over)"
        )


@dataclass(frozen=True, slots=True)
class DumpReport:
    """What a dump or a restore did."""

    path: str
    nodes: int
    relationships: int
    embeddings: int
    seconds: float


def _open(path: Path, mode: str, *, compressed: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if compressed is None else compressed:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def _pages(store: GraphStore, query: str) -> Iterator[dict[str, Any]]:
    after = -1
    while True:
        rows = store.cypher(query, {"after": after, "n": PAGE})
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1]["ref"]


def dump_graph(store: GraphStore, path: str | Path) -> DumpReport:
    """Write every node and relationship of ``store`` to ``path`` (see the module docstring)."""
    started = time.monotonic()
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    nodes = relationships = embeddings = 0
    with _open(partial, "w", compressed=target.suffix == ".gz") as out:
        out.write(_line({"format": FORMAT, "version": VERSION, "backend": store.name}))
        for row in _pages(
            store,
            "MATCH (n) WHERE id(n) > $after "
            "RETURN id(n) AS ref, labels(n) AS labels, properties(n) AS props ORDER BY ref LIMIT $n",
        ):
            props = row["props"] or {}
            embeddings += isinstance(props.get("embedding"), list)
            out.write(_line({"node": row["ref"], "labels": sorted(row["labels"]), "properties": props}))
            nodes += 1
        for row in _pages(
            store,
            "MATCH (a)-[r]->(b) WHERE id(r) > $after RETURN id(r) AS ref, type(r) AS type, "
            "id(a) AS start, id(b) AS end, properties(r) AS props ORDER BY ref LIMIT $n",
        ):
            out.write(
                _line(
                    {
                        "rel": row["ref"],
                        "type": row["type"],
                        "start": row["start"],
                        "end": row["end"],
                        "properties": row["props"] or {},
                    }
                )
            )
            relationships += 1
        out.write(_line({"end": True, "nodes": nodes, "relationships": relationships}))
    partial.replace(target)  # a dump cut short never passes for a whole one
    return DumpReport(str(target), nodes, relationships, embeddings, time.monotonic() - started)


# -- restore ------------------------------------------------------------------------------------
def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with _open(path, "r") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ImportFormatError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
                if not isinstance(value, dict):
                    raise ImportFormatError(f"{path}:{number}: expected a JSON object")
                yield number, value
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ImportFormatError(f"{path}: cannot read the dump: {exc}") from None


def _check_name(path: Path, number: int, name: Any, what: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise ImportFormatError(f"{path}:{number}: invalid {what} {name!r} (expected {NAME.pattern})")
    return name


def _check_props(path: Path, number: int, props: Any) -> dict[str, Any]:
    if not isinstance(props, dict) or not all(isinstance(k, str) and k and "`" not in k for k in props):
        raise ImportFormatError(f"{path}:{number}: properties must be an object with plain string keys")
    return props


def validate_dump(path: str | Path) -> tuple[int, int]:
    """Check a whole dump file without writing anything; returns (nodes, relationships).

    Raises :class:`ImportFormatError` naming the file and line of the first problem."""
    p = Path(path)
    nodes: set[int] = set()
    relationships = 0
    header = end = False
    for number, record in _records(p):
        if not header:
            if record.get("format") != FORMAT:
                raise ImportFormatError(f"{p}:{number}: not a hopgraph dump (no {FORMAT!r} header line)")
            if record.get("version") != VERSION:
                raise ImportFormatError(
                    f"{p}:{number}: dump version {record.get('version')!r}; this hopgraph reads {VERSION}"
                )
            header = True
        elif end:
            raise ImportFormatError(f"{p}:{number}: data after the end line")
        elif "node" in record:
            ref = record["node"]
            if not isinstance(ref, int) or ref in nodes:
                raise ImportFormatError(f"{p}:{number}: node number {ref!r} is not a new whole number")
            labels = record.get("labels")
            if not isinstance(labels, list):
                raise ImportFormatError(f"{p}:{number}: node labels must be a list")
            for label in labels:
                _check_name(p, number, label, "label")
            _check_props(p, number, record.get("properties"))
            nodes.add(ref)
        elif "rel" in record:
            _check_name(p, number, record.get("type"), "relationship type")
            for side in ("start", "end"):
                if record.get(side) not in nodes:
                    raise ImportFormatError(
                        f"{p}:{number}: relationship {side} {record.get(side)!r} is no node"
                    )
            _check_props(p, number, record.get("properties"))
            relationships += 1
        elif record.get("end") is True:
            if record.get("nodes") != len(nodes) or record.get("relationships") != relationships:
                raise ImportFormatError(
                    f"{p}:{number}: the end line counts {record.get('nodes')} nodes and "
                    f"{record.get('relationships')} relationships; "
                    f"the file holds {len(nodes)} and {relationships}"
                )
            end = True
        else:
            raise ImportFormatError(f"{p}:{number}: neither a node, a relationship nor the end line")
    if not header:
        raise ImportFormatError(f"{p}: empty file, not a hopgraph dump")
    if not end:
        raise ImportFormatError(f"{p}: the dump is cut short (no end line)")
    return len(nodes), relationships


def _key_of(labels: list[str], props: dict[str, Any]) -> tuple[str, Any] | None:
    """(label, id) for a node found by its indexed id, else None."""
    for label in KEYED_LABELS:
        if label in labels and isinstance(props.get("id"), str):
            return label, props["id"]
    return None


def restore_graph(store: GraphStore, path: str | Path) -> DumpReport:
    """Write the graph in the dump ``path`` into the empty ``store``; returns what was restored."""
    started = time.monotonic()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "no such dump file", str(p))
    validate_dump(p)
    present = store.cypher("MATCH (n) RETURN count(n) AS n")[0]["n"]
    if present and restore_cut_off(store) is not None:
        log.warning("a restore into this graph was cut off part-way: emptying it and starting over")
        store.clear()
    elif present:
        raise GraphNotEmptyError(
            f"the graph already holds {present:,} nodes; restore into a new graph folder "
            "(or empty this one first)"
        )
    store.cypher(f"CREATE (:{RESTORE_MARK} {{file: $file}})", {"file": str(p)}, write=True)
    where: dict[int, tuple[str, Any]] = {}  # node number -> (label, id) or ("", restore ref)
    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    vectors: dict[str, dict[str, list[float]]] = defaultdict(dict)
    by_type: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    nodes = relationships = 0

    def flush_nodes(force: bool = False) -> None:
        for labels, rows in list(by_labels.items()):
            if rows and (force or len(rows) >= PAGE):
                label_text = "".join(f":{label}" for label in labels)
                store.cypher(
                    f"UNWIND $rows AS r CREATE (n{label_text}) SET n = r", {"rows": rows}, write=True
                )
                rows.clear()

    def flush_relationships(force: bool = False) -> None:
        for (rel_type, start, end), rows in list(by_type.items()):
            if rows and (force or len(rows) >= PAGE):
                store.cypher(
                    f"UNWIND $rows AS r MATCH (a{_match(start, 'r.a')}) MATCH (b{_match(end, 'r.b')}) "
                    f"CREATE (a)-[x:{rel_type}]->(b) SET x = r.p",
                    {"rows": rows},
                    write=True,
                )
                rows.clear()

    for _, record in _records(p):
        if "node" in record:
            labels, props = sorted(record["labels"]), dict(record["properties"])
            key = _key_of(labels, props)
            vector = isinstance(props.get("embedding"), list)
            if key is not None and key[0] in VECTOR_LABELS and vector:
                vectors[key[0]][key[1]] = props.pop("embedding")
            if key is None:
                props[RESTORE_REF] = record["node"]
                key = ("", record["node"])
            where[record["node"]] = key
            by_labels[tuple(labels)].append(props)
            nodes += 1
            flush_nodes()
        elif "rel" in record:
            start, end = where[record["start"]], where[record["end"]]
            by_type[(record["type"], start[0], end[0])].append(
                {"a": start[1], "b": end[1], "p": record["properties"]}
            )
            relationships += 1
            if relationships % PAGE == 0:
                flush_nodes(force=True)
                flush_relationships()
    flush_nodes(force=True)
    flush_relationships(force=True)
    store.cypher(f"MATCH (n) WHERE n.{RESTORE_REF} IS NOT NULL SET n.{RESTORE_REF} = null", write=True)
    embedded = 0
    for label, by_id in vectors.items():
        for batch in batched(list(by_id.items()), PAGE):
            embedded += store.set_embeddings(label, dict(batch))  # type: ignore[arg-type]
    store.cypher(f"MATCH (m:{RESTORE_MARK}) DELETE m", write=True)  # the last write: the restore is whole
    return DumpReport(str(p), nodes, relationships, embedded, time.monotonic() - started)


def _match(kind: str, expr: str) -> str:
    """The pattern that finds a restored node: by indexed id, else by its restore reference."""
    if kind:
        return f":{kind} {{id: {expr}}}"
    return f" {{{RESTORE_REF}: {expr}}}"


__all__ = [
    "RESTORE_MARK",
    "DumpReport",
    "GraphNotEmptyError",
    "RestoreCutOffError",
    "check_not_cut_off",
    "dump_graph",
    "restore_cut_off",
    "restore_graph",
    "validate_dump",
]
