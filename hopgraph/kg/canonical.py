"""A graph's canonical form: what "the same graph" means when a resumed job is compared with a clean one.

Two graphs are the same when their canonical forms are equal:

- **nodes**: every node's labels and properties: documents (id, source, title, metadata), chunks
  (id, doc_id, ord, text), entities (id, name, type, aliases, provenance lists);
- **edges**: every relationship as (start labels, start id, type, end id, properties): relations
  with their endpoints, type, predicate, confidence and provenance (``chunk_ids``, ``doc_ids``),
  and the structural edges ``HAS_CHUNK`` and ``MENTIONS``.

List properties are compared as sorted lists (aliases and provenance lists are sets whose order
records only the order of writes), so a duplicate inside a list still shows. Edges and nodes are
multisets: a duplicated node or edge is a difference. Embedding vectors are compared by presence
and dimension only (their last bits depend on how the embedding batches were cut).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hopgraph.kg.base import GraphStore

SECTIONS = ("Document", "Chunk", "Entity", "other nodes", "HAS_CHUNK", "MENTIONS", "relations")


def _value(key: str, value: Any) -> Any:
    if key == "embedding" and isinstance(value, list | tuple):
        return f"<{len(value)} floats>"
    if isinstance(value, list | tuple):
        items = [_value("", v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(k, v) for k, v in sorted((props or {}).items())}


def canonical_graph(store: GraphStore) -> dict[str, list[str]]:
    """Every node and edge of ``store`` as sorted JSON lines, one list per section (see :data:`SECTIONS`)."""
    out: dict[str, list[str]] = {s: [] for s in SECTIONS}
    for row in store.cypher("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p", write=False):
        labels = sorted(row["labels"])
        section = next((label for label in ("Document", "Chunk", "Entity") if label in labels), "other nodes")
        out[section].append(json.dumps([labels, _props(row["p"])], sort_keys=True, default=str))
    edges = store.cypher(
        "MATCH (a)-[r]->(b) RETURN labels(a) AS la, a.id AS a, type(r) AS t, labels(b) AS lb, b.id AS b, "
        "properties(r) AS p",
        write=False,
    )
    for row in edges:
        kind = row["t"] if row["t"] in ("HAS_CHUNK", "MENTIONS") else "relations"
        record = [sorted(row["la"]), row["a"], row["t"], sorted(row["lb"]), row["b"], _props(row["p"])]
        out[kind].append(json.dumps(record, sort_keys=True, default=str))
    return {section: sorted(lines) for section, lines in out.items()}


def graph_diff(a: dict[str, list[str]], b: dict[str, list[str]], *, limit: int = 10) -> list[str]:
    """Human-readable differences between two canonical forms (empty: the same graph).

    One line per section that differs (counts), then up to ``limit`` lines of what is only in
    ``a`` (``-``) or only in ``b`` (``+``).
    """
    lines: list[str] = []
    for section in SECTIONS:
        left, right = Counter(a.get(section, [])), Counter(b.get(section, []))
        only_a, only_b = sorted((left - right).elements()), sorted((right - left).elements())
        if not only_a and not only_b:
            continue
        lines.append(
            f"{section}: {sum(left.values())} vs {sum(right.values())} "
            f"({len(only_a)} only in the first, {len(only_b)} only in the second)"
        )
        lines.extend(f"  - {x}" for x in only_a[:limit])
        lines.extend(f"  + {x}" for x in only_b[:limit])
    return lines


def counts(form: dict[str, list[str]]) -> dict[str, int]:
    """How many records each section of a canonical form holds."""
    return {section: len(lines) for section, lines in form.items()}


__all__ = ["SECTIONS", "canonical_graph", "counts", "graph_diff"]
