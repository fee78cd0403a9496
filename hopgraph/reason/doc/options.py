"""The QA pipeline's options, methods and input check (nothing heavy: the CLI imports this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hopgraph.errors import ConfigError, QuestionError
from hopgraph.types import ReasoningPath, ScoredId, Subgraph

METHODS = ("dense", "fulltext", "hybrid", "ppr", "gnn_ppr", "full")
"""Retrieval methods, each adding a stage to the one before (``hybrid`` fuses the first two)."""

DEFAULT_METHOD = "full"
"""The method ``ask`` and ``eval retrieval`` use unless told otherwise."""

TEXT_METHODS = ("dense", "fulltext", "hybrid")
"""The methods that rank text only; the others start from entities linked in the question."""
NO_SEEDS = (
    "No answer could be derived from the graph: no name in the question matches an entity of the "
    "graph. The passages below are the closest text matches."
)
NO_CONFIDENT_ANSWER = "No confident answer"
"""How an abstaining answer starts (then its best guess and confidence, and the passages)."""
DEFAULT_MIN_CONFIDENCE = 0.24
"""The extractive answer's confidence threshold: chosen on MuSiQue-100's 200 questions of both
graphs together (GPT-3.5 triples and offline extractor) as the best precision answering at least
20% of them, 0.135 at 26%; 5-fold cross-validated 0.120 at 25%; at 0.24 the GPT-3.5 graph answers
29% with precision 0.103, the offline graph 22% with 0.136 (``benchmarks/bench_abstention.py
--pool``, BENCHMARKS.md)."""
MAX_QUESTION_CHARS = 2000
"""Longer input is refused with a clear error: it is a document, not a question."""


@dataclass(frozen=True)
class QAOptions:
    """Knobs of the pipeline; the defaults are the ones BENCHMARKS.md measured."""

    k: int = 5
    """Chunks returned with an answer (and passages ranked for evaluation)."""
    candidates: int = 50
    """Chunks fetched from each text retriever before fusion."""
    seeds: int = 10
    """Seed entities linked from the question."""
    min_seed_score: float = 0.8
    """Seeds scoring less (a lower-case one-word name, a partial full-text hit) are dropped when a
    better one exists."""
    hops: int = 3
    """Hop limit of the GNN scorer and the path reasoner."""
    max_paths: int = 5
    """Reasoning paths returned with an answer."""
    answer_paths: int = 20
    """Paths the extractive answerer weighs (the best ``max_paths`` are fused into the passage
    ranking and shown, with the answer's own paths first)."""
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    """Below this confidence the extractive answer abstains: "no confident answer", the best
    passages shown (0: always answer)."""
    beam: int = 16
    subgraph_nodes: int = 300
    subgraph_edges: int = 1500
    subgraph_from_store: bool = False
    """Read the seeds' neighbourhood with ``store.subgraph`` instead of cutting it from the
    in-memory index (same bounds; slower on FalkorDB graphs with thousands of relationship
    types, ~200 ms on MuSiQue; paths are checked against the store either way)."""
    damping: float = 0.5
    """PageRank damping (HippoRAG's 0.5: the walk stays near its seeds)."""
    passage_reset: float = 0.5
    """Share of the restart mass put on passages by their dense score (HippoRAG 2's dense-sparse
    integration), the rest on the linked entities: an even split. The walk then stays close to the
    dense ranking where the graph adds little and moves passages the entities reach. On both
    MuSiQue-100 graphs (GPT-3.5 triples, offline extractor) 0.5 is the share a fit on either graph
    picks for the other; leave-half-out figures in BENCHMARKS.md (was 0.05: R@2 below dense)."""
    passage_scores: str = "minmax"
    """How dense scores become passage restart weights: ``minmax`` over the candidates (HippoRAG 2:
    the best weighs 1, the last 0) or ``raw`` cosines (nearly flat: 0.3-0.6 on MiniLM)."""
    gnn_mix: float = 0.5
    """Share of the entity restart mass taken from the GNN's node scores (rest: linked seeds)."""
    fusion: bool = True
    """``full`` ranks its passages with :mod:`hopgraph.retrieval.fusion` (a head fitted on both
    MuSiQue-100 graphs interleaved with a damping-0.85 walk); False: the default walk's order, as
    ``gnn_ppr`` (BENCHMARKS.md "#11 session 6")."""
    second_hop: bool = True
    """With ``fusion``: the passage whose document title names an entity ``full``'s first passage
    mentions and the question's seeds do not (the bridge of a multi-hop question), best by the
    question's cosine, takes the fifth place (:func:`hopgraph.retrieval.fusion.second_hop`;
    BENCHMARKS.md "#11 session 8"); False: the fused order alone."""

    def __post_init__(self) -> None:
        for name in ("k", "candidates", "seeds", "hops", "max_paths", "beam"):
            if getattr(self, name) < 1:
                raise ConfigError(f"QAOptions.{name} must be >= 1, got {getattr(self, name)}")
        if self.passage_scores not in ("minmax", "raw"):
            raise ConfigError(
                f"QAOptions.passage_scores must be 'minmax' or 'raw', got {self.passage_scores!r}"
            )
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(f"QAOptions.min_confidence must be in [0, 1], got {self.min_confidence}")
        if not 0.0 < self.damping < 1.0:
            raise ConfigError(f"QAOptions.damping must be in (0, 1), got {self.damping}")


@dataclass
class Retrieval:
    """What :meth:`GraphQA.retrieve` found: ranked chunks (ids and scores), seeds, paths, timings (ms)."""

    question: str
    method: str
    chunks: list[ScoredId]
    seeds: list[ScoredId] = field(default_factory=list)
    paths: list[ReasoningPath] = field(default_factory=list)
    answer_paths: list[ReasoningPath] = field(default_factory=list)
    """The paths the extractive answerer weighs: ``paths`` first, then more (``answer_paths``)."""
    subgraph: Subgraph | None = None
    timings: dict[str, float] = field(default_factory=dict)


def check_question(question: str) -> str:
    """The question stripped; a clear :class:`QuestionError` when it is empty or too long."""
    if not isinstance(question, str):
        raise QuestionError(f"a question must be text, got {type(question).__name__}")
    text = " ".join(question.split())
    if not text:
        raise QuestionError("the question is empty: ask something, e.g. 'Who directed Heat?'")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; questions are limited to "
            f"{MAX_QUESTION_CHARS:,}: ask about one thing at a time"
        )
    return text


__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_MIN_CONFIDENCE",
    "MAX_QUESTION_CHARS",
    "METHODS",
    "NO_CONFIDENT_ANSWER",
    "NO_SEEDS",
    "TEXT_METHODS",
    "QAOptions",
    "Retrieval",
    "check_question",
]
