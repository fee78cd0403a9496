"""HopGraph: the facade that wires the seams together. The one public entry point."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hopgraph.config import Settings, load_settings
from hopgraph.errors import ConfigError
from hopgraph.kg import DeleteCounts, GraphStore, open_store
from hopgraph.types import GraphStats

if TYPE_CHECKING:
    from hopgraph.extract.ingest import IngestOptions
    from hopgraph.extract.progress import JobSummary


class HopGraph:
    """A knowledge graph in a folder (embedded FalkorDB) or on a server (Neo4j, remote FalkorDB).

    >>> with HopGraph.open("my-graph") as hg:          # doctest: +SKIP
    ...     hg.import_triples("kb.tsv")
    ...     hg.cypher("MATCH (e:Entity) RETURN count(e) AS n")
    """

    def __init__(self, store: GraphStore, settings: Settings, folder: Path | None = None) -> None:
        self.store = store
        self.settings = settings
        self.folder = folder

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        *,
        settings: Settings | None = None,
        **store_overrides: Any,
    ) -> HopGraph:
        """Open (creating if needed) the graph in ``folder``.

        Settings come from ``folder/hopgraph.toml`` and ``HOPGRAPH_*`` variables unless given;
        keyword arguments override ``[store]`` settings (``backend="neo4j"``, ``url=...``).
        """
        path = Path(folder) if folder is not None else None
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        if settings is None:
            settings = load_settings(path, overrides={"store": store_overrides} if store_overrides else None)
        elif store_overrides:
            settings = dataclasses.replace(
                settings, store=dataclasses.replace(settings.store, **store_overrides)
            )
        return cls(open_store(settings.store, path), settings, path)

    # -- building -------------------------------------------------------------------------------
    def import_triples(
        self,
        path: str | Path,
        *,
        format: str = "tsv",
        progress: Callable[[int], None] | None = None,
    ) -> Any:
        """Import already-extracted triples from a TSV (``s|r|o`` or tab-separated) or RDF file."""
        from hopgraph.extract.importers import import_triples

        return import_triples(self.store, path, format=format, progress=progress)

    def ingest(
        self,
        sources: str | Path | Sequence[str | Path],
        *,
        options: IngestOptions | None = None,
        state_path: str | Path | None = None,
        progress: TextIO | None = None,
        **option_values: Any,
    ) -> JobSummary:
        """Run a resumable extraction job over files, folders or globs; returns its JobSummary.

        ``options`` is an :class:`~hopgraph.extract.ingest.IngestOptions`, or pass its fields as
        keywords (``llm="openai:gpt-4o-mini"``, ``concurrency=8``, ``retry_failed=True``,
        ``embed=False``...). Chunk state goes to ``state_path`` (default ``<folder>/jobs.sqlite``);
        progress lines to the ``progress`` stream when given.
        """
        from hopgraph.extract.ingest import IngestOptions, run_ingest
        from hopgraph.extract.job_state import STATE_FILE_NAME

        if options is None:
            options = IngestOptions(**option_values)
        elif option_values:
            options = dataclasses.replace(options, **option_values)
        if state_path is None:
            if self.folder is None:
                raise ConfigError("ingest needs a place for its job state: pass state_path=FILE")
            state_path = self.folder / STATE_FILE_NAME
        items = [sources] if isinstance(sources, str | Path) else list(sources)
        return run_ingest(
            self.store,
            [str(s) for s in items],
            state_path=Path(state_path),
            settings=self.settings,
            options=options,
            folder=self.folder,
            stream=progress,
        )

    def delete_document(self, doc_id: str) -> DeleteCounts:
        """Remove exactly one document's contribution to the graph."""
        return self.store.delete_document(doc_id)

    # -- exploring ------------------------------------------------------------------------------
    def stats(self) -> GraphStats:
        return self.store.stats()

    def cypher(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        """Rows of a Cypher query. Read-only unless ``write=True``; the database enforces it."""
        return self.store.cypher(query, params, write=write)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> HopGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
