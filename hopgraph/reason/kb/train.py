"""Training and batched prediction of the :class:`~hopgraph.reason.kb.scorer.HopScorer` on a KB.

Loss: mean squared error between the final entity scores and the multi-hot gold answers
(TransferNet's), summed over entities and averaged over the batch. Everything is seeded:
the same questions, graph, config and thread count give the same weights.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from hopgraph.reason.kb.encoder import Vocab
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.questions import Example, KBQuestion, resolve, split_questions
from hopgraph.reason.kb.scorer import HopScorer, ReasonerConfig, ScorerOutput, TransferGraph

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 4
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    word_dropout: float = 0.05
    hops: int = 3
    dim: int = 128
    hidden: int = 128
    dropout: float = 0.1
    threshold: float = 1e-3
    """See ReasonerConfig.threshold (saved with the weights, so inference uses it too)."""
    clip_slope: float = 0.01
    """See ReasonerConfig.clip_slope (saved with the weights)."""
    threads: int = 1
    """Torch threads. 1 by default: these ops are small, and on a shared 2-core machine two
    OpenMP threads spin against other processes (measured 3-10x slower than one)."""
    time_limit_s: float | None = None
    """Stop after the batch that crosses this much training time (the epoch count still caps it)."""


@dataclass
class TrainReport:
    examples: int
    skipped: int
    epochs_run: float
    seconds: float
    losses: list[float] = field(default_factory=list)
    """Mean loss of each epoch."""


def _batch_inputs(
    model: HopScorer, batch: Sequence[Example], word_dropout: float, rng: random.Random | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids, lengths = model.vocab.batch([e.masked for e in batch])
    if word_dropout > 0 and rng is not None:
        drop = torch.tensor([[rng.random() < word_dropout for _ in range(ids.shape[1])] for _ in batch])
        ids = torch.where(drop & (ids > 2), torch.ones_like(ids), ids)
    topics = torch.tensor([e.topic for e in batch], dtype=torch.long)
    return ids, lengths, topics


def run_batch(
    model: HopScorer,
    graph: TransferGraph,
    batch: Sequence[Example],
    *,
    word_dropout: float = 0.0,
    rng: random.Random | None = None,
) -> ScorerOutput:
    """Score one batch of resolved examples (every topic must be >= 0)."""
    ids, lengths, topics = _batch_inputs(model, batch, word_dropout, rng)
    return model(ids, lengths, topics, graph)


def build_model(graph: KBGraph, examples: Sequence[Example], config: TrainConfig) -> HopScorer:
    vocab = Vocab.build(e.masked for e in examples)
    reasoner = ReasonerConfig(
        relations=tuple(graph.relation_types),
        hops=config.hops,
        dim=config.dim,
        hidden=config.hidden,
        dropout=config.dropout,
        threshold=config.threshold,
        clip_slope=config.clip_slope,
    )
    return HopScorer(reasoner, vocab)


def trainable(examples: Sequence[Example]) -> list[Example]:
    """Examples with a topic node and at least one gold answer in the graph."""
    return [e for e in examples if e.topic >= 0 and e.answers]


def train_scorer(
    graph: KBGraph,
    examples: Sequence[Example],
    config: TrainConfig = TrainConfig(),
    *,
    on_epoch: Callable[[int, float], None] | None = None,
) -> tuple[HopScorer, TrainReport]:
    """Train a fresh scorer on resolved examples; returns it in eval mode with a report."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    usable = trainable(examples)
    if not usable:
        raise ValueError("no trainable examples: every question lacks its topic or answers in the graph")
    model = build_model(graph, usable, config)
    transfer = model.prepare(graph)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    steps_per_epoch = (len(usable) + config.batch_size - 1) // config.batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=config.lr, total_steps=max(1, steps_per_epoch * config.epochs), pct_start=0.1
    )
    report = TrainReport(examples=len(usable), skipped=len(examples) - len(usable), epochs_run=0, seconds=0)
    started = time.perf_counter()
    model.train()
    order = list(range(len(usable)))
    for epoch in range(config.epochs):
        rng.shuffle(order)
        total = 0.0
        done = 0
        for start in range(0, len(order), config.batch_size):
            batch = [usable[i] for i in order[start : start + config.batch_size]]
            out = run_batch(model, transfer, batch, word_dropout=config.word_dropout, rng=rng)
            loss = out.squared_error([list(e.answers) for e in batch])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            total += float(loss.detach()) * len(batch)
            done += len(batch)
            if (start // config.batch_size) % 100 == 99:
                log.info(
                    "epoch %d: %d/%d questions, loss %.4f, %.0f s",
                    epoch + 1,
                    done,
                    len(usable),
                    total / done,
                    time.perf_counter() - started,
                )
            limit = config.time_limit_s
            if limit is not None and time.perf_counter() - started > limit:
                break
        report.losses.append(total / max(1, done))
        report.epochs_run = epoch + done / len(usable)
        log.info("epoch %d loss %.4f (%.0f s)", epoch + 1, report.losses[-1], time.perf_counter() - started)
        if on_epoch is not None:
            on_epoch(epoch + 1, report.losses[-1])
        if config.time_limit_s is not None and time.perf_counter() - started > config.time_limit_s:
            break
    report.seconds = time.perf_counter() - started
    model.eval()
    return model, report


def train_metaqa(
    graph: KBGraph,
    questions: Sequence[KBQuestion],
    config: TrainConfig,
    *,
    train_fraction: float = 0.8,
) -> tuple[HopScorer, TrainReport, list[KBQuestion], dict[str, Any]]:
    """Train on the seeded ``train_fraction`` of ``questions``; returns the model, its report,
    the held-out validation questions and the metadata saved with the weights."""
    train, valid = split_questions(questions, config.seed, train_fraction)
    model, report = train_scorer(graph, resolve(graph, train), config)
    meta = {
        "dataset": "MetaQA dev (1/2/3-hop), seeded 80/20 split by question hash",
        "train_fraction": train_fraction,
        "seed": config.seed,
        "train_questions": len(train),
        "valid_questions": len(valid),
        "trained_examples": report.examples,
        "epochs": config.epochs,
        "epochs_run": report.epochs_run,
        "train_seconds": round(report.seconds, 1),
        "losses": [round(x, 4) for x in report.losses],
        "config": asdict(config),
    }
    return model, report, valid, meta
