"""Questions over a KB, resolved against a :class:`KBGraph`, and the seeded train/validation split."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hopgraph.ids import entity_id
from hopgraph.reason.kb.encoder import mask_topic
from hopgraph.reason.kb.graph import KBGraph


@dataclass(frozen=True, slots=True)
class KBQuestion:
    """A question with its topic mention and gold answer names (``hops``: 0 when unknown)."""

    text: str
    topic: str
    answers: tuple[str, ...] = ()
    hops: int = 0


@dataclass(frozen=True, slots=True)
class Example:
    """A question resolved against a graph: masked text, topic node, answer nodes (-1: no topic)."""

    question: KBQuestion
    masked: str
    topic: int
    answers: tuple[int, ...]


def find_node(graph: KBGraph, name: str) -> int:
    """Node index of ``name``: its exact entity id first, else a case-insensitive name match
    (the lowest entity id among several), else -1."""
    exact = graph.index_of(entity_id(name))
    if exact is not None:
        return exact
    folded = graph.casefold_index.get(name.strip().casefold())
    return folded if folded is not None else -1


def resolve(graph: KBGraph, questions: Iterable[KBQuestion]) -> list[Example]:
    """Every question as an :class:`Example`; gold answers the graph lacks are left out."""
    out = []
    for q in questions:
        answers = tuple(
            sorted({i for i in (graph.index_of(entity_id(a)) for a in q.answers) if i is not None})
        )
        out.append(Example(q, mask_topic(q.text, q.topic), find_node(graph, q.topic), answers))
    return out


def split_fraction(question: KBQuestion, seed: int) -> float:
    """A number in [0, 1) fixed by the seed and the question's text and answers."""
    digest = hashlib.sha256(f"{seed}\x1f{question.text}\x1f{'|'.join(question.answers)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_questions(
    questions: Sequence[KBQuestion], seed: int = 0, train_fraction: float = 0.8
) -> tuple[list[KBQuestion], list[KBQuestion]]:
    """Seeded, deterministic ``(train, validation)`` split by a hash of each question.

    The side a question lands on depends only on the seed and the question itself, not on file
    order or on which files were read together, so ``hopgraph eval --split val`` on one hop's file
    picks exactly the validation questions training left out. About ``train_fraction`` go to train.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}")
    train: list[KBQuestion] = []
    valid: list[KBQuestion] = []
    for q in questions:
        (train if split_fraction(q, seed) < train_fraction else valid).append(q)
    return train, valid
