"""The factory that opens the store ``[store] backend`` names (FalkorDB or Neo4j)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hopgraph.config import StoreSettings, secret
from hopgraph.errors import ConfigError
from hopgraph.kg.base import GraphStore


def _open_falkordb(settings: StoreSettings, folder: Path | None) -> GraphStore:
    from hopgraph.kg.falkordb.store import FalkorDBStore

    common = {
        "graph_name": settings.graph_name,
        "batch_size": settings.batch_size,
        "query_timeout_ms": settings.query_timeout_ms,
    }
    if settings.url:
        return FalkorDBStore(url=settings.url, **common)  # type: ignore[arg-type]
    if folder is None:
        raise ConfigError(
            "the embedded FalkorDB store needs a graph folder (--graph DIR), or set [store] url"
        )
    return FalkorDBStore(folder, **common)  # type: ignore[arg-type]


def _open_neo4j(settings: StoreSettings, folder: Path | None) -> GraphStore:
    if not settings.uri:
        raise ConfigError("the neo4j store needs [store] uri (or NEO4J_URI), e.g. neo4j://localhost:7687")
    try:
        from hopgraph.kg.neo4j import Neo4jStore
    except ImportError as exc:
        raise ConfigError(
            f"the neo4j store needs the neo4j driver: pip install 'hopgraph[neo4j]' ({exc})"
        ) from None
    return Neo4jStore(
        settings.uri,
        user=secret(settings.user_env, required=False) or "neo4j",
        password=secret(settings.password_env, required=False),
        database=settings.database,
        batch_size=settings.batch_size,
        query_timeout_ms=settings.query_timeout_ms,
    )


BACKENDS: dict[str, Callable[[StoreSettings, Path | None], GraphStore]] = {
    "falkordb": _open_falkordb,
    "neo4j": _open_neo4j,
}


def open_store(settings: StoreSettings, folder: str | Path | None = None) -> GraphStore:
    """Open the store that ``settings.backend`` names; ``folder`` is the graph folder."""
    try:
        opener = BACKENDS[settings.backend]
    except KeyError:
        raise ConfigError(
            f"unknown store backend {settings.backend!r}; valid: {', '.join(sorted(BACKENDS))}"
        ) from None
    return opener(settings, Path(folder) if folder is not None else None)


__all__ = ["BACKENDS", "open_store"]
