"""Training the document-graph scorer on a small synthetic graph: the loss falls, answers improve."""

from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hopgraph.errors import HopGraphError  # noqa: E402
from hopgraph.reason.doc.scorer import (  # noqa: E402
    DocScorer,
    DocScorerConfig,
    load_doc_scorer,
    save_doc_scorer,
)
from hopgraph.reason.doc.subgraph import ScoringGraph  # noqa: E402
from hopgraph.reason.doc.train import (  # noqa: E402
    DocExample,
    DocTrainConfig,
    example_loss,
    hits_at_1,
    train_doc_scorer,
)
from hopgraph.types import Entity, Relation, ScoredId, Subgraph  # noqa: E402

DIM = 16
PREDICATES = ["capital of", "founded by", "president of"]


def _basis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def _examples(n: int, seed: int) -> list[DocExample]:
    """Star graphs: a seed with one edge per predicate. The question's vector is a direction no
    predicate shares (zero-shot sees a tie), but it always asks for "president of" a place."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ends = [f"n{i}-{p}" for p in PREDICATES]
        rng.shuffle(ends)
        relations = tuple(
            Relation(f"s{i}", p.upper().replace(" ", "_"), end, p, (f"c{i}{p}",))
            for p, end in zip(PREDICATES, sorted(ends, key=lambda e: rng.random()), strict=True)
        )
        entities = (Entity(f"Seed {i}", id=f"s{i}"), *(Entity(r.target, id=r.target) for r in relations))
        sub = Subgraph(entities, relations)
        graph = ScoringGraph.build(
            sub,
            [ScoredId(f"s{i}", 1.0)],
            lambda ids: np.stack([_basis(6 + sum(map(ord, x)) % 8) for x in ids]),
            lambda texts: np.stack([_basis(PREDICATES.index(t)) for t in texts]),
        )
        answer = next(r.target for r in relations if r.predicate == "president of")
        q = _basis(15) + 0.05 * np.asarray([rng.random() for _ in range(DIM)], dtype=np.float32)
        out.append(DocExample(f"q{i}", (answer,), graph, q / np.linalg.norm(q), graph.rows_named([answer])))
    return out


def test_training_lowers_the_loss_and_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    examples = _examples(30, seed=1)
    config = DocTrainConfig(epochs=15, lr=0.05, seed=0, patience=5)
    model, report = train_doc_scorer(examples, config)
    assert report.train_examples == 24 and report.valid_examples == 6
    assert report.train_loss[-1] < report.train_loss[0]
    assert report.valid_hits1_after >= 0.99 and report.valid_hits1_after > report.valid_hits1_before
    held_out = _examples(10, seed=2)
    assert hits_at_1(model, held_out) >= 0.9
    path = tmp_path / "qa.pt"
    save_doc_scorer(model, path, {"report": report.to_json()})
    loaded, meta = load_doc_scorer(path)
    assert meta["report"]["train_examples"] == 24
    with torch.no_grad():
        for ex in held_out[:3]:
            assert float(example_loss(loaded, ex, 20.0)) == pytest.approx(
                float(example_loss(model, ex, 20.0))
            )


def test_training_is_seeded() -> None:
    examples = _examples(10, seed=3)
    config = DocTrainConfig(epochs=3, lr=0.05, seed=7)
    _, first = train_doc_scorer(examples, config)
    _, second = train_doc_scorer(examples, config)
    assert first.train_loss == second.train_loss


def test_no_examples_is_a_clear_error() -> None:
    with pytest.raises(HopGraphError, match="no training examples"):
        train_doc_scorer([])


def test_training_that_only_hurts_held_out_questions_keeps_the_starting_scorer() -> None:
    """Held-out questions ask for "capital of", training ones for "president of": every epoch
    makes the held-out loss worse, so the zero-shot parameters come back unchanged."""
    examples = _examples(30, seed=1)
    config = DocTrainConfig(epochs=5, lr=0.05, seed=0, patience=5)
    order = list(range(len(examples)))
    random.Random(config.seed).shuffle(order)  # the split train_doc_scorer makes
    for i in order[: round(len(examples) * config.valid_fraction)]:
        ex = examples[i]
        capital = next(ex.graph.names[r] for r in range(ex.graph.num_nodes) if "capital" in ex.graph.names[r])
        examples[i] = DocExample(
            ex.question, (capital,), ex.graph, ex.question_vector, ex.graph.rows_named([capital])
        )
    model, report = train_doc_scorer(examples, config)
    assert report.epochs >= 1 and report.train_loss[-1] < report.train_loss[0]  # it did learn
    fresh = DocScorer(DocScorerConfig(dim=DIM)).state_dict()
    assert all(torch.equal(v, fresh[k]) for k, v in model.state_dict().items())
    assert report.valid_hits1_after == report.valid_hits1_before


def test_few_pairs_are_cross_validated_and_a_losing_scorer_is_flagged() -> None:
    from hopgraph.reason.doc.train import CROSS_VALIDATE_BELOW, DocTrainReport, train_qa_scorer

    examples = _examples(10, seed=1)
    assert len(examples) < CROSS_VALIDATE_BELOW
    config = DocTrainConfig(epochs=10, lr=0.05, seed=0, patience=5)
    _, report = train_qa_scorer(examples, config)
    assert report.validation == "5-fold cross-validation" and report.valid_examples == 10
    assert report.valid_hits1_after > report.valid_hits1_before and not report.loses and report.verified
    # worse on held-out pairs than zero-shot: flagged; nothing held out: not verified
    losing = DocTrainReport(8, 2, 3, 0.1, valid_hits1_before=0.5, valid_hits1_after=0.0)
    assert losing.loses and losing.to_json()["loses"] is True
    unchecked = DocTrainReport(1, 0, 3, 0.1)
    assert not unchecked.verified and not unchecked.loses
