"""Knowledge-base question answering: a trained scorer plus a graph, answers with checked paths.

    reasoner = KBReasoner.load(KBGraph.from_store(store))        # bundled MetaQA weights
    answer = answer_kb_question(store, "who directed [Heat]", reasoner=reasoner)
    print(answer.text, [str(p) for p in answer.paths])

Answers are ordered by :mod:`hopgraph.reason.kb.rank`: the scorer's score (less a little for an
entity the path already passed through), ties broken by the random-walk mass of the scorer's
best relation sequence, then by the lowest entity id. The topic entity is never an answer (its
score is zeroed at every hop). When the best relation sequence reaches no entity (a triple
missing from the KB), the answers come from the first stage of relaxations of that sequence that
reaches any (:mod:`hopgraph.reason.kb.relax`), ranked by random-walk mass, then by the scorer's
score, then by the lowest entity id; such answers name the relaxation their path took in
``RankedEntity.relaxation``.
``KBReasoner(..., relax_empty=False)`` turns this off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from hopgraph.errors import HopGraphError
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.reason.base import path_label, paths_in_store
from hopgraph.reason.kb.encoder import mask_topic
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.paths import HopScores, KBPath, PathIndex
from hopgraph.reason.kb.questions import Example, KBQuestion, find_node
from hopgraph.reason.kb.rank import demote_revisits, rank
from hopgraph.reason.kb.relax import RelaxedAnswer, compatible_slots, relax, sequence_mass
from hopgraph.reason.kb.scorer import HopScorer, load_scorer
from hopgraph.types import Answer

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "metaqa.pt"
"""The bundled MetaQA weights (``hopgraph train metaqa`` writes them)."""


class TopicNotFoundError(HopGraphError):
    """The question's topic entity is not in the graph."""


@dataclass(frozen=True, slots=True)
class RankedEntity:
    node: int
    entity: str
    name: str
    score: float
    path: KBPath | None = None
    relaxation: str = ""
    """Empty for the scorer's own answers; else the relaxation of the relation sequence that
    found this one (its ``score`` is then its random-walk mass relative to the best answer's)."""


@dataclass(frozen=True, slots=True)
class Prediction:
    """The answers to one question, best first (empty when the topic is missing or nothing scored)."""

    answers: tuple[RankedEntity, ...]

    @property
    def node(self) -> int:
        return self.answers[0].node if self.answers else -1


class KBReasoner:
    """A :class:`HopScorer` bound to a :class:`KBGraph`; batched answers with their paths."""

    def __init__(self, model: HopScorer, graph: KBGraph, *, relax_empty: bool = True) -> None:
        self.model = model.eval()
        self.graph = graph
        self.relax_empty = relax_empty
        """Answer questions whose best relation sequence reaches nothing by relaxing it."""
        self.transfer = model.prepare(graph)
        self.compatible = compatible_slots(self.transfer)
        self.paths = PathIndex(graph, self.transfer.edge_index.numpy(), self.transfer.edge_slot.numpy())

    @classmethod
    def load(cls, graph: KBGraph, weights: str | Path | None = None) -> KBReasoner:
        model, _ = load_scorer(str(weights or DEFAULT_WEIGHTS))
        return cls(model, graph)

    def predict(
        self,
        examples: Sequence[Example],
        *,
        batch_size: int = 256,
        top_k: int = 1,
        with_paths: bool = True,
        beam: int = 4,
    ) -> list[Prediction]:
        """Top ``top_k`` answers per example; each with its best path when ``with_paths``."""
        out = [Prediction(())] * len(examples)
        todo = [i for i, e in enumerate(examples) if e.topic >= 0]
        with torch.no_grad():
            for start in range(0, len(todo), batch_size):
                chunk = todo[start : start + batch_size]
                batch = [examples[i] for i in chunk]
                ids, lengths = self.model.vocab.batch([e.masked for e in batch])
                topics = torch.tensor([e.topic for e in batch], dtype=torch.long)
                res = self.model(ids, lengths, topics, self.transfer)
                n = self.graph.num_nodes
                keys = res.keys.numpy()
                hop_keys = [k.numpy() for k in res.hop_keys]
                hop_values = [v.numpy() for v in res.hop_scores]
                slots = res.relation_attention.argmax(-1)
                hop_count = res.hop_attention.argmax(-1) + 1
                mass = sequence_mass(self.model.transfer, self.transfer, topics, slots, hop_count)
                scores = demote_revisits(keys, res.scores.numpy(), hop_keys, hop_values, hop_count.numpy(), n)
                ranked = rank(keys, scores, n, len(batch), top_k, mass)
                attention = res.relation_attention.numpy()
                mix = res.hop_attention.numpy()
                relaxed: dict[int, RelaxedAnswer] = {}
                if self.relax_empty:
                    empty = ~np.isin(np.arange(len(batch)), mass[0] // n)
                    relaxed = relax(
                        self.model.transfer,
                        self.transfer,
                        topics,
                        slots,
                        hop_count,
                        (keys, res.scores.numpy()),
                        self.compatible,
                        torch.from_numpy(np.flatnonzero(empty)),
                    )
                for row, i in enumerate(chunk):
                    if row in relaxed:
                        out[i] = self._relaxed(relaxed[row], batch[row].topic, top_k, with_paths, beam)
                        continue
                    lookup = HopScores(hop_keys, hop_values, row, n)
                    answers = []
                    for node, score in ranked[row]:
                        path = None
                        if with_paths:
                            target = np.array([node])
                            by_hop = [mix[row, t] * lookup(t, target)[0] for t in range(len(hop_keys))]
                            hop = int(np.argmax(by_hop)) + 1
                            found = self.paths.trace(
                                node, batch[row].topic, lookup, attention[:, row], hop, beam=beam
                            )
                            path = found[0] if found else None
                        g = self.graph
                        answers.append(RankedEntity(node, g.node_ids[node], g.names[node], score, path))
                    out[i] = Prediction(tuple(answers))
        return out

    def _relaxed(
        self, found: RelaxedAnswer, topic: int, top_k: int, with_paths: bool, beam: int
    ) -> Prediction:
        g, n = self.graph, self.graph.num_nodes
        best = float(found.mass[0]) if found.mass.size else 1.0
        answers = []
        for i, node in enumerate(found.nodes[:top_k].tolist()):
            walk = found.walks[int(found.walk_of[i])]  # the relaxed walk that gave it the most mass
            path = None
            if with_paths:
                lookup = HopScores(walk.hop_keys, walk.hop_values, 0, n)
                hops = len(walk.hop_keys)
                paths = self.paths.trace(node, topic, lookup, walk.attention, hops, beam=beam)
                path = paths[0] if paths else None
            score = float(found.mass[i]) / best
            answers.append(
                RankedEntity(node, g.node_ids[node], g.names[node], score, path, str(walk.relaxation))
            )
        return Prediction(tuple(answers))


def topic_node(store: GraphStore | None, graph: KBGraph, mention: str) -> int:
    """Node of a topic mention: exact entity id, else ``store.find_entities`` (case-insensitive,
    lowest id first), else the graph's own case-insensitive name index; -1 when none matches."""
    exact = graph.index_of(entity_id(mention))
    if exact is not None:
        return exact
    if store is not None:
        found = sorted(e.id for e in store.find_entities([mention]))
        for candidate in found:
            node = graph.index_of(candidate)
            if node is not None:
                return node
    return find_node(graph, mention)


def predict_question(
    store: GraphStore | None,
    question: str,
    *,
    reasoner: KBReasoner,
    top_k: int = 3,
    min_relative_score: float = 0.5,
) -> Prediction:
    """The ranked answers to one question, each with its path (see :func:`answer_kb_question`);
    answers scoring under ``min_relative_score`` times the best are left out."""
    mention = _bracketed(question)
    if not mention and store is not None:
        from hopgraph.retrieval.linking import link_entities

        linked = link_entities(store, question, k=1)
        mention = linked[0].text if linked else ""
    node = topic_node(store, reasoner.graph, mention) if mention else -1
    if node < 0:
        raise TopicNotFoundError(
            f"no topic entity found for {question!r}: put the entity name in [brackets] "
            "or check that it is in the graph (hopgraph cypher)"
        )
    example = Example(KBQuestion(question, mention), mask_topic(question, mention), node, ())
    answers = reasoner.predict([example], top_k=top_k)[0].answers
    best = answers[0].score if answers else 0.0
    return Prediction(tuple(a for a in answers if a.score >= min_relative_score * best))


def answer_kb_question(
    store: GraphStore | None,
    question: str,
    *,
    reasoner: KBReasoner,
    top_k: int = 3,
    min_relative_score: float = 0.5,
) -> Answer:
    """Answer one question over a KB graph: the topic comes from ``[brackets]``, else from entity
    linking (:func:`hopgraph.retrieval.linking.link_entities`). ``Answer.paths`` holds one checked
    path per answer, best first; ``Answer.text`` the answer names joined by ``; ``.
    Raises :class:`TopicNotFoundError` when no topic entity can be found in the graph."""
    prediction = predict_question(
        store, question, reasoner=reasoner, top_k=top_k, min_relative_score=min_relative_score
    )
    return _answer_of(prediction)


def _answer_of(prediction: Prediction) -> Answer:
    paths = tuple(a.path.to_reasoning_path() for a in prediction.answers if a.path is not None)
    return Answer(text="; ".join(a.name for a in prediction.answers), paths=paths)


def stored_answers(store: GraphStore, prediction: Prediction) -> list[bool]:
    """For each answer, whether every step of its path is a relation the store holds (an answer
    without a path has nothing to check: True). One typed read per relation type."""
    paths = [a.path.to_reasoning_path() for a in prediction.answers if a.path is not None]
    held = iter(paths_in_store(store, paths))
    return [a.path is None or next(held) for a in prediction.answers]


class KBQuestionAnswerer:
    """:func:`answer_kb_question` behind the ``ask(question, method, k=...)`` of the document
    pipeline, so :meth:`hopgraph.HopGraph.ask` serves both kinds of graph the same way.

    The graph comes from ``cache_dir`` when its cache is current (:meth:`KBGraph.load`), and every
    answer's path is checked in the store: a path the store no longer holds (the graph was changed
    by a writer hopgraph did not see, keeping every count) makes the graph be read again and the
    question answered again; an answer whose path still fails the check is dropped."""

    def __init__(self, store: GraphStore, reasoner: KBReasoner, cache_dir: Path | None = None) -> None:
        self.store, self.reasoner, self.cache_dir = store, reasoner, cache_dir

    @classmethod
    def load(
        cls, store: GraphStore, weights: str | Path | None = None, cache_dir: Path | None = None
    ) -> KBQuestionAnswerer:
        return cls(store, KBReasoner.load(KBGraph.load(store, cache_dir), weights), cache_dir)

    def ask(self, question: str, method: str = "full", *, k: int | None = None) -> Answer:
        prediction = predict_question(self.store, question, reasoner=self.reasoner, top_k=k or 3)
        held = stored_answers(self.store, prediction)
        if not all(held):
            log.warning("a KB answer's path is not in the store: reading the graph again")
            graph = KBGraph.load(self.store, self.cache_dir, refresh=True)
            self.reasoner = KBReasoner(self.reasoner.model, graph, relax_empty=self.reasoner.relax_empty)
            prediction = predict_question(self.store, question, reasoner=self.reasoner, top_k=k or 3)
            held = stored_answers(self.store, prediction)
            prediction = Prediction(tuple(a for a, ok in zip(prediction.answers, held, strict=True) if ok))
        answer = _answer_of(prediction)
        # each answer comes with the one path that reached it: all of them support the text
        cited = tuple(path_label(i) for i in range(1, len(answer.paths) + 1))
        return replace(answer, answerer="kb", question=question, citations=cited)


def weights_cover(relation_types: Iterable[str], weights: str | Path | None = None) -> bool:
    """Whether a trained KB scorer knows every relation type of a graph (then it can reason there)."""
    model, _ = load_scorer(str(weights or DEFAULT_WEIGHTS))
    known = set(model.config.relations)
    types = set(relation_types)
    return bool(types) and types <= known


def _bracketed(question: str) -> str:
    start, end = question.find("["), question.find("]")
    return question[start + 1 : end].strip() if 0 <= start < end else ""
