"""Graph-grounded QA over a document graph: the question pipeline, one method per retrieval stage.

    question -> embed -> dense + BM25 chunks (fused: ``hybrid``)
             -> linked seed entities -> Personalized PageRank over the entity-passage graph (``ppr``)
             -> bounded subgraph from the store -> GNN scorer -> PPR restarting from its node
                scores (``gnn_ppr``)
             -> path reasoner over the scored edges, for the answer; passages: ``gnn_ppr``'s
                refined and interleaved with a graph-trusting walk, then the page of a bridge
                entity the first passage names at fifth place (``full``: retrieval.fusion)

The walk restarts half on the linked entities, half on the dense candidates (min-max scaled,
HippoRAG 2), so it ranks like dense retrieval where the graph offers little; a question that links
no entity gets the dense ranking from every graph method.
             -> generator (LLM with cited paths and chunks, or the extractive answerer)

:class:`GraphQA` holds what a question needs loaded once (embedder, in-memory graph index and its
PPR matrix, scorer, spaCy, LLM) and answers with :meth:`GraphQA.ask`; :meth:`GraphQA.retrieve`
stops before the generator (what ``hopgraph eval retrieval`` measures, per method).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.embed import Embedder
from hopgraph.embed.base import embed_groups
from hopgraph.errors import ConfigError, HopGraphError
from hopgraph.ids import name_key
from hopgraph.kg.base import GraphStore
from hopgraph.llm.base import LLM
from hopgraph.reason.base import paths_in_store
from hopgraph.reason.doc.answer_types import question_type
from hopgraph.reason.doc.extractive import (
    READER_CHUNKS,
    TOP_CHUNKS,
    TOP_PATHS,
    Candidate,
    extractive_answer,
    rank_candidates,
)
from hopgraph.reason.doc.generator import NO_ANSWER, Generation, generate_answer
from hopgraph.reason.doc.language import language_note
from hopgraph.reason.doc.options import (
    METHODS,
    NO_CONFIDENT_ANSWER,
    NO_SEEDS,
    TEXT_METHODS,
    QAOptions,
    Retrieval,
    check_question,
)
from hopgraph.reason.doc.paths import find_paths
from hopgraph.reason.doc.scorer import DocScorer, DocScorerConfig, ScoredGraph
from hopgraph.reason.doc.subgraph import RelationTable, ScoringGraph
from hopgraph.retrieval.fusion import fused_order, second_hop, trusting_walks, with_second_hop
from hopgraph.retrieval.graph_index import GraphIndex
from hopgraph.retrieval.linking import (
    LinkStart,
    ParseCache,
    entity_fulltext,
    link_seeds,
    link_text,
    start_linking,
)
from hopgraph.retrieval.passage_ner import NER_CHARS, NameLabels, PassageEntities, name_labels, text_entities
from hopgraph.retrieval.ppr import PassageGraph
from hopgraph.retrieval.text import dense_chunks, reciprocal_rank_fusion
from hopgraph.types import Answer, Chunk, ReasoningPath, ScoredId

log = logging.getLogger(__name__)
NER_CACHE = 4096
"""Passages whose spaCy entities are kept (typing candidate answers)."""
NER_PASSAGES = READER_CHUNKS
"""Of the passages shown, the first this many are read for entity labels and answer spans."""
ANSWER_ENDS = 20
"""Best answer paths whose ends' stored entity types are read."""
NAME_NER = 10
"""Untyped path ends whose names alone spaCy labels."""


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self.last) * 1000.0
        self.last = now


class GraphQA:
    """Answers questions over one document graph. Build it with :meth:`load`."""

    def __init__(
        self,
        store: GraphStore,
        embedder: Embedder,
        index: GraphIndex,
        passages: PassageGraph,
        *,
        scorer: DocScorer | None = None,
        llm: LLM | None = None,
        nlp: Any = None,
        options: QAOptions | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.store, self.embedder, self.index, self.passages = store, embedder, index, passages
        self.relations = RelationTable.from_index_arrays(index.arrays)
        self.scorer = scorer if scorer is not None else DocScorer(DocScorerConfig(dim=embedder.dimension))
        self.scorer.eval()
        self.llm, self._nlp = llm, _parse_cache(nlp)
        self._spacy_pending = False
        """Whether :attr:`nlp` still has to load spaCy (:meth:`load` defers it to first use)."""
        self.options = options or QAOptions()
        self._ner: dict[str, list[tuple[str, str, str]]] = {}
        """Passages parsed at answer time (no cache dir): their entities, kept for the next question."""
        self.cache_dir = cache_dir
        self._passage_ner: PassageEntities | None = None
        self._passage_ner_lock = threading.Lock()  # two first questions at once parse once
        """Every passage's entities, parsed once and kept in ``cache_dir`` (:meth:`passage_entities`)."""
        self._helper: ThreadPoolExecutor | None = None
        """One helper thread: the entity full-text read (:meth:`_embed_linking`), the paths' store check."""
        self._name_ner: NameLabels | None = None
        """Every entity name's label, parsed once and kept in ``cache_dir`` (:meth:`name_labels`)."""

    @classmethod
    def load(
        cls,
        store: GraphStore,
        *,
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        weights: str | Path | None = None,
        llm: LLM | None = None,
        options: QAOptions | None = None,
        use_spacy: bool = True,
    ) -> GraphQA:
        """Load the graph index (from ``cache_dir`` when it is current) and the scorer (zero-shot
        unless ``weights``); spaCy (when ``use_spacy`` and installed: question mentions, answer
        types) loads when a question first needs it, since it costs about a second."""
        from hopgraph.reason.doc.scorer import load_doc_scorer

        if embedder is None:
            from hopgraph.embed import SentenceTransformerEmbedder

            embedder = SentenceTransformerEmbedder()
        index = GraphIndex.load(store, embedder, cache_dir)
        scorer = load_doc_scorer(weights)[0] if weights else None
        qa = cls(
            store,
            embedder,
            index,
            PassageGraph.from_index(index),
            scorer=scorer,
            llm=llm,
            options=options,
            cache_dir=cache_dir,
        )
        qa._spacy_pending = use_spacy
        return qa

    @property
    def nlp(self) -> Any:
        """The spaCy pipeline (None without one), loaded on first use when :meth:`load` made this."""
        if self._spacy_pending:
            from hopgraph.retrieval.linking import load_spacy

            self._spacy_pending = False
            self._nlp = _parse_cache(load_spacy())
        return self._nlp

    # -- retrieval ------------------------------------------------------------------------------
    def retrieve(self, question: str, method: str = "full", *, k: int | None = None) -> Retrieval:
        """Rank chunks for ``question`` with ``method`` (one of :data:`METHODS`)."""
        if method not in METHODS:
            raise ConfigError(f"unknown retrieval method {method!r}; valid: {', '.join(METHODS)}")
        question = check_question(question)
        opts = self.options
        k = opts.k if k is None else k
        out = Retrieval(question, method, [])
        clock = _Clock(out.timings)
        start = None
        if method in TEXT_METHODS:
            vector = self._embed_question(question)
        else:
            start, vector = self._embed_linking(question)
        clock.lap("embed")
        # a KB graph has entities and relations but no text to search
        has_text = self.index.num_chunks > 0
        dense = self._dense(vector, opts.candidates) if has_text and method != "fulltext" else []
        # BM25 over the chunk texts held in the index: FalkorDB's full-text scores rank questions
        # poorly (Recall@5 0.057 on MuSiQue-100, BM25 0.412; benchmarks/bench_retrieval_parts.py)
        text = self.index.bm25_chunks(question, opts.candidates) if method in TEXT_METHODS[1:] else []
        clock.lap("text")
        if method in ("dense", "fulltext"):
            out.chunks = (dense or text)[:k]
            return out
        hybrid = reciprocal_rank_fusion([dense, text])
        if method == "hybrid":
            out.chunks = hybrid[:k]
            return out
        out.seeds = self.link(question, start)
        clock.lap("link")
        if not out.seeds:
            # nothing in the question names an entity of the graph: the walk would only smooth the
            # dense scores over the passages' neighbours, which ranks worse than dense itself
            # (benchmarks/bench_graph_fusion.py), so the graph methods fall back to dense
            out.chunks = dense[:k]
            return out
        reset = self._passage_reset(dense)
        seeds = self._entity_weights(out.seeds)
        if method == "ppr":
            out.chunks = self._rank(
                self.passages.rank_passages(seeds, reset, opts.damping, passage_mass=opts.passage_reset), k
            )
            clock.lap("ppr")
            return out
        graph, scored = self._score(vector, out, clock)
        weights = self._mix(seeds, graph, scored)
        walk = self.passages.rank_passages(weights, reset, opts.damping, passage_mass=opts.passage_reset)
        ppr = self._rank(walk, opts.candidates)
        clock.lap("ppr")
        if method == "gnn_ppr":
            out.chunks = ppr[:k]
            return out
        held: Future[list[bool]] | None = None
        if graph is not None and scored is not None:
            # one search: its first max_paths paths are those a search limited to them returns
            out.answer_paths = find_paths(
                graph,
                scored,
                hops=opts.hops,
                beam=opts.beam,
                limit=max(opts.max_paths, opts.answer_paths),
                subgraph=out.subgraph,
                prefixes=not has_text,  # a graph of triples: no passage names a path's waypoints
            )
            # the store check's round trip runs on the helper thread while the passages are fused
            held = self._helper_thread().submit(paths_in_store, self.store, out.answer_paths)
        clock.lap("paths")
        # the passages are gnn_ppr's: the walk's restart already holds the dense scores, and the
        # zero-shot paths are often wrong: fused by RRF, a half vote for their sources cost 8 points
        # of Recall@2 on MuSiQue-100 with GPT-3.5 triples (0.509 -> 0.426), a half vote for the
        # dense ranking 4-5 points of Recall@5 on both graphs (BENCHMARKS.md); instead the walk's
        # own ranking is refined and interleaved with a graph-trusting walk (retrieval.fusion), and
        # the passage about a bridge entity the first passage names takes the fifth slot
        out.chunks = self._fuse(walk, weights, reset, dense, k, seeds, vector) if opts.fusion else ppr[:k]
        clock.lap("fusion")
        if held is not None:
            out.answer_paths = self._in_store(out.answer_paths, held.result())
            out.paths = out.answer_paths[: opts.max_paths]
            clock.lap("paths")
        return out

    def _embed_linking(self, question: str) -> tuple[LinkStart | None, np.ndarray]:
        """The question's vector and the first half of its linking (:class:`LinkStart`: exact
        names, mentions and their vectors, the entity full-text hits).

        A pass of the embedding model costs mostly the read of its weights (a one-word mention
        about half a question), so the mentions are embedded in the question's own pass
        (:func:`~hopgraph.embed.base.embed_groups`, the same vectors as two calls): this thread
        parses the question (:func:`start_linking`, names from the graph index), then one pass
        embeds both, while the helper thread reads the entity full-text hits from the store (a
        round trip that waits on the server, not on this process; read on this thread beside a
        parse on the helper, it waited for the parse to let go of the interpreter).
        None for the start when linking it failed (linked again by :meth:`link`, which raises)."""
        nlp = self.nlp  # (loads spaCy here, on the caller's thread, the first time)
        text = link_text(question)
        helper = self._helper_thread()
        hits: Future[tuple[ScoredId, ...]] | None = (
            helper.submit(entity_fulltext, self.store, text, self.options.seeds) if text else None
        )
        try:
            start: LinkStart | None = start_linking(
                self.store,
                question,
                self.embedder,
                nlp=nlp,
                use_spacy=nlp is not None,
                k=self.options.seeds,
                index=self.index,
                embed=False,
            )
        except Exception:  # noqa: BLE001 - linked again by link(), where the error is raised
            start = None
        if start is None or not start.mentions:
            vector = self._embed_question(question)
        else:
            try:
                vectors, mentions = embed_groups(self.embedder, [[question], list(start.mentions)])
                start, vector = replace(start, vectors=np.asarray(mentions, dtype=np.float32)), vectors[0]
            except (HopGraphError, ValueError) as exc:  # the mentions are lost, as in start_linking
                log.warning("embedding-based linking skipped: %s", exc)
                start, vector = replace(start, mentions=()), self._embed_question(question)
        fulltext = hits.result() if hits is not None else ()
        return (replace(start, fulltext=fulltext) if start is not None else None), vector

    def _dense(self, vector: np.ndarray, k: int) -> list[ScoredId]:
        """The ``k`` chunks nearest to the question's vector: an exact search over the graph
        index's chunk vectors (no store round trip), or the store's vector index for an index
        without them."""
        hits = self.index.dense_chunks(vector, k)
        return dense_chunks(self.store, vector, k) if hits is None else hits

    def _embed_question(self, question: str) -> np.ndarray:
        """The question's vector, embedded as question-time texts are (``embed_groups``: the
        embedder's query precision), whatever the method, so every method ranks by one vector."""
        return embed_groups(self.embedder, [[question]])[0][0]

    def link(self, question: str, start: LinkStart | None = None) -> list[ScoredId]:
        """The question's seed entities, best first: confident ones only (names matched as
        written, close vectors) when there are any. ``start``: :meth:`_embed_linking`'s result."""
        linked = link_seeds(
            self.store,
            question,
            self.embedder,
            nlp=self.nlp,
            use_spacy=self.nlp is not None,
            index=self.index,
            k=self.options.seeds,
            start=start,
        )
        return [s for s in linked if s.score >= self.options.min_seed_score] or linked

    def _score(
        self, vector: np.ndarray, out: Retrieval, clock: _Clock
    ) -> tuple[ScoringGraph | None, ScoredGraph | None]:
        """The GNN's scores of the bounded subgraph around the seeds (None without seeds)."""
        if not out.seeds:
            return None, None
        opts = self.options
        # cut from the in-memory snapshot of the store's relations: store.subgraph took ~200 ms on
        # MuSiQue, where an untyped pattern makes FalkorDB visit 5,034 relationship types
        # (paths found here are checked against the store itself: _in_store)
        source = self.store if opts.subgraph_from_store else self.relations
        out.subgraph = source.subgraph(
            [s.id for s in out.seeds],
            hops=opts.hops,
            max_nodes=opts.subgraph_nodes,
            max_edges=opts.subgraph_edges,
        )
        clock.lap("subgraph")
        graph = ScoringGraph.build(
            out.subgraph, out.seeds, self.index.entity_vectors_by_id, self.index.predicate_vectors_of
        )
        import torch

        with torch.no_grad():
            scored = self.scorer(graph, vector, opts.hops)
        clock.lap("gnn")
        return graph, scored

    def _helper_thread(self) -> ThreadPoolExecutor:
        """The one helper thread (the entity full-text read, the paths' store check), started on first use."""
        if self._helper is None:
            self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopgraph-link")
        return self._helper

    def _in_store(self, paths: list[ReasoningPath], held: list[bool]) -> list[ReasoningPath]:
        """The paths whose every hop the store itself holds, with at least the hop's provenance
        (``held``: :func:`~hopgraph.reason.base.paths_in_store` of ``paths``).

        The reasoner works on the graph index, a snapshot of the store; one read (about 2 ms, on
        the helper thread while the passages are fused) makes sure no path outlives an edit the
        snapshot missed."""
        kept = [p for p, keep in zip(paths, held, strict=True) if keep]
        if len(kept) < len(paths):
            log.warning(
                "%d path(s) dropped: the graph changed since its index was built", len(paths) - len(kept)
            )
        return kept

    def _passage_reset(self, dense: Sequence[ScoredId]) -> dict[int, float]:
        """Chunk row -> restart weight from its dense score (PPR gives passages ``passage_reset``
        of the restart mass): min-max normalised over the ``candidates`` (HippoRAG 2), so the best
        passage weighs 1 and the last 0, or the raw cosine (``passage_scores="raw"``)."""
        if self.options.passage_scores == "minmax":
            return {row: w for row, w in self._dense_minmax(dense).items() if w > 0}
        return {row: s for row, s in self._dense_rows(dense) if s > 0}

    def _dense_rows(self, dense: Sequence[ScoredId]) -> list[tuple[int, float]]:
        """(chunk row, cosine) of the dense hits the graph index holds."""
        return [(row, float(hit.score)) for hit in dense if (row := self.index.chunk_row(hit.id)) is not None]

    def _dense_minmax(self, dense: Sequence[ScoredId]) -> dict[int, float]:
        """Chunk row -> its dense score min-max scaled over ``dense`` (the best 1, the last 0; all 1
        when they tie)."""
        rows = self._dense_rows(dense)
        if not rows:
            return {}
        low, high = min(s for _, s in rows), max(s for _, s in rows)
        span = high - low
        return {row: (s - low) / span if span > 0 else 1.0 for row, s in rows}

    def _entity_weights(self, seeds: Sequence[ScoredId]) -> dict[int, float]:
        weights: dict[int, float] = {}
        for seed in seeds:
            row = self.index.entity_row(seed.id)
            if row is not None:
                weights[row] = max(weights.get(row, 0.0), float(seed.score))
        return weights

    def _mix(
        self, seeds: dict[int, float], graph: ScoringGraph | None, scored: ScoredGraph | None
    ) -> dict[int, float]:
        """Restart weights: linked seeds plus the GNN's node scores (each part normalised)."""
        if graph is None or scored is None or not seeds:
            return seeds
        scores = scored.node_scores.numpy()
        gnn: dict[int, float] = {}
        for node, score in zip(graph.node_ids, scores, strict=True):
            row = self.index.entity_row(node)
            if row is not None and score > 0:
                gnn[row] = float(score)
        mix = self.options.gnn_mix
        total_seeds, total_gnn = sum(seeds.values()), sum(gnn.values())
        out = {row: (1.0 - mix) * w / total_seeds for row, w in seeds.items()}
        if total_gnn > 0:
            for row, w in gnn.items():
                out[row] = out.get(row, 0.0) + mix * w / total_gnn
        return out

    def _fuse(
        self,
        walk: np.ndarray,
        entity_weights: dict[int, float],
        reset: dict[int, float],
        dense: Sequence[ScoredId],
        k: int,
        seeds: dict[int, float],
        vector: np.ndarray,
    ) -> list[ScoredId]:
        """``full``'s passages (:func:`hopgraph.retrieval.fusion.fused_order`): a head ranked by the
        default walk, the dense scores and an entity walk at damping 0.85, interleaved with the
        damping-0.85 walk; then (``options.second_hop``) the passage about a bridge entity the
        first one names at slot 5 (:func:`~hopgraph.retrieval.fusion.second_hop`; ``seeds``: the
        linked entity rows, ``vector``: the question's). The i-th passage carries the i-th best
        of the returned passages' default-walk scores, so scores fall with rank and keep the
        walk's scale (the answerer weighs them)."""
        scaled = np.zeros(self.index.num_chunks)
        for row, weight in self._dense_minmax(dense).items():
            scaled[row] = weight
        trust_entities, trusting = trusting_walks(
            self.passages, entity_weights, reset, passage_mass=self.options.passage_reset
        )
        order = fused_order(walk, trust_entities, trusting, scaled)
        if self.options.second_hop:
            norm = float(np.linalg.norm(vector))
            question = np.asarray(vector, dtype=np.float32) / (norm if norm > 0 else 1.0)
            order = with_second_hop(order, second_hop(self.index, order, seeds, question))
        order = order[:k]
        scores = np.sort(walk[order])[::-1]
        return [ScoredId(self.index.chunk_ids[row], float(s)) for row, s in zip(order, scores, strict=True)]

    def _rank(self, scores: np.ndarray, k: int) -> list[ScoredId]:
        if scores.size == 0:
            return []
        top = np.argsort(-scores, kind="stable")[:k]
        return [
            ScoredId(self.index.chunk_ids[int(i)], float(scores[int(i)])) for i in top if scores[int(i)] > 0
        ]

    # -- answering ------------------------------------------------------------------------------
    def ask(self, question: str, method: str = "full", *, k: int | None = None) -> Answer:
        """Retrieve with ``method``, then answer: with the LLM when one is set, else extractively."""
        started = time.perf_counter()
        found = self.retrieve(question, method, k=k)
        clock = _Clock(found.timings)
        chunks = _in_order(self.store.get_chunks([c.id for c in found.chunks]), found.chunks)
        clock.lap("chunks")
        generation, paths = self._answer(found, chunks)
        clock.lap("generate")
        found.timings["total"] = (time.perf_counter() - started) * 1000.0
        scores = {c.id: c.score for c in found.chunks}
        text, abstained = generation.text, False
        confidence = generation.confidence
        if (
            confidence is not None
            and confidence < self.options.min_confidence
            and text not in (NO_ANSWER, NO_SEEDS)
        ):
            abstained = True
            text = (
                f"{NO_CONFIDENT_ANSWER} (best guess: {generation.text}, confidence {confidence:.2f} "
                f"< {self.options.min_confidence:.2f}). The passages below are the closest matches."
            )
        note = language_note(found.question, getattr(self.embedder, "model_name", ""))
        cited = {c.doc_id for c in chunks} | {d for p in paths for h in p.hops for d in h.doc_ids}
        titles = self.index.doc_titles(cited)  # (None: HopGraph.ask reads them from the store)
        return Answer(
            text=text,
            paths=tuple(paths),
            chunks=tuple(chunks),
            citations=tuple(generation.citations),
            timings={k: round(v, 2) for k, v in found.timings.items()},
            chunk_scores=tuple(scores.get(c.id, 0.0) for c in chunks),
            seeds=tuple(found.seeds),
            unknown_citations=tuple(generation.unknown_citations),
            evidence=found.subgraph,
            answerer=generation.answerer,
            question=found.question,
            confidence=confidence,
            best_guess="" if generation.text in (NO_ANSWER, NO_SEEDS) else generation.text,
            abstained=abstained,
            notes=(note,) if note else (),
            asked_type=question_type(found.question, self.nlp).kind if self.llm is None else "",
            answer_type=generation.answer_type,
            titles=titles or {},
        )

    def candidates(self, question: str, method: str = "full", *, k: int | None = None) -> list[Candidate]:
        """The extractive answerer's candidates for ``question``, best first, with their support
        and type (what :meth:`ask` picks its answer from without an LLM; for diagnosis and
        ``benchmarks/bench_answer_candidates.py``)."""
        found = self.retrieve(question, method, k=k)
        chunks = _in_order(self.store.get_chunks([c.id for c in found.chunks]), found.chunks)
        inputs = self._extractive_inputs(found, chunks)
        return rank_candidates(
            found.question,
            inputs.pop("paths"),
            chunks,
            found.seeds,
            inputs.pop("mentions"),
            top_paths=TOP_PATHS,
            top_chunks=TOP_CHUNKS,
            **inputs,
        )

    def _extractive_inputs(self, found: Retrieval, chunks: list[Chunk]) -> dict[str, Any]:
        """What the extractive answerer reads besides the question, chunks and seeds."""
        # the ends of the best paths compete with the entities the best passages name
        graph = found.method not in TEXT_METHODS
        # (a graph method whose question named no entity of the graph answers nothing: NO_SEEDS;
        # so neither the passages' entities nor their names are candidates then)
        read = bool(found.seeds) or not graph
        mentions = self.index.entities_of_chunks([c.id for c in chunks]) if read else None
        scores = {c.id: c.score for c in found.chunks}
        return {
            "paths": found.answer_paths or found.paths,
            "mentions": mentions,
            "chunk_scores": [scores.get(c.id, 0.0) for c in chunks],
            "labels": self._type_labels(found, chunks),
            "asked": question_type(found.question, self.nlp),
            "spans": [
                self._chunk_entities(c) if read and self.nlp is not None and j < NER_PASSAGES else []
                for j, c in enumerate(chunks)
            ],
        }

    def _answer(self, found: Retrieval, chunks: list[Chunk]) -> tuple[Generation, list[ReasoningPath]]:
        """The answer and the paths shown with it (its citations' ``P#`` labels index those)."""
        if self.llm is not None:
            return generate_answer(self.llm, found.question, found.paths, chunks), found.paths
        inputs = self._extractive_inputs(found, chunks)
        paths = inputs.pop("paths")
        generation = extractive_answer(
            found.question, paths, chunks, found.seeds, inputs.pop("mentions"), **inputs
        )
        graph = found.method not in TEXT_METHODS
        if generation.text == NO_ANSWER and not found.seeds and graph:
            return replace(generation, text=NO_SEEDS), found.paths
        return shown_paths(generation, paths, self.options.max_paths)

    def _type_labels(self, found: Retrieval, chunks: Sequence[Chunk]) -> dict[str, list[str]]:
        """Name key -> type labels: the NER labels spaCy gives the names in ``chunks``
        (:meth:`_chunk_entities`: precomputed, else parsed once per process); for path ends no
        passage labels, the entity type stored for them (one store read: the in-memory
        subgraph's entities carry no type), else spaCy's label for the name alone (precomputed for
        every entity name: :meth:`name_labels`)."""
        labels: dict[str, list[str]] = {}
        known = self.name_labels()  # built by the first answer of any method, as passage entities
        if found.subgraph is not None:
            for entity in found.subgraph.entities:
                if entity.type:
                    labels.setdefault(name_key(entity.name), []).append(entity.type)
        if self.nlp is not None:
            for chunk in chunks[:NER_PASSAGES]:
                for text, label, _ in self._chunk_entities(chunk):
                    labels.setdefault(name_key(text), []).append(label)
        # path ends still untyped: their stored type (an entity renamed in Cypher, a name no top
        # passage writes), else spaCy's label for the name alone, when it covers the whole name
        ends = {
            p.hops[-1].target_id: p.answer
            for p in found.answer_paths[:ANSWER_ENDS]
            if p.hops and p.hops[-1].target_id and name_key(p.answer) not in labels
        }
        if ends:
            stored = self.index.stored_types(ends)
            if stored is None:
                stored = [(e.id, e.type) for e in self.store.get_entities(list(ends))]
            for end, end_type in stored:
                if end_type and end in ends:
                    labels.setdefault(name_key(ends[end]), []).append(end_type)
        if self.nlp is None:
            return labels
        names = _unique_names(p.answer for p in found.answer_paths if name_key(p.answer) not in labels)
        names = names[:NAME_NER]
        said = {name: known.get(name) for name in names} if known is not None else {}
        todo = [name for name in names if said.get(name) is None]  # names the index lacks: parsed
        said.update(zip(todo, name_labels(self.nlp, todo), strict=True))
        for name in names:
            if said[name]:
                labels.setdefault(name_key(name), []).append(str(said[name]))
        return labels

    def name_labels(self) -> NameLabels | None:
        """Every entity name's spaCy label (the name alone), read from ``cache_dir`` (parsed once
        there when the graph changed, reusing the labels of names already labelled); None without
        a cache dir or spaCy, where path ends are parsed when a question needs them."""
        if self._name_ner is None and self.cache_dir is not None and self.nlp is not None:
            with self._passage_ner_lock:
                if self._name_ner is None:
                    self._name_ner = NameLabels.load(
                        self.index.entity_names, self.nlp, self.cache_dir, self.index.fingerprint
                    )
        return self._name_ner

    def passage_entities(self) -> PassageEntities | None:
        """Every passage's entities, read from ``cache_dir`` (parsed once there, batched, when the
        graph changed: a small ingest parses only its new passages); None without a cache dir or
        spaCy, where passages are parsed when a question first shows them."""
        if self._passage_ner is None and self.cache_dir is not None and self.nlp is not None:
            with self._passage_ner_lock:
                if self._passage_ner is None:
                    self._passage_ner = PassageEntities.load(
                        self.store, self.nlp, self.cache_dir, self.index.fingerprint
                    )
        return self._passage_ner

    def _chunk_entities(self, chunk: Chunk) -> list[tuple[str, str, str]]:
        """spaCy's entities of ``chunk`` (see :func:`text_entities`): precomputed, else parsed now
        and kept for the next question."""
        stored = self.passage_entities()
        entities = stored.get(chunk.id) if stored is not None else None
        if entities is not None:
            return entities
        entities = self._ner.get(chunk.id)
        if entities is None:
            if len(self._ner) >= NER_CACHE:
                self._ner.pop(next(iter(self._ner)))
            try:
                entities = text_entities(self.nlp, chunk.text[:NER_CHARS])
            except Exception:  # noqa: BLE001 - a passage spaCy fails on only loses its labels
                entities = []
            self._ner[chunk.id] = entities
        return entities


def shown_paths(
    generation: Generation, paths: Sequence[ReasoningPath], limit: int
) -> tuple[Generation, list[ReasoningPath]]:
    """The first ``limit`` paths, those the answer cites first, its ``P#`` labels renumbered."""
    cited = [int(c[1:]) - 1 for c in generation.citations if c.startswith("P")]
    order = _unique_rows([*cited, *range(len(paths))])[:limit]
    new_label = {f"P{row + 1}": f"P{i + 1}" for i, row in enumerate(order)}
    citations = tuple(
        new_label.get(c, c) for c in generation.citations if not c.startswith("P") or c in new_label
    )
    return replace(generation, citations=citations), [paths[row] for row in order]


def _unique_names(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(n for n in names if n.strip()))


def _unique_rows(rows: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(rows))


def _parse_cache(nlp: Any) -> Any:
    """``nlp`` behind a :class:`ParseCache` (None stays None): the question is parsed by the linker
    and twice by the answer typer, and once is enough."""
    return ParseCache(nlp) if nlp is not None and not isinstance(nlp, ParseCache) else nlp


def _in_order(chunks: Sequence[Chunk], ranked: Sequence[ScoredId]) -> list[Chunk]:
    by_id = {c.id: c for c in chunks}
    return [by_id[r.id] for r in ranked if r.id in by_id]


__all__ = ["METHODS", "GraphQA", "QAOptions", "Retrieval", "check_question"]
