"""HopGraph: the facade that wires the seams together. The one public entry point."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hopgraph.config import Settings, load_settings
from hopgraph.errors import ConfigError, EmptyGraphError, GraphNotFoundError, StoreUnavailableError
from hopgraph.kg import DeleteCounts, GraphStore, open_store
from hopgraph.kg.content_cache import bump_generation
from hopgraph.reason.base import QuestionAnswerer
from hopgraph.types import Answer, GraphStats

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from hopgraph.embed import Embedder
    from hopgraph.extract.extractors.base import Extractor
    from hopgraph.extract.jobs.delete import DeletedDocument
    from hopgraph.extract.jobs.options import IngestOptions
    from hopgraph.extract.jobs.progress import JobSummary
    from hopgraph.extract.jobs.report import JobReport
    from hopgraph.extract.jobs.state import ChunkRow, JobRow
    from hopgraph.kg.io.dump import DumpReport
    from hopgraph.kg.io.export import GraphExport
    from hopgraph.llm.base import LLM
    from hopgraph.reason.doc.options import QAOptions
    from hopgraph.reason.kb.graph import KBGraph


def _embedded(settings: Settings) -> bool:
    """Whether the store is the embedded FalkorDB server that lives in the graph folder."""
    return settings.store.backend == "falkordb" and not settings.store.url


def _make_folder(path: Path) -> None:
    """Create a new graph folder, or say in one line why it cannot be."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        raise ConfigError(f"{path} is a file, not a graph folder: name a folder (new or existing)") from None
    except (PermissionError, NotADirectoryError) as exc:
        parent = next((p for p in path.absolute().parents if p.exists()), path.absolute().parent)
        raise ConfigError(
            f"cannot create graph folder {path}: {parent} is not writable here "
            f"({exc.strerror.lower() if exc.strerror else exc}); pick a folder you can write to"
        ) from None


def _not_writable_message(path: Path | None, exc: OSError | None = None) -> str:
    why = f" ({exc.strerror.lower()}: {exc.filename})" if exc is not None and exc.strerror else ""
    return (
        f"graph folder {path} is not writable by this user{why}. The embedded FalkorDB keeps its lock, "
        "socket and append-only log in the folder, so even reading needs write access: copy the folder "
        f"(cp -r {path} COPY) and open the copy, or ask its owner to serve it and connect by URL"
    )


def _check_writable(path: Path) -> None:
    """The embedded store writes into the folder even to read it: refuse a read-only one up front."""
    data = path / "falkordb"
    for where in (path, data) if data.is_dir() else (path,):
        if not os.access(where, os.W_OK | os.X_OK):
            raise StoreUnavailableError(_not_writable_message(path))


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
        self._answerers: dict[tuple[Any, ...], QuestionAnswerer] = {}
        self._owned_llms: list[Any] = []
        self.created = False
        """Whether :meth:`open` made the graph folder (it did not exist before)."""

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        *,
        settings: Settings | None = None,
        create: bool = True,
        **store_overrides: Any,
    ) -> HopGraph:
        """Open (creating if needed) the graph in ``folder``.

        With ``create=False`` a missing folder is a :class:`~hopgraph.errors.GraphNotFoundError`
        instead (what a read-only command wants: a typo must not create an empty graph); after
        opening, :attr:`created` says whether this call made the folder.

        Settings come from ``folder/hopgraph.toml`` and ``HOPGRAPH_*`` variables unless given;
        keyword arguments override ``[store]`` settings (``backend="neo4j"``, ``url=...``).
        """
        path = Path(folder) if folder is not None else None
        if path is not None and path.exists() and not path.is_dir():
            raise ConfigError(f"{path} is a file, not a graph folder: name a folder (new or existing)")
        if settings is None:
            settings = load_settings(
                path if path is not None and path.is_dir() else None,
                overrides={"store": store_overrides} if store_overrides else None,
            )
        elif store_overrides:
            settings = dataclasses.replace(
                settings, store=dataclasses.replace(settings.store, **store_overrides)
            )
        created = False
        if path is not None and not path.is_dir():
            if not create:
                raise GraphNotFoundError(
                    f"no graph folder {path}: check the name, or build a graph there first "
                    f"(hopgraph ingest DOCS --graph {path}, or hopgraph import TRIPLES --graph {path})"
                )
            _make_folder(path)
            created = True
        elif path is not None and _embedded(settings):
            _check_writable(path)
        try:
            store = open_store(settings.store, path)
        except PermissionError as exc:
            raise StoreUnavailableError(_not_writable_message(path, exc)) from None
        except BaseException:
            if created and path is not None:
                shutil.rmtree(path, ignore_errors=True)
            raise
        hg = cls(store, settings, path)
        hg.created = created
        return hg

    # -- building -------------------------------------------------------------------------------
    def import_triples(
        self,
        path: str | Path,
        *,
        format: str = "tsv",
        progress: Callable[[int], None] | None = None,
    ) -> Any:
        """Import already-extracted triples from a TSV (``s|r|o`` or tab-separated) or RDF file."""
        from hopgraph.extract.importers.triples import import_triples

        with self._writing():
            return import_triples(self.store, path, format=format, progress=progress)

    def ingest(
        self,
        sources: str | Path | Sequence[str | Path],
        *,
        options: IngestOptions | None = None,
        state_path: str | Path | None = None,
        progress: TextIO | None = None,
        extractor: Extractor | None = None,
        embedder: Embedder | None = None,
        **option_values: Any,
    ) -> JobSummary:
        """Run a resumable extraction job over files, folders or globs; returns its JobSummary.

        ``options`` is an :class:`~hopgraph.extract.jobs.wiring.IngestOptions`, or pass its fields as
        keywords (``llm="openai:gpt-4o-mini"``, ``concurrency=8``, ``retry_failed=True``,
        ``embed=False``...). Chunk state goes to ``state_path`` (default ``<folder>/jobs.sqlite``);
        progress lines to the ``progress`` stream when given. ``extractor`` and ``embedder``
        replace the ones the settings and options would build (e.g. a custom
        :class:`~hopgraph.extract.extractors.base.Extractor`, or an embedder already loaded).
        """
        from hopgraph.extract.jobs.options import IngestOptions
        from hopgraph.extract.jobs.state import STATE_FILE_NAME
        from hopgraph.extract.jobs.wiring import run_ingest

        if options is None:
            options = IngestOptions(**option_values)
        elif option_values:
            options = dataclasses.replace(options, **option_values)
        if state_path is None:
            if self.folder is None:
                raise ConfigError("ingest needs a place for its job state: pass state_path=FILE")
            state_path = self.folder / STATE_FILE_NAME
        items = [sources] if isinstance(sources, str | Path) else list(sources)
        with self._writing():
            return run_ingest(
                self.store,
                [str(s) for s in items],
                state_path=Path(state_path),
                settings=self.settings,
                options=options,
                folder=self.folder,
                stream=progress,
                embedder=embedder,
                extractor=extractor,
            )

    def dump(self, path: str | Path) -> DumpReport:
        """Write the whole graph (documents, chunks, entities, relations, provenance, aliases,
        embeddings, anything added in Cypher) to a JSON-lines file (``.gz``: compressed). Its
        folder must exist (:func:`hopgraph.util.paths.check_output_file`)."""
        from hopgraph.kg.io.dump import dump_graph
        from hopgraph.util.paths import check_output_file

        return dump_graph(self.store, check_output_file(path, "dump"))

    def restore(self, path: str | Path) -> DumpReport:
        """Load a :meth:`dump` file into this graph, which must be empty; the result equals the
        dumped graph. The file is checked whole before anything is written."""
        from hopgraph.kg.io.dump import restore_graph

        with self._writing(whole=False):
            return restore_graph(self.store, path)

    def delete_document(self, doc: str, *, state_path: str | Path | None = None) -> DeleteCounts:
        """Remove a document's contribution to the graph, and its rows in the job state, so that a
        later ``ingest`` extracts it again.

        ``doc`` is a document id or the ``source`` it shows (a file path, or ``FILE#KEY`` for a
        record of a JSON corpus; the corpus path names all its records). Job state:
        ``state_path`` (default ``<folder>/jobs.sqlite``). Returns the summed counts; raises
        :class:`~hopgraph.errors.DocumentNotFoundError` when ``doc`` names no document.
        """
        deleted = self.delete_documents(doc, state_path=state_path)
        return DeleteCounts(
            documents=sum(d.counts.documents for d in deleted),
            chunks=sum(d.counts.chunks for d in deleted),
            entities=sum(d.counts.entities for d in deleted),
            relations=sum(d.counts.relations for d in deleted),
        )

    def delete_documents(self, doc: str, *, state_path: str | Path | None = None) -> list[DeletedDocument]:
        """As :meth:`delete_document`, with the counts of each document ``doc`` named."""
        from hopgraph.extract.jobs.delete import delete_documents
        from hopgraph.extract.jobs.state import STATE_FILE_NAME

        if state_path is None and self.folder is not None:
            state_path = self.folder / STATE_FILE_NAME
        with self._writing():
            return delete_documents(
                self.store, doc, state_path=Path(state_path) if state_path is not None else None
            )

    # -- asking ---------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        method: str = "full",
        k: int | None = None,
        llm: str | LLM | None = None,
        extractive: bool = False,
        weights: str | Path | None = None,
        options: QAOptions | None = None,
        embedder: Embedder | None = None,
    ) -> Answer:
        """Answer ``question`` with reasoning paths, the chunks they came from and citations.

        On a document graph: hybrid text retrieval, seed entities, PPR, the GNN scorer (zero-shot,
        or ``weights`` from ``hopgraph train qa``) and the path reasoner; the answer is written by
        ``llm`` (a spec such as ``openai:gpt-4o-mini``, an LLM object, else ``[llm] spec`` from the
        settings) or, with none or ``extractive=True``, extractively from the best-supported path
        end. ``method`` stops retrieval early (``dense``, ``fulltext``, ``hybrid``, ``ppr``,
        ``gnn_ppr``; default ``full``). On a KB graph with no text whose relations the KB scorer
        was trained on (MetaQA), the KB reasoner answers (``weights``: its weights file).

        Loaded pieces (embedder, graph index, models) are kept for the next question; a write
        through this object reloads them. Raises :class:`~hopgraph.errors.QuestionError` for an
        empty or over-long question and :class:`~hopgraph.errors.EmptyGraphError` for an empty graph.
        """
        key = (id(llm) if llm is not None and not isinstance(llm, str) else llm, extractive, weights, options)
        answerer = self._answerers.get(key)
        if answerer is None:
            answerer = self._answerers[key] = self._load_answerer(llm, extractive, weights, options, embedder)
        answer = answerer.ask(question, method, k=k)
        return dataclasses.replace(answer, titles=self.doc_titles(answer)) if not answer.titles else answer

    def doc_titles(self, answer: Answer) -> dict[str, str]:
        """Document id -> title for every document the answer's chunks and paths cite (what
        :meth:`ask` puts in ``Answer.titles``, so ``render_text(answer)`` shows titles)."""
        ids = {c.doc_id for c in answer.chunks}
        ids.update(d for p in answer.paths for h in p.hops for d in h.doc_ids)
        if not ids:
            return {}
        return {d.id: d.title for d in self.store.get_documents(sorted(ids)) if d.title}

    def _load_answerer(
        self,
        llm: str | LLM | None,
        extractive: bool,
        weights: str | Path | None,
        options: QAOptions | None,
        embedder: Embedder | None,
    ) -> QuestionAnswerer:
        # two counts, not stats(): that aggregates every relation type (seconds on big graphs)
        chunks, entities = (
            int(self.store.cypher(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])
            for label in ("Chunk", "Entity")
        )
        if entities == 0 and chunks == 0:
            where = f"graph {self.folder}" if self.folder is not None else "the graph"
            raise EmptyGraphError(
                f"{where} is empty: add documents (hopgraph ingest) or triples (hopgraph import) first"
            )
        if chunks == 0:
            from hopgraph.reason.kb.answerer import KBQuestionAnswerer, weights_cover

            if weights_cover(self.store.stats().relation_types, weights):
                return KBQuestionAnswerer.load(self.store, weights, self.cache_dir)
            weights = None  # KB weights cannot score this graph: the zero-shot scorer does
        from hopgraph.reason.doc.pipeline import GraphQA

        if embedder is None:
            from hopgraph.embed import SentenceTransformerEmbedder

            embedder = SentenceTransformerEmbedder.from_settings(self.settings.embed)
        self._embed_missing(embedder)
        model = None if extractive else self._llm(llm)
        return GraphQA.load(
            self.store,
            embedder=embedder,
            cache_dir=self.cache_dir,
            weights=weights,
            llm=model,
            options=options,
        )

    def _embed_missing(self, embedder: Embedder) -> None:
        """Store the vectors of chunks and entities that have none yet (a graph imported or ingested
        without embeddings): computed once, in batches, then reused by every question. Warns when
        the chunk vectors were made before they carried their document's title."""
        from hopgraph.extract.embed_graph import embed_graph, stale_chunks

        if stale_chunks(self.store, limit=1):
            from hopgraph.extract.reembed import REEMBED_HINT

            log.warning("this graph's chunk vectors were made without their titles: %s", REEMBED_HINT)
        if not any(self.store.missing_embeddings(label, limit=1) for label in ("Chunk", "Entity")):
            return

        # Not silent: this writes to the graph and can take a while on a big one.
        log.warning(
            "the graph has chunks or entities with no vector yet (ingested with --no-embed, or imported): "
            "embedding them now and storing the vectors in the graph; later questions reuse them"
        )
        counts = embed_graph(self.store, embedder)
        log.warning("embedded %d chunks and %d entities", counts.chunks, counts.entities)

    def _llm(self, llm: str | LLM | None) -> LLM | None:
        if llm is not None and not isinstance(llm, str):
            return llm
        spec = llm or self.settings.llm.spec
        if not spec:
            return None
        from hopgraph.llm.factory import make_llm

        cache = (
            self.folder / "llm_cache.sqlite" if self.folder is not None and self.settings.llm.cache else None
        )
        model = make_llm(spec, cache_path=cache, settings=self.settings.llm)
        self._owned_llms.append(model)
        return model

    # -- caches -------------------------------------------------------------------------------
    @property
    def cache_dir(self) -> Path | None:
        """Where caches of the graph's content live (``<folder>/cache``; none without a folder)."""
        return self.folder / "cache" if self.folder is not None else None

    @contextmanager
    def _writing(self, *, whole: bool = True) -> Iterator[None]:
        """Around a write: loaded answerers are dropped and the cache generation is bumped before
        and after (:mod:`hopgraph.kg.content_cache`), so no cache built from the old or a
        half-written graph is used once the write is done, even by another process. ``whole``: the
        graph must not hold a restore that was cut off (see :func:`hopgraph.kg.io.dump.check_not_cut_off`)."""
        if whole:
            from hopgraph.kg.io.dump import check_not_cut_off

            check_not_cut_off(self.store)
        self._answerers.clear()
        if self.cache_dir is not None:
            bump_generation(self.cache_dir)
        try:
            yield
        finally:
            self._answerers.clear()
            if self.cache_dir is not None:
                bump_generation(self.cache_dir)

    # -- exploring ------------------------------------------------------------------------------
    def stats(self) -> GraphStats:
        return self.store.stats()

    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_s: float | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of a Cypher query. Read-only unless ``write=True``; the database enforces it.

        A read is stopped by the database after ``timeout_s`` seconds (default ``[store]
        query_timeout_s``, 30; 0: no limit) with :class:`~hopgraph.errors.QueryTimeoutError`."""
        if not write:
            limit = self.settings.store.query_timeout_s if timeout_s is None else timeout_s
            return self.store.cypher(query, params, timeout_s=limit)
        with self._writing(whole=False):  # (a user's own Cypher may repair anything)
            return self.store.cypher(query, params, write=True)

    # -- export, ingest jobs, the KB graph (what the hopgraph command reads) ---------------------
    def export(self, path: str | Path, *, format: str | None = None) -> GraphExport:
        """Write the entity graph to ``path`` as RDF or GraphML; returns what was written.

        The suffix picks the format (:data:`~hopgraph.kg.io.export.EXPORT_SUFFIXES`: ``.ttl``,
        ``.nt``, ``.rdf``/``.xml``/``.owl``, ``.jsonld``, ``.graphml``); ``format`` (``turtle``,
        ``nt``, ``xml``, ``json-ld`` or ``graphml``), when given, must agree with it, so that
        ``hopgraph import`` recognises the file. An unknown suffix is a
        :class:`~hopgraph.errors.ConfigError`, as is a missing folder (hopgraph creates none).
        GraphML flattens the list attributes (:func:`hopgraph.kg.io.export.write_graphml`).
        """
        from hopgraph.kg.io.export import GraphExport, export_format, write_graphml
        from hopgraph.util.paths import check_output_file

        out = check_output_file(path, "export")
        fmt = export_format(out, format)
        if fmt == "graphml":
            entities, relations = write_graphml(self.store, out)
        else:
            from hopgraph.kg.io.rdf import write_rdf

            write_rdf(self.store, out, format=fmt)
            stats = self.stats()
            entities, relations = stats.entities, stats.relations
        return GraphExport(path=out, format=fmt, entities=entities, relations=relations)

    @staticmethod
    def jobs(state_path: str | Path) -> list[JobRow]:
        """The ingest jobs recorded in ``state_path`` (``<folder>/jobs.sqlite`` by default of
        :meth:`ingest`). Static: only the state file is read, so it works while a job runs."""
        from hopgraph.extract.jobs.report import list_jobs

        return list_jobs(state_path)

    @staticmethod
    def job(state_path: str | Path, job_id: int) -> JobReport:
        """One ingest job, its chunk counts, input problems and failed chunks (static, as :meth:`jobs`)."""
        from hopgraph.extract.jobs.report import job_report

        return job_report(state_path, job_id)

    @staticmethod
    def failed_chunks(state_path: str | Path) -> list[ChunkRow]:
        """The failed chunks of every ingest job in ``state_path`` (static, as :meth:`jobs`)."""
        from hopgraph.extract.jobs.report import failed_chunks

        return failed_chunks(state_path)

    def kb_graph(self) -> KBGraph:
        """The relations as the knowledge-base reasoner's graph (cached under :attr:`cache_dir`),
        for :func:`hopgraph.reason.kb.train.train_metaqa` and :func:`hopgraph.eval.metaqa.evaluate`.
        Raises :class:`~hopgraph.errors.EmptyGraphError` when the graph has no relations."""
        from hopgraph.reason.kb.graph import KBGraph

        graph = KBGraph.load(self.store, self.cache_dir)
        if graph.num_edges == 0:
            raise EmptyGraphError(
                "the graph has no relations: import the KB first (hopgraph import kb.txt --graph DIR)"
            )
        return graph

    def close(self) -> None:
        for model in self._owned_llms:
            close = getattr(model, "close", None)
            if close is not None:
                close()
        self._owned_llms.clear()
        self._answerers.clear()
        self.store.close()

    def __enter__(self) -> HopGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
