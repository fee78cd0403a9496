"""A graph's content as comparable sets, read from a ``hopgraph dump`` file (node numbers differ
between two dumps of equal graphs; this view leaves them out)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def _records(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def graph_content(path: str | Path) -> tuple[list[str], list[str]]:
    """(sorted nodes, sorted relationships), each a canonical JSON string; a relationship names its
    ends by their labels and ``id`` (or all their properties when they have none)."""
    records = _records(Path(path))
    nodes = {r["node"]: r for r in records if "node" in r}

    def end(ref: int) -> Any:
        node = nodes[ref]
        return [node["labels"], node["properties"].get("id", node["properties"])]

    node_lines = sorted(json.dumps([n["labels"], n["properties"]], sort_keys=True) for n in nodes.values())
    rel_lines = sorted(
        json.dumps([r["type"], end(r["start"]), end(r["end"]), r["properties"]], sort_keys=True)
        for r in records
        if "rel" in r
    )
    return node_lines, rel_lines
