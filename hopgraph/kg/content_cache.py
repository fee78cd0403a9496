"""On-disk caches of a store's content (the retrieval graph index, the KB reasoner's graph).

A cache file is named by a key that hashes the store's node and edge counts, a *write
generation* and whatever the caller adds (its format, an embedding model). The generation is a
counter in ``cache_dir/generation`` that every write through :class:`hopgraph.HopGraph` bumps
(:func:`bump_generation`), so an edit that keeps every count, such as renaming an entity with
``hopgraph cypher --write``, still invalidates the caches. A writer that bypasses hopgraph
(another client of a shared FalkorDB, a remote Neo4j) is caught only by the counts; that is why
the reasoners also check every path they return in the store itself.

Files are written atomically (temporary file, then rename) and replace the older files of
their family.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from hopgraph.kg.base import GraphStore
from hopgraph.util.paths import write_atomic

log = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_FILE = "generation"

_COUNTS = (
    "MATCH (n:Document) RETURN count(n) AS n",
    "MATCH (n:Chunk) RETURN count(n) AS n",
    "MATCH (n:Entity) RETURN count(n) AS n",
    "MATCH ()-[r]->() RETURN count(r) AS n",
    "MATCH (e:Entity) WHERE e.embedding IS NULL RETURN count(e) AS n",
)


def read_generation(cache_dir: Path | None) -> int:
    """The write generation recorded in ``cache_dir`` (0 when none was)."""
    if cache_dir is None:
        return 0
    try:
        return int((Path(cache_dir) / GENERATION_FILE).read_text().strip() or 0)
    except (OSError, ValueError):  # none yet, or unreadable: as if no write was recorded
        return 0


def bump_generation(cache_dir: Path) -> None:
    """Record that the graph behind ``cache_dir`` was written to (every cache key changes). A
    folder that cannot be written gets a warning, not an error: the write to the graph matters
    more, and the counts in the keys and the path checks in the store still guard the caches."""
    path = Path(cache_dir) / GENERATION_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, str(read_generation(cache_dir) + 1))
    except OSError as exc:
        log.warning("cannot record the graph write in %s (%s): caches there may be reused", path, exc)


def content_key(store: GraphStore, cache_dir: Path | None, *extra: Any) -> str:
    """A short hash of ``extra``, the store's backend, its node and edge counts (cheap count
    queries) and the write generation in ``cache_dir``."""
    parts: list[Any] = [*extra, store.name, read_generation(cache_dir)]
    for query in _COUNTS:
        rows = store.cypher(query)
        parts.append(int(next(iter(rows[0].values()))) if rows else 0)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def load_arrays(path: Path | None, what: str, build: Callable[[Any], T]) -> T | None:
    """``build`` of the ``.npz`` file at ``path`` (its arrays as ``np.load`` opens them, no
    pickles); None when there is no such file, or when it cannot be read or built: a damaged
    cache is logged as ``what`` and built again by the caller."""
    if path is None or not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return build(data)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable %s cache %s: %s", what, path, exc)
        return None


def newest_arrays(
    cache_dir: Path, family: str, *, model: str, formats: tuple[str, ...], names: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """The arrays ``names`` of the newest ``family*.npz`` file in ``cache_dir`` when it was written
    by ``model`` in one of ``formats`` (its ``model`` and ``format`` arrays), else {}: what a
    rebuild of a stale cache may reuse. An unreadable file gives {}."""
    files = sorted(Path(cache_dir).glob(f"{family}*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not files:
        return {}
    try:
        with np.load(files[0], allow_pickle=False) as data:
            made_by, form = (str(data[k]) if k in data.files else "" for k in ("model", "format"))
            if made_by != model or form not in formats:
                return {}
            return {name: data[name] for name in names}
    except (OSError, ValueError, KeyError):
        return {}


def save_arrays(path: Path, arrays: dict[str, np.ndarray], family: str) -> bool:
    """Write ``arrays`` to ``path`` (``.npz``) atomically, then remove the other ``family*.npz``
    files next to it (older versions of the same cache). A cache that cannot be written (a
    read-only folder, a full disk) is logged and skipped: False."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{family}", suffix=".npz", dir=path.parent)
    except OSError as exc:
        log.warning("not caching %s (%s)", path, exc)
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        log.warning("not caching %s (%s)", path, exc)
        return False
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"{family}*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    return True
