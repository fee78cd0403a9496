"""Ingest wiring: the real components of an :class:`~hopgraph.extract.jobs.job.IngestJob`, from settings.

:func:`run_ingest` loads the sources, builds the extractor (LLM from ``[llm] spec`` or
``IngestOptions.llm``, else the offline spaCy extractor), the chunker, the entity resolver and the
embedding step, and runs the job. ``IngestOptions.triples`` takes the OpenIE path instead: a
HippoRAG OpenIE file is imported as one job, with no extractor.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from hopgraph.config import Settings
from hopgraph.embed import Embedder
from hopgraph.errors import ConfigError
from hopgraph.extract.extractors.base import Extractor
from hopgraph.extract.jobs.job import IngestJob
from hopgraph.extract.jobs.options import IngestOptions
from hopgraph.extract.jobs.progress import JobProgress, JobSummary
from hopgraph.extract.jobs.state import JobState
from hopgraph.kg.base import GraphStore

log = logging.getLogger(__name__)


def run_ingest(
    store: GraphStore,
    sources: Sequence[str],
    *,
    state_path: Path,
    settings: Settings | None = None,
    options: IngestOptions | None = None,
    folder: Path | None = None,
    stream: TextIO | None = None,
    embedder: Embedder | None = None,
    extractor: Extractor | None = None,
) -> JobSummary:
    """Load ``sources``, then run an :class:`IngestJob` with the components ``options`` ask for.

    The LLM's response cache lives in ``folder/llm_cache.sqlite`` (when ``folder`` is given);
    progress goes to ``stream``. ``embedder`` and ``extractor`` replace the ones ``settings`` and
    ``options`` would build (an injected extractor runs ``options.concurrency`` calls at a time
    when it is an :class:`~hopgraph.extract.extractors.base.AsyncExtractor`, else one).
    """
    from hopgraph.extract.chunking import Chunker
    from hopgraph.extract.load.files import JsonFields, iter_documents

    settings = settings or Settings()
    opts = options or IngestOptions()
    if embedder is None:
        from hopgraph.embed import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder.from_settings(settings.embed)
    price = opts.price_per_1k
    args = {k: v for k, v in dataclasses.asdict(opts).items() if k != "json_fields"}
    args["sources"] = [str(x) for x in sources]
    progress = JobProgress(stream, price_per_1k=price)
    embed: Callable[..., int] | None = None
    if opts.embed:
        embed = functools.partial(_embed_all, embedder=embedder)
    with JobState.open(state_path) as state:
        if opts.triples:
            return _import_openie(store, state, sources, opts, args, embedder, progress)
        spec = opts.llm or settings.llm.spec
        llm: Any = None
        if extractor is not None:
            spec, concurrency = extractor.name, opts.concurrency or 1
        elif spec:
            from hopgraph.extract.extractors.llm import LLMExtractor
            from hopgraph.llm.factory import make_llm

            cache = folder / "llm_cache.sqlite" if folder is not None else None
            llm = make_llm(spec, cache_path=cache, settings=settings.llm)
            extractor = LLMExtractor(llm)
            concurrency = opts.concurrency or settings.llm.concurrency
        else:
            concurrency = 1
        if opts.retry_failed:
            _warn_if_retry_switches_extractor(state, spec or "spacy")
        resolver = None
        if opts.resolve:
            from hopgraph.extract.resolution.resolver import EntityResolver

            resolver = EntityResolver(store, embedder if opts.embed else None)
        job = IngestJob(
            store,
            state,
            extractor=extractor if extractor is not None else _spacy_extractor,
            chunker=Chunker(embedder, max_tokens=opts.max_tokens, overlap_tokens=opts.overlap_tokens),
            chunking=f"{embedder.model_name}:{opts.max_tokens}:{opts.overlap_tokens}",
            resolver=resolver,
            embed=embed,
            progress=progress,
            concurrency=concurrency,
            batch_size=opts.batch_size,
            retry_failed=opts.retry_failed,
            price_per_1k=price,
            args=args | {"extractor": spec or "spacy"},
        )
        fields = opts.json_fields or JsonFields()
        try:
            # the graph being written and its job state are never input
            state_files = [
                state_path.with_name(state_path.name + x) for x in ("", "-wal", "-shm", "-journal")
            ]
            exclude = [*([folder] if folder is not None else []), *state_files]
            return job.run(iter_documents(list(sources), json_fields=fields, exclude=exclude))
        finally:
            close = getattr(llm, "close", None)
            if close is not None:
                close()


def _spacy_extractor() -> Any:
    from hopgraph.extract.extractors.offline import SpacyExtractor  # imports spaCy: seconds

    return SpacyExtractor()


def _embed_all(
    store: GraphStore, embedder: Embedder, progress: Callable[[str, int], None] | None = None
) -> int:
    from hopgraph.extract.embed_graph import embed_graph

    return int(embed_graph(store, embedder, progress=progress).total)


def _import_openie(
    store: GraphStore,
    state: JobState,
    sources: Sequence[str],
    opts: IngestOptions,
    args: dict[str, Any],
    embedder: Embedder,
    progress: JobProgress,
) -> JobSummary:
    """``--triples``: import a HippoRAG OpenIE file (with its corpus) as one job, no extractor."""
    from hopgraph.extract.importers.openie import import_openie
    from hopgraph.extract.resolution.resolver import EntityResolver

    if len(sources) != 1:
        raise ConfigError(
            f"--triples imports one corpus: give exactly one SOURCE, the corpus JSON the OpenIE "
            f"file was made from (got {len(sources)})"
        )
    started = time.monotonic()
    summary = JobSummary(job_id=state.start_job(args | {"extractor": "openie"}))
    try:
        progress.set_stage(f"importing {opts.triples} ...")
        report = import_openie(
            store,
            sources[0],
            str(opts.triples),
            embedder=embedder if opts.embed else None,
            resolver=EntityResolver(store, embedder if opts.embed else None) if opts.resolve else None,
        )
        summary.documents, summary.chunks, summary.triples = report.documents, report.chunks, report.triples
        summary.chunks_extracted, summary.merges = report.chunks, len(report.merges)
        summary.entities = report.entities
        summary.embedded = report.embedded_chunks + report.embedded_entities
        problems = [(str(p), "error") for p in report.load_problems]
        if report.malformed_triples:
            problems.append((f"{report.malformed_triples} malformed triple(s) skipped", "warning"))
        if report.unmatched_records:
            problems.append((f"{report.unmatched_records} record(s) matched no passage, skipped", "warning"))
        summary.problems = [{"path": str(opts.triples), "reason": r, "severity": s} for r, s in problems]
        summary.status = "done"
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        progress.close()
        summary.seconds = round(time.monotonic() - started, 3)
        state.finish_job(summary.job_id, summary.status, summary.to_dict())
    return summary


__all__ = ["IngestOptions", "run_ingest"]


def _warn_if_retry_switches_extractor(state: JobState, extractor: str) -> None:
    """A retry with another extractor than the one the chunks failed with is said loudly (e.g.
    ``--retry-failed`` without the ``--llm`` that failed re-extracts offline with spaCy)."""
    failed_with: dict[str, int] = {}
    jobs = {job.id: job for job in state.jobs()}
    for chunk in state.chunks(status="failed"):
        job = jobs.get(chunk.job_id)
        name = str(job.args.get("extractor") or "spacy") if job is not None else "spacy"
        failed_with[name] = failed_with.get(name, 0) + 1
    others = {name: n for name, n in failed_with.items() if name != extractor}
    if others:
        before = ", ".join(f"{n} with {name}" for name, n in sorted(others.items()))
        first = next(iter(others))
        how = "without --llm" if first == "spacy" else f"with --llm {first}"
        log.warning(
            "retrying failed chunks with the %s extractor, not the one they failed with (%s); "
            "to retry with that one, run the same ingest %s",
            extractor,
            before,
            how,
        )
