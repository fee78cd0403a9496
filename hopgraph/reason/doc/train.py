"""Training the document-graph scorer on the user's own (question, answer) pairs over their graph.

Each pair becomes a :class:`DocExample`: the question's linked seeds, the bounded subgraph around
them as a :class:`~hopgraph.reason.doc.subgraph.ScoringGraph`, the question vector and the target
rows (graph entities whose name matches the answer or an alias, case-insensitively). Pairs whose
subgraph holds no target teach nothing and are counted, not used. The loss is a softmax cross
entropy of the scaled node scores (seeds left out) against the targets; training is seeded, on
CPU, with a held-out split and early stopping on its loss.

:func:`train_qa_scorer` is what ``hopgraph train qa`` runs: with at least
:data:`CROSS_VALIDATE_BELOW` usable pairs it holds out a validation share; with fewer it
cross-validates (each fold trained from the zero-shot scorer and scored on the pairs it did not
see), then trains on every pair. Either way the report compares zero-shot and trained Hits@1 on
held-out pairs, and :attr:`DocTrainReport.loses` says whether the trained weights lost: the
command then refuses to write them unless forced.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from hopgraph.embed import Embedder
from hopgraph.errors import HopGraphError
from hopgraph.kg.base import GraphStore
from hopgraph.reason.doc.options import QAOptions
from hopgraph.reason.doc.scorer import DocScorer, DocScorerConfig
from hopgraph.reason.doc.subgraph import ScoringGraph, VectorLookup
from hopgraph.types import ScoredId, Subgraph

Linker = Callable[[str], list[ScoredId]]


@dataclass
class DocExample:
    question: str
    answers: tuple[str, ...]
    graph: ScoringGraph
    question_vector: np.ndarray
    targets: list[int]


@dataclass
class PreparedExamples:
    examples: list[DocExample]
    no_seed: int = 0
    no_target: int = 0


def prepare_store_examples(
    store: GraphStore,
    pairs: Iterable[tuple[str, Sequence[str]]],
    embedder: Embedder,
    *,
    cache_dir: Path | None = None,
    options: QAOptions | None = None,
) -> PreparedExamples:
    """Training examples seen as :meth:`hopgraph.HopGraph.ask` sees questions: the same seed
    linking (:meth:`GraphQA.link`), subgraph hops and bounds (``options``, default
    :class:`QAOptions`), over the same cached graph index and in-memory relation table."""
    from hopgraph.reason.doc.pipeline import GraphQA

    options = options or QAOptions()
    qa = GraphQA.load(store, embedder=embedder, cache_dir=cache_dir, options=options)
    return prepare_examples(
        store,
        pairs,
        embedder,
        qa.index.entity_vectors_by_id,
        qa.index.predicate_vectors_of,
        qa.link,
        hops=options.hops,
        max_nodes=options.subgraph_nodes,
        max_edges=options.subgraph_edges,
        fetch=qa.relations.subgraph,
    )


def prepare_examples(
    store: GraphStore,
    pairs: Iterable[tuple[str, Sequence[str]]],
    embedder: Embedder,
    entity_vectors: VectorLookup,
    predicate_vectors: VectorLookup,
    link: Linker,
    *,
    hops: int = QAOptions.hops,
    max_nodes: int = QAOptions.subgraph_nodes,
    max_edges: int = QAOptions.subgraph_edges,
    fetch: Callable[..., Subgraph] | None = None,
) -> PreparedExamples:
    """Examples of ``(question, answers)`` pairs (answers: the answer then its aliases); the
    vector look-ups as :meth:`ScoringGraph.build` takes them (the graph index's).

    ``fetch(seed_ids, hops=, max_nodes=, max_edges=)`` gives the subgraph (default
    ``store.subgraph``; :meth:`RelationTable.subgraph` is ~100x faster). The hop count and bounds
    default to :class:`QAOptions`', so the scorer trains on subgraphs like those it will score."""
    fetch = fetch or store.subgraph
    items = [(q, tuple(a)) for q, a in pairs if q and q.strip()]
    vectors = embedder.embed([q for q, _ in items]) if items else np.zeros((0, 1), dtype=np.float32)
    out = PreparedExamples([])
    for (question, answers), vector in zip(items, vectors, strict=True):
        seeds = link(question)
        if not seeds:
            out.no_seed += 1
            continue
        sub = fetch([s.id for s in seeds], hops=hops, max_nodes=max_nodes, max_edges=max_edges)
        graph = ScoringGraph.build(sub, seeds, entity_vectors, predicate_vectors)
        seed_rows = set(graph.seed_rows)
        targets = [r for r in graph.rows_named(answers) if r not in seed_rows]
        if not targets:
            out.no_target += 1
            continue
        out.examples.append(DocExample(question, answers, graph, np.asarray(vector), targets))
    return out


@dataclass(frozen=True)
class DocTrainConfig:
    epochs: int = 30
    lr: float = 0.01
    seed: int = 0
    valid_fraction: float = 0.2
    patience: int = 5
    logit_scale: float = 20.0
    time_limit_s: float | None = None


CROSS_VALIDATE_BELOW = 20
"""With fewer usable pairs than this, :func:`train_qa_scorer` cross-validates instead of holding
out a share (a 20% share of 10 pairs is two questions: no measure at all)."""
MAX_FOLDS = 5


@dataclass
class DocTrainReport:
    train_examples: int
    valid_examples: int
    epochs: int
    seconds: float
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_hits1_before: float = 0.0
    """Zero-shot Hits@1 on the held-out pairs (pooled over the folds when cross-validated)."""
    valid_hits1_after: float = 0.0
    """Trained Hits@1 on the same held-out pairs."""
    validation: str = "held-out share"
    """How the held-out figures were made: ``held-out share``, ``N-fold cross-validation`` or
    ``none`` (too few pairs to hold any out)."""

    @property
    def loses(self) -> bool:
        """True when the trained scorer did worse than zero-shot on held-out pairs."""
        return self.valid_examples > 0 and self.valid_hits1_after < self.valid_hits1_before

    @property
    def verified(self) -> bool:
        """Whether any pair was held out to compare zero-shot and trained on."""
        return self.valid_examples > 0

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "loses": self.loses, "verified": self.verified}


def example_loss(model: DocScorer, ex: DocExample, scale: float) -> torch.Tensor:
    """Cross entropy of the scaled node scores (seeds left out) against the target rows."""
    scores = model(ex.graph, ex.question_vector).node_scores
    keep = ex.graph.seed_weights <= 0
    logits = (scores * scale).masked_fill(~keep, float("-inf"))
    target = torch.zeros_like(scores, dtype=torch.bool)
    target[ex.targets] = True
    return torch.logsumexp(logits, 0) - torch.logsumexp(logits.masked_fill(~target, float("-inf")), 0)


def hits_at_1(model: DocScorer, examples: Sequence[DocExample]) -> float:
    """Share of examples whose best-scored non-seed node is a target."""
    if not examples:
        return 0.0
    hits = 0
    with torch.no_grad():
        for ex in examples:
            scores = model(ex.graph, ex.question_vector).node_scores.masked_fill(
                ex.graph.seed_weights > 0, -1.0
            )
            hits += int(int(scores.argmax()) in ex.targets) if scores.numel() else 0
    return hits / len(examples)


def _mean_loss(model: DocScorer, examples: Sequence[DocExample], scale: float) -> float:
    with torch.no_grad():
        losses = [float(example_loss(model, ex, scale)) for ex in examples]
    return float(np.mean(losses)) if losses else 0.0


def train_doc_scorer(
    examples: Sequence[DocExample],
    config: DocTrainConfig | None = None,
    model: DocScorer | None = None,
) -> tuple[DocScorer, DocTrainReport]:
    """Train (a copy of the zero-shot scorer unless ``model`` is given); keeps the parameters of
    the epoch with the lowest held-out loss, the starting ones included (training loss when
    nothing is held out)."""
    config = config or DocTrainConfig()
    if not examples:
        raise HopGraphError(
            "no training examples: no question linked to an entity whose subgraph holds its answer; "
            "check that the questions are about this graph"
        )
    torch.manual_seed(config.seed)
    order = list(range(len(examples)))
    random.Random(config.seed).shuffle(order)
    n_valid = round(len(examples) * config.valid_fraction) if len(examples) >= 5 else 0
    valid = [examples[i] for i in order[:n_valid]]
    train = [examples[i] for i in order[n_valid:]]
    dim = int(train[0].question_vector.shape[-1])
    model = model or DocScorer(DocScorerConfig(dim=dim))
    report = DocTrainReport(len(train), len(valid), 0, 0.0)
    report.valid_hits1_before = hits_at_1(model.eval(), valid)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    started = time.perf_counter()
    # the starting (zero-shot) parameters compete too: training that only hurts held-out
    # questions gives them back unchanged
    start = _mean_loss(model, valid, config.logit_scale) if valid else float("inf")
    best = (start, {k: v.clone() for k, v in model.state_dict().items()})
    stale = 0
    rng = random.Random(config.seed + 1)
    for _ in range(config.epochs):
        model.train()
        rng.shuffle(train)
        total = 0.0
        for ex in train:
            optimiser.zero_grad()
            loss = example_loss(model, ex, config.logit_scale)
            if torch.isfinite(loss):
                loss.backward()
                optimiser.step()
                total += float(loss.detach())
        model.eval()
        report.epochs += 1
        report.train_loss.append(total / len(train))
        watched = _mean_loss(model, valid, config.logit_scale) if valid else report.train_loss[-1]
        if valid:
            report.valid_loss.append(watched)
        if watched < best[0] - 1e-4:
            best, stale = (watched, {k: v.clone() for k, v in model.state_dict().items()}), 0
        else:
            stale += 1
        elapsed = time.perf_counter() - started
        if stale >= config.patience or (config.time_limit_s and elapsed > config.time_limit_s):
            break
    model.load_state_dict(best[1])
    model.eval()
    report.seconds = time.perf_counter() - started
    report.valid_hits1_after = hits_at_1(model, valid)
    return model, report


def train_qa_scorer(
    examples: Sequence[DocExample], config: DocTrainConfig | None = None
) -> tuple[DocScorer, DocTrainReport]:
    """Train on ``examples`` and measure zero-shot vs trained on pairs held out from training
    (see the module docstring). The returned report's held-out figures are the cross-validated
    ones when there were fewer than :data:`CROSS_VALIDATE_BELOW` examples."""
    config = config or DocTrainConfig()
    if len(examples) >= CROSS_VALIDATE_BELOW:
        return train_doc_scorer(examples, config)
    if not examples:
        return train_doc_scorer(examples, config)  # raises the clear "no training examples" error
    folds = min(MAX_FOLDS, len(examples))
    order = list(range(len(examples)))
    random.Random(config.seed).shuffle(order)
    before = after = 0.0
    held_total = 0
    no_split = replace(config, valid_fraction=0.0)
    if folds >= 2:
        for k in range(folds):
            held = [examples[i] for i in order[k::folds]]
            train = [examples[i] for i in order if i not in set(order[k::folds])]
            dim = int(train[0].question_vector.shape[-1])
            zero_shot = DocScorer(DocScorerConfig(dim=dim))
            before += hits_at_1(zero_shot.eval(), held) * len(held)
            trained, _ = train_doc_scorer(train, no_split, model=DocScorer(DocScorerConfig(dim=dim)))
            after += hits_at_1(trained, held) * len(held)
            held_total += len(held)
    model, report = train_doc_scorer(examples, no_split)
    report.valid_examples = held_total
    report.valid_hits1_before = before / held_total if held_total else 0.0
    report.valid_hits1_after = after / held_total if held_total else 0.0
    report.validation = f"{folds}-fold cross-validation" if held_total else "none"
    return model, report
