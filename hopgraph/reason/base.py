"""What both question pipelines share: the answerer protocol, the path-in-store check, the
citation labels and the weights-file I/O of their scorers.

Light on purpose (torch loads only inside the weights functions), so the API, the renderers and
the command line can import it without loading a model.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from hopgraph.errors import ConfigError
from hopgraph.ids import relation_type
from hopgraph.kg.base import GraphStore
from hopgraph.types import Answer, Hop, ReasoningPath


class QuestionAnswerer(Protocol):
    """What :meth:`hopgraph.HopGraph.ask` delegates to: the document pipeline or the KB reasoner."""

    def ask(self, question: str, method: str = "full", *, k: int | None = None) -> Answer: ...


# -- citation labels ----------------------------------------------------------------------------
def path_label(i: int) -> str:
    """The label of the ``i``-th reasoning path (1-based): ``P1``, ``P2``, ..."""
    return f"P{i}"


def chunk_label(i: int) -> str:
    """The label of the ``i``-th cited passage (1-based): ``C1``, ``C2``, ..."""
    return f"C{i}"


def path_prefixes(paths: Iterable[ReasoningPath]) -> set[tuple[Hop, ...]]:
    """The hops of every proper prefix of ``paths`` (a path's shorter paths from the same start)."""
    return {p.hops[:n] for p in paths for n in range(1, len(p.hops))}


# -- the path-in-store check --------------------------------------------------------------------
StoredKey = tuple[str, str, str]
"""``(source id, relationship type, target id)`` of a stored relation."""


def stored_key(hop: Hop) -> StoredKey:
    """The stored relation a hop walks, by the entity ids the path was read with (never ids
    derived again from the names shown: an entity renamed in Cypher keeps its id). The type is
    the stored relationship type when the hop carries it, else the sanitised predicate."""
    source, target = (hop.target_id, hop.source_id) if hop.inverse else (hop.source_id, hop.target_id)
    return source, hop.type or relation_type(hop.predicate), target


def paths_in_store(store: GraphStore, paths: Sequence[ReasoningPath]) -> list[bool]:
    """For each path, whether the store holds every hop (by :func:`stored_key`) with at least the
    hop's provenance chunks. A hop without stored ids cannot be checked: its path is not held.
    One read for all paths."""
    keys = {stored_key(hop) for path in paths for hop in path.hops}
    keys = {k for k in keys if k[0] and k[2]}
    stored: dict[StoredKey, set[str]] = {}
    if keys:
        for r in store.get_relations(keys):
            stored.setdefault((r.source, r.type, r.target), set()).update(r.chunk_ids)
    return [all(_holds(stored, hop) for hop in path.hops) for path in paths]


def _holds(stored: dict[StoredKey, set[str]], hop: Hop) -> bool:
    key = stored_key(hop)
    return key in stored and set(hop.chunk_ids) <= stored[key]


# -- weights files ------------------------------------------------------------------------------
def save_weights(path: str | Path, fmt: str, fields: dict[str, Any], meta: dict[str, Any] | None) -> None:
    """``{"format": fmt, **fields, "meta": meta}`` in one file, loadable with ``weights_only=True``
    (plain containers and tensors only: nothing saved names a module path)."""
    import torch

    torch.save({"format": fmt, **fields, "meta": dict(meta or {})}, str(path))


def load_weights(path: str | Path, fmt: str, *, what: str, train: str) -> dict[str, Any]:
    """The payload :func:`save_weights` wrote. ``what`` names the file in errors ("doc scorer"),
    ``train`` the command that writes one. A missing file, a file that is not a weights file or
    one of another format is a :class:`~hopgraph.errors.ConfigError` saying what to do."""
    import torch

    try:
        payload = torch.load(str(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ConfigError(f"no weights file at {path}; train one with '{train}'") from None
    except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
        raise ConfigError(f"{path} is not a hopgraph {what} weights file: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        raise ConfigError(
            f"{path} is not a hopgraph {what} weights file of this version (format {fmt}): "
            f"retrain it with '{train}'"
        )
    return payload


__all__ = [
    "QuestionAnswerer",
    "StoredKey",
    "chunk_label",
    "load_weights",
    "path_label",
    "paths_in_store",
    "save_weights",
    "stored_key",
]
