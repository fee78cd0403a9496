"""The extractive answer: the best-supported, right-typed answer entity, without an LLM.

    generation = extractive_answer(question, paths, chunks, seeds)   # the paths decide
    generation = extractive_answer(question, [], chunks, seeds, mentions=candidates)  # the chunks do
    generation = extractive_answer(question, paths, chunks, seeds, mentions, labels=types, nlp=nlp)

Labels are those of :mod:`hopgraph.reason.doc.generator`: ``P1`` is ``paths[0]``, ``C2`` is
``chunks[1]``. Candidates are the ends of the best paths (support: the path's score relative to
the best path, more when the path's predicates share a word with the question (or one of its
:data:`RELATION_SYNONYMS`), less for a one-hop path when the question is nested: "the founder of
X" asks past X's own facts, and for a path that only extends a shorter one already saying what the
question asks, :data:`DETOUR`; none from a path through a year) and, with
``mentions``, the candidate entities the top chunks name (support: the chunk's weight), and, with
``spans``, the names, dates and numbers of the asked type spaCy finds in the first
:data:`READER_CHUNKS` chunks (a typed extractive reader: support from the chunk's weight, more when
the sentence names an entity of the best paths and the words before the span say the question's
relation; for a question asking which country, a demonym stands for its country: "the Norwegian
playwright" says Norway, :mod:`hopgraph.reason.doc.countries`), never a seed, a name written in
the question or a fragment
(:func:`~hopgraph.reason.doc.answer_types.is_fragment`). Each candidate gets a type
(:mod:`hopgraph.reason.doc.answer_types`; what a top chunk says it is comes first); when some
candidate's type fits what the question asks, no candidate whose type contradicts it can win; an
untyped one counts for less than a fitting one; a ``which``/``what`` question's head noun counts
too (:func:`~hopgraph.reason.doc.answer_types.head_fit`; once one candidate is said to be of that
kind, those not said to be one count for less, :data:`HEAD_UNSAID`). The answer cites its paths
and their source chunks, or the chunks that name it; with no candidate it is
:data:`~hopgraph.reason.doc.generator.NO_ANSWER`.

When the winner of these rules holds less than :data:`RANKER_GATE` of all support (the paths
say little), a fitted ranker reorders the candidates: a conditional logit over their
:data:`FEATURES` (the rules' score and its parts, the question's words in and near the
candidate's sentence and in its passage, the first hop's passage, lower-case names, ...), with
the weights :data:`RANKER_WEIGHTS` that ``benchmarks/fit_answer_ranker.py`` fits on two corpora
pooled (MuSiQue-100 on two graphs, the 2Wiki set).

Every answer carries a ``confidence`` in [0, 1]: the winner's share of all candidates' support
(the ranker's softmax share when it reordered them), discounted when its type is unknown or
contradicts the question.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hopgraph.ids import entity_id, name_key
from hopgraph.reason.base import chunk_label, path_label, path_prefixes
from hopgraph.reason.doc.answer_types import (
    DATE,
    NUMBER,
    ORG,
    PERSON,
    PLACE,
    THING,
    UNKNOWN,
    QuestionType,
    candidate_type,
    compatible,
    described_type,
    head_fit,
    is_fragment,
    pattern_type,
    question_type,
)
from hopgraph.reason.doc.countries import COUNTRY_HEADS, demonym_country
from hopgraph.reason.doc.generator import NO_ANSWER, Generation
from hopgraph.types import Chunk, Entity, Hop, ReasoningPath, ScoredId
from hopgraph.util.text import unique


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TOP_PATHS = 10
"""Best paths whose ends are candidates."""
TOP_CHUNKS = 3
"""Passages whose named entities (the graph's mentions) are candidates."""
CHUNK_WEIGHT = 0.5
"""Support a candidate gets from the best chunk naming it, relative to the best path's support."""
PREDICATE_FIT = 1.0
"""Support multiplier (1 + this) per question word a path's predicates say ("born", "founded")."""
WAYPOINT = 0.3
"""Support kept by a path that a longer path extends while saying more of the question (its end
is a waypoint: "the founder of X" on the way to where the founder was born)."""
ONE_HOP = 0.5
"""Support kept by a one-hop path when the question is nested (:func:`_nested`)."""
DETOUR = 0.3
"""Support kept by a path that extends a shorter one without saying more of the question, when the
shorter one says all the question asks (its one relation when it is not :func:`_nested`, two of
its relation words when it is) and, when the question names a kind of answer ("which company"),
the shorter path's end is of that kind. "Who directed X?" is answered by X's director, not by the
school the director went to; "What company did the husband of Y found?" by the company, not by
the one that bought it; "In which country is X headquartered?" by the hop from X's city to its
country."""
TYPE_FACTOR = {True: 1.0, None: 0.4, False: 0.05}
"""Support multiplier by type fit: fits, unknown, contradicts."""
HEAD_FACTOR = {True: 2.0, None: 1.0, False: 0.5}
"""Support multiplier by head-noun fit ("which university": the University of Ibadan, not
Ibadan; "which country": not a place a passage calls a city; :func:`head_fit`)."""
HEAD_UNSAID = 0.5
"""Support multiplier of a candidate not said to be of the head noun's kind (nothing says, or a
passage says it is another kind) when another one's name or passage says it is ("What lake
...": Amber Lake, and Caldoria is not said to be a lake; "What nationality ...": American, not
the director's studio)."""
CONFIDENCE_FACTOR = {True: 1.0, None: 0.6, False: 0.2}
"""Confidence multiplier by the winner's type fit."""
NATIONALITY_HEADS = frozenset({"nationality", "nationalities", "citizenship"})
"""Head nouns of a question asking for a nationality ("What nationality is X?"): its answer is a
name the recogniser labels :data:`NATIONALITY_LABEL` ("American"); other candidates misfit the
head noun."""
NATIONALITY_LABEL = "NORP"
COUNTRY_LABEL = "GPE"
"""The recogniser's label of a country (and other political places)."""
_PLACED = re.compile(
    r"^(?:born|die[sd]?|live[sd]?|grow(?:s|n)? up|grew up|raised|buried|located|situated|based|"
    r"headquartered) in$"
)
"""Predicates whose object is a place ("born in", "lives in"): a path ending in one types its end."""
SPAN_TYPES = frozenset({DATE, NUMBER, PERSON, PLACE, ORG, THING})
"""Question types whose answers are also looked for among the chunks' NER spans: all but yes/no
(a thing question reads the titles, works and events of the passages: "What movie stars X?")."""
READER_CHUNKS = 5
"""Passages whose NER spans the reader proposes as candidates (and whose text types them)."""
SPAN_CONTEXT_WORDS = 4
"""Words before a date or number in its sentence that may say its relation."""
SPAN_AFTER_WORDS = 0
"""Words after a span in its sentence that may say its relation."""
BRIDGE_PATHS = 3
"""Paths whose entities make a span's sentence relevant."""
_WORD = re.compile(r"[a-z]{3,}")
_STEM_CHARS = 5
_NOT_RELATION_WORDS = frozenset(
    _words(
        "the and was were what which who whom whose where when how that this with from into for are "
        "has have had did does been being there their its his her of in on at by"
    )
)


@dataclass
class Candidate:
    """A possible answer: its support from paths and chunks, its type and how it fits."""

    name: str
    kind: str = ""
    fit: bool | None = None
    path_rows: list[int] = field(default_factory=list)
    path_weights: dict[int, float] = field(default_factory=dict)
    """Each of ``path_rows``' share of ``path_support``, by row."""
    chunk_rows: list[int] = field(default_factory=list)
    head: bool | None = None
    path_support: float = 0.0
    chunk_support: float = 0.0
    score: float = 0.0
    features: tuple[float, ...] = ()


def extractive_answer(
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    seeds: Sequence[ScoredId] = (),
    mentions: Sequence[str | Entity | ScoredId] | None = None,
    *,
    chunk_scores: Sequence[float] | None = None,
    top_paths: int = TOP_PATHS,
    top_chunks: int = TOP_CHUNKS,
    labels: Mapping[str, Sequence[str]] | None = None,
    asked: QuestionType | None = None,
    nlp: object = None,
    spans: Sequence[Sequence[tuple[str, str, str]]] = (),
) -> Generation:
    """The best-supported, right-typed answer entity, without an LLM (see the module docstring).

    ``labels`` maps a candidate's :func:`~hopgraph.ids.name_key` to type labels (the extractor's
    entity type, NER labels of its mentions); ``asked`` is the question's type (read from the
    question, with ``nlp`` when given, if not passed). ``chunk_scores`` weigh the ``top_chunks``
    first chunks (else 1/rank). ``spans`` (per chunk: NER ``(text, label, sentence)``) add the
    names, dates and numbers of the asked type in the first :data:`READER_CHUNKS` chunks."""
    asked = asked or question_type(question, nlp)
    found = rank_candidates(
        question,
        paths,
        chunks,
        seeds,
        mentions,
        chunk_scores=chunk_scores,
        top_paths=top_paths,
        top_chunks=top_chunks,
        labels=labels or {},
        asked=asked,
        spans=spans,
    )
    if not found:
        return Generation(NO_ANSWER, answerer="extractive", confidence=0.0)
    best = found[0]
    total = sum(c.score for c in found)
    confidence = (best.score / total if total > 0 else 0.0) * CONFIDENCE_FACTOR[best.fit]
    if _choice(question) is not None and len(found) > 1 and found[1].score >= best.score:
        confidence = CHOICE_UNDECIDED  # no year told the options apart: a guess
    label_of = {c.id: chunk_label(j) for j, c in enumerate(chunks, 1)}
    # the path that supports the answer most is cited first (and shown as P1)
    rows = sorted(best.path_rows, key=lambda i: -best.path_weights[i])
    cited = [path_label(i + 1) for i in rows]
    cited += unique(
        label_of[c] for i in rows for hop in paths[i].hops for c in hop.chunk_ids if c in label_of
    )
    cited += unique(chunk_label(j + 1) for j in best.chunk_rows)
    name = paths[rows[0]].answer if rows else best.name
    return Generation(
        name,
        tuple(unique(cited)),
        answerer="extractive",
        confidence=round(min(confidence, 1.0), 4),
        answer_type=best.kind,
    )


def rank_candidates(
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    seeds: Sequence[ScoredId],
    mentions: Sequence[str | Entity | ScoredId] | None,
    *,
    chunk_scores: Sequence[float] | None,
    top_paths: int,
    top_chunks: int,
    labels: Mapping[str, Sequence[str]],
    asked: QuestionType,
    spans: Sequence[Sequence[tuple[str, str, str]]] = (),
    ranker_weights: Sequence[float] | None = None,
    with_features: bool = False,
) -> list[Candidate]:
    """The candidates best first (score, then path support, then first seen); fragments, seeds
    and names written in the question left out, contradicting types too when a fitting one exists.

    When the rules' best holds less than :data:`RANKER_GATE` of the support, the ranker
    (``ranker_weights``, default :data:`RANKER_WEIGHTS`; empty: the rules alone) reorders them by
    their :data:`FEATURES`, which every candidate then carries (all of them with ``with_features``).

    A question choosing between two options it names ("Which film came out first, A or B?") has
    those two as its only candidates (:func:`_choose`)."""
    choice = _choice(question)
    if choice is not None:
        return _choose(choice, chunks)
    seed_ids = {s.id for s in seeds}
    seed_names = {name_key(s.text) for s in seeds if s.text.strip()}
    asked_text = question.casefold()

    def excluded(name: str) -> bool:
        key = name_key(name)
        return (
            not key
            or key in seed_names
            or entity_id(name) in seed_ids
            or _contains(asked_text, name.casefold())
            or is_fragment(name, asked)
        )

    found: dict[str, Candidate] = {}
    nested = _nested(question)
    # the wh-phrase's noun names the answer's type, not a relation ("which city" is no "city in")
    # and so does a relative clause's noun ("the city where X was born" is no "city of")
    question_words = _stems(question) - (_stems(asked.cue) if asked.kind not in (NUMBER,) else set())
    question_words -= _stems(" ".join(_CLAUSE_HEAD.findall(question)))
    ranked = sorted((i for i, p in enumerate(paths) if p.hops), key=lambda i: -paths[i].score)
    if chunks:
        ranked = ranked[: max(top_paths, 0)]
    else:  # a graph of triples: the best paths' waypoints are answers only as their prefixes' ends
        best = ranked[: max(top_paths, 0)]
        starts = path_prefixes(paths[i] for i in best)
        ranked = best + [i for i in ranked[len(best) :] if paths[i].hops in starts]
    top = max((paths[i].score for i in ranked), default=0.0)
    # the more of the question's relation words the path's predicates say, the better it fits
    covered = {i: len(_stems(" ".join(h.predicate for h in paths[i].hops)) & question_words) for i in ranked}
    detours: list[tuple[Candidate, int, str]] = []  # (candidate, path row, the shorter path's end)
    for i in ranked:
        end = paths[i].answer
        if excluded(end) or any(pattern_type(hop.target) in (DATE, NUMBER) for hop in paths[i].hops[:-1]):
            continue  # a path through a year ("acquired in 2019 <-employed in- Y") links by coincidence
        relative = paths[i].score / top if top > 0 else 1.0 / (1 + ranked.index(i))
        relative *= (1.0 + PREDICATE_FIT) ** covered[i]
        hops = paths[i].hops
        if len(hops) == 1 and nested:
            relative *= ONE_HOP
        shorter = next(
            (
                j
                for j in ranked
                if _extends(hops, paths[j].hops) and covered[j] >= max(covered[i], 2 if nested else 0)
            ),
            None,
        )
        detour = shorter is not None and not asked.head
        if detour:
            relative *= DETOUR
        if any(_extends(paths[j].hops, hops) and covered[j] > covered[i] for j in ranked):
            relative *= WAYPOINT
        item = found.setdefault(name_key(end), Candidate(end))
        item.path_rows.append(i)
        item.path_weights[i] = relative
        item.path_support += relative
        if shorter is not None and not detour:  # a detour only if the shorter end is of the asked kind
            detours.append((item, i, name_key(paths[shorter].answer)))
    weights = _chunk_weights(chunks, chunk_scores, top_chunks)
    if mentions and chunks:
        _add_chunk_support(found, chunks, mentions, excluded, weights)
    nationality = asked.head in NATIONALITY_HEADS
    if spans and (asked.kind in SPAN_TYPES or nationality):
        bridges = [
            name.casefold()
            for i in ranked[:BRIDGE_PATHS]
            for hop in paths[i].hops
            for name in (hop.source, hop.target)
        ]
        reader_weights = _chunk_weights(chunks, chunk_scores, max(top_chunks, READER_CHUNKS))
        _add_span_support(
            found,
            spans,
            reader_weights,
            asked,
            excluded,
            bridges,
            question_words - _stems(" ".join(s.text for s in seeds)),
        )
    if not found:
        return []
    texts = [c.text for c in chunks[:READER_CHUNKS]]
    for key, item in found.items():
        described, noun = described_type(_full_name(item.name, texts), texts, asked.head)
        if described == UNKNOWN and any(_PLACED.search(paths[i].hops[-1].predicate) for i in item.path_rows):
            described = PLACE  # "born in Lyon": a place, though spaCy took this Lyon for a person
        item.kind = candidate_type(item.name, labels.get(key, ()), described)
        item.fit = compatible(asked, item.kind)
        item.head = head_fit(asked, item.name, noun) if item.fit is not False else None
        if nationality:  # "What nationality is X?": "American", not X's name, city or birth year
            item.head = NATIONALITY_LABEL in labels.get(key, ())
    for item, row, shorter_end in detours:
        if shorter_end in found and found[shorter_end].head is True:
            cut = item.path_weights[row] * (1.0 - DETOUR)
            item.path_weights[row] -= cut
            item.path_support -= cut
    if any(c.fit for c in found.values()):
        found = {k: c for k, c in found.items() if c.fit is not False}
    best_chunk = max((c.chunk_support for c in found.values()), default=0.0)
    said = any(c.head is True for c in found.values())
    for item in found.values():
        item.score = _baseline(item, item.chunk_support / best_chunk if best_chunk > 0 else 0.0)
        if said and item.head is not True:
            item.score *= HEAD_UNSAID  # "what lake": Amber Lake says it is one, Caldoria does not
    ranker = RANKER_WEIGHTS if ranker_weights is None else ranker_weights
    if with_features or (ranker and _unsure(found.values())):
        context = _Context(
            texts,
            set(question_words),
            _bridge_names(paths, ranked, seeds),
            [n for n in (s.text.casefold() for s in seeds) if len(n) > 2],
            [[_span_name(t).casefold() for t, _, _ in row] for row in spans[: len(texts)]],
            asked_text,
            [c.name.casefold() for c in found.values()],
        )
        for item in found.values():
            item.features = _features(
                item, item.chunk_support / best_chunk if best_chunk > 0 else 0.0, context
            )
        if ranker and _unsure(found.values()):
            _rerank(list(found.values()), ranker)
    order = list(found)
    return sorted(found.values(), key=lambda c: (-c.score, -c.path_support, order.index(name_key(c.name))))


FEATURES = _words(
    "path chunk fit untyped head_fit head_misfit reader_rank sentence_words near_words sentence_bridge "
    "sentence_seed on_path passages baseline passage_words passage_bridge passage_seed unread_path crowd "
    "named_words lower_case contained lead_words"
)
"""What the candidate ranker reads (:func:`_features`, in this order)."""
_FITTED = {
    "path": -0.155,
    "chunk": -0.0138,
    "fit": 0.752,
    "untyped": -0.752,
    "head_fit": 2.1106,
    "head_misfit": -0.9018,
    "reader_rank": -0.41,
    "sentence_words": 0.8161,
    "near_words": 1.3803,
    "sentence_bridge": 0.6374,
    "sentence_seed": -0.4201,
    "on_path": 0.0115,
    "passages": 0.9477,
    "baseline": 0.2638,
    "passage_words": 0.1073,
    "passage_bridge": 0.7335,
    "passage_seed": -0.8868,
    "unread_path": -0.7201,
    "crowd": -0.1935,
    "named_words": -0.2209,
    "lower_case": -0.8309,
    "contained": -0.1318,
    "lead_words": 0.1526,
}
"""The ranker's weights by feature (``benchmarks/fit_answer_ranker.py`` prints them; see
:data:`RANKER_WEIGHTS`)."""
RANKER_WEIGHTS: tuple[float, ...] = tuple(_FITTED[f] for f in FEATURES)
"""The ranker's weights, one per feature of :data:`FEATURES`: a candidate's score is
``exp(weights . features)`` (a conditional logit fitted by ``benchmarks/fit_answer_ranker.py`` on
the questions of MuSiQue-100 (GPT-3.5 and offline graphs) and of the 2Wiki set pooled: fitted on
either corpus alone, it carries to the other, BENCHMARKS.md; empty: the rules alone)."""
RANKER_GATE = 0.2
"""The ranker reorders the candidates only when the rules' best holds less than this share of all
candidates' support (where the paths say little; a question the paths answer keeps their answer)."""
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[\"'(A-Z0-9])")
NEAR_WORDS = 6
"""Words either side of a candidate in its sentence counted as near it."""


@dataclass
class _Context:
    """What the features of one question's candidates read: the reader's passages (split in
    sentences), the question's relation words, the bridge names (entities on the best paths and
    the names spaCy finds in the passages naming a seed: the first hop's), the seeds' names."""

    texts: Sequence[str]
    relation_words: set[str]
    bridges: list[str]
    seeds: Sequence[str]
    names: Sequence[Sequence[str]] = ()
    question: str = ""
    candidates: Sequence[str] = ()
    sentences: list[list[str]] = field(default_factory=list)
    passage_words: list[float] = field(default_factory=list)
    passage_seed: list[bool] = field(default_factory=list)
    lead_words: list[float] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    question_stems: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.question_stems = _stems(self.question)
        lowered = [t.casefold() for t in self.texts]
        self.sentences = [[part.casefold() for part in _SENTENCE.split(t)] for t in self.texts]
        # the seeds the best passage names are the first hop's subject: their words say no relation
        self.seeds = [n for n in self.seeds if lowered and n in lowered[0] and _has_word(lowered[0], n)]
        subject = _stems(" ".join(self.seeds))
        stems = [_stems(t) for t in lowered]
        # a relation word every passage says tells them apart less (an inverse document frequency)
        self.weights = {
            w: math.log((len(lowered) + 1) / (0.5 + sum(w in st for st in stems)))
            for w in sorted(self.relation_words - subject)
        }
        # fsum: exact, so no sum depends on a set's order (which varies with the hash seed)
        total = math.fsum(self.weights.values()) or 1.0
        self.weights = {w: v / total for w, v in self.weights.items()}
        self.passage_words = [self.said(st) for st in stems]
        self.lead_words = [
            self.said(_stems(sentences[0])) if sentences else 0.0 for sentences in self.sentences
        ]
        self.passage_seed = [any(_has_word(t, n) for n in self.seeds if n in t) for t in lowered]
        first_hop = {
            n
            for j, names in enumerate(self.names)
            if j < len(lowered) and self.passage_seed[j]
            for n in names
            if len(n) > 2 and n not in self.seeds and not _has_word(self.question, n)
        }
        self.bridges = unique([*self.bridges, *sorted(first_hop)])

    def said(self, stems: set[str]) -> float:
        """The weighted share of the question's relation words among ``stems``."""
        return math.fsum(self.weights.get(w, 0.0) for w in stems)


def _bridge_names(
    paths: Sequence[ReasoningPath], ranked: Sequence[int], seeds: Sequence[ScoredId]
) -> list[str]:
    """Entity names on the best paths that are not seeds (the entities a question passes through)."""
    seed_ids = {s.id for s in seeds}
    names = [
        hop.target.casefold()
        for i in ranked[:BRIDGE_PATHS]
        for hop in paths[i].hops
        if hop.target_id not in seed_ids and len(hop.target) > 2
    ]
    return unique(names)


def _features(item: Candidate, chunk_part: float, context: _Context) -> tuple[float, ...]:
    """The candidate's :data:`FEATURES`, in order: log(1 + path support); chunk support relative
    to the best; type fits / unknown; head noun fits / misfits; 1 / (1 + row of the first reader
    passage naming it); the question's words (weighted, :meth:`_Context.said`) in its best
    sentence, and within :data:`NEAR_WORDS` words of it; that sentence names a bridge entity, a
    first-hop seed; a path ends in it; log(1 + passages naming it); log of the rules' score; the
    question's words in its best passage; a passage naming it names a bridge entity, a first-hop
    seed; a path end no reader passage names; log(1 + other candidates in its sentence); the
    share of its name's words the question says; a lower-case name that is no date or number;
    another candidate's name contains it; the question's words in its passage's first sentence."""
    needle = item.name.casefold()
    first = None
    passages = 0
    best = (0.0, 0.0, 0.0, 0.0, 0.0)
    passage_words = lead = 0.0
    passage_bridge = passage_seed = False
    for j, sentences in enumerate(context.sentences):
        if needle not in context.texts[j].casefold():
            continue
        named = False
        for sentence in sentences:
            if needle not in sentence or not _has_word(sentence, needle):
                continue
            named = True
            words = context.said(_stems(sentence))
            near = context.said(_near_stems(sentence, needle))
            bridged = any(b != needle and b in sentence and _has_word(sentence, b) for b in context.bridges)
            seeded = any(s in sentence for s in context.seeds)
            crowd = sum(c != needle and c in sentence for c in context.candidates)
            best = max(best, (near, words, float(bridged), float(seeded), -crowd))
        if named:
            passages += 1
            first = j if first is None else first
            passage_words = max(passage_words, context.passage_words[j])
            text = context.texts[j].casefold()
            passage_bridge = passage_bridge or any(
                b != needle and b in text and _has_word(text, b) for b in context.bridges
            )
            passage_seed = passage_seed or context.passage_seed[j]
            lead = max(lead, context.lead_words[j])
    return (
        math.log1p(item.path_support),
        chunk_part,
        float(item.fit is True),
        float(item.fit is None),
        float(item.head is True),
        float(item.head is False),
        1.0 / (1 + first) if first is not None else 0.0,
        best[1],
        best[0],
        best[2],
        best[3],
        float(bool(item.path_rows)),
        math.log1p(passages),
        math.log(_baseline(item, chunk_part) + 1e-3),
        passage_words,
        float(passage_bridge),
        float(passage_seed),
        float(bool(item.path_rows) and first is None),
        math.log1p(-best[4]),
        len(_stems(item.name) & context.question_stems) / max(len(_stems(item.name)), 1),
        float(item.name[:1].islower() and item.kind not in (DATE, NUMBER)),
        float(any(c != needle and needle in c and _has_word(c, needle) for c in context.candidates)),
        lead,
    )


def _extends(longer: Sequence[Hop], shorter: Sequence[Hop]) -> bool:
    """Whether the path ``longer`` goes on past the whole path ``shorter``."""
    return len(longer) > len(shorter) and tuple(longer[: len(shorter)]) == tuple(shorter)


def _nested(question: str) -> bool:
    """Whether ``question`` names its subject through another relation ("the founder of X",
    "the company that acquired X", "X's spouse"): a one-hop path from a seed then answers only
    the first hop. "What is the capital of X?" asks one relation: its wh-word's own phrase is left out."""
    question = _ASKED_PHRASE.sub("", question, count=1)
    if _POSSESSIVE.search(question) or _RELATIONAL.search(question) or _PARTICIPLE.search(question):
        return True
    return any(m.start() > 0 for m in _RELATIVE.finditer(question))


_ASKED_PHRASE = re.compile(
    r"^\s*(?:what|who|which)\s+(?:is|was|are|were)\s+"  # "What is the capital of X?", "Who is X's wife?"
    r"(?:the\s+(?:\w+\s+){1,2}?of\s+|[^?,]*?\w(?:'s|\u2019s)\s+\w+\s*\??\s*$)",
    re.I,
)
_POSSESSIVE = re.compile(r"\w(?:'s|\u2019s)\b")
_RELATIONAL = re.compile(r"\bthe\s+(?:\w+\s+){1,2}?of\b", re.I)
_PARTICIPLE = re.compile(
    r"\bthe\s+(?:\w+\s+){0,2}?\w+(?:ed|n|t)\s+(?:by|in|at|on)\b|\bthe\s+\w+\s+by\b", re.I
)
_RELATIVE = re.compile(r"\b\w+\s+(?:that|which|who|whom|where|whose|when)\b", re.I)
_CLAUSE_HEAD = re.compile(
    r"\b(?:the|a|an)\s+(?:\w+\s+){0,2}?(\w+)\s+(?:that|which|who|whom|where|whose|in which)\b", re.I
)
"""The noun a relative clause describes ("the *city* where X was born"): the bridge's kind."""


CHOICE_UNDECIDED = 0.1
"""Confidence of a choice question's answer when no year told its options apart."""
CHOICE_LOSER = 0.25
"""Support of a choice question's other option when the years decided (the winner's is 1)."""
_CHOICE = re.compile(
    r"^(?P<ask>(?:which|who|what)\b[^,:]*?\b(?P<order>first|earlier|earliest|older|oldest|sooner|"
    r"later|latest|last|younger|youngest|newer|newest|more recently|most recently)\b[^,:]*)[,:]\s*"
    r"(?P<a>\S.*?)\s+or\s+(?P<b>\S.*?)\s*\?*\s*$",
    re.I,
)
_EARLIEST = frozenset(_words("first earlier earliest older oldest sooner"))
_YEAR = re.compile(r"(?<!\w)(?<!\d[.,])(1[0-9]{3}|20[0-9]{2})(?!\w|[.,]\d)")
_DEATH = re.compile(r"\b(?:die|died|dies|death|pass(?:ed)? away)\b", re.I)


def _choice(question: str) -> tuple[str, str, bool, bool] | None:
    """A question that asks which of two named options comes first or last ("Which film came out
    first, A or B?", "Who was born later, A or B?"): (A, B, whether the earliest wins, whether it
    asks about a death), else None."""
    match = _CHOICE.match(question.strip())
    if match is None:
        return None
    a, b = (match.group(g).strip().rstrip("?").strip() for g in ("a", "b"))
    if not a or not b or name_key(a) == name_key(b):
        return None
    earliest = match.group("order").casefold() in _EARLIEST
    return a, b, earliest, bool(_DEATH.search(match.group("ask")))


def _choose(choice: tuple[str, str, bool, bool], chunks: Sequence[Chunk]) -> list[Candidate]:
    """The two options of a choice question (:func:`_choice`), the one whose year comes first (or
    last, as asked) first: each option's year is read from the first passage whose first sentence
    names it (its own article: "Striporama is a 1953 film ..."), the first year there, the
    second of the first sentence's years for a question about a death ("(1901 - 1968)"; none
    when it gives one year: a birth). With a
    year for both and the years apart, the other option keeps :data:`CHOICE_LOSER` of the support;
    else both tie, in the question's order (the answer's confidence is :data:`CHOICE_UNDECIDED`)."""
    a, b, earliest, death = choice
    out = []
    years: list[int | None] = []
    for name in (a, b):
        item = Candidate(name, kind=THING, fit=True, score=1.0)
        year = None
        for j, chunk in enumerate(chunks):
            first = _SENTENCE.split(chunk.text, maxsplit=1)[0]
            if not _contains(first.casefold(), name.casefold()):
                continue
            if death:  # life dates: "(1901 - 1968)"; one year alone is a birth
                found = [int(y) for y in _YEAR.findall(first)][1:2]
            else:
                found = [int(y) for y in _YEAR.findall(first)] or [int(y) for y in _YEAR.findall(chunk.text)]
            if found:
                year = found[0]
                item.chunk_rows = [j]
                break
        years.append(year)
        out.append(item)
    ya, yb = years
    if ya is not None and yb is not None and ya != yb:
        loser = 1 if (ya < yb) == earliest else 0
        out[loser].score = CHOICE_LOSER
        out.sort(key=lambda c: -c.score)
    return out


def _baseline(item: Candidate, chunk_part: float) -> float:
    """The rules' score: path and chunk support times the type and head-noun factors."""
    return (item.path_support + CHUNK_WEIGHT * chunk_part) * TYPE_FACTOR[item.fit] * HEAD_FACTOR[item.head]


def _unsure(found: Iterable[Candidate]) -> bool:
    """Whether the rules' best holds less than :data:`RANKER_GATE` of all candidates' support."""
    scores = [c.score for c in found]
    total = sum(scores)
    return total > 0 and max(scores) / total < RANKER_GATE


def _rerank(found: Sequence[Candidate], weights: Sequence[float]) -> None:
    """Score ``found`` by the ranker: ``exp(weights . features)``, scaled to sum to 1."""
    logits = [sum(w * f for w, f in zip(weights, c.features, strict=True)) for c in found]
    top = max(logits, default=0.0)
    shares = [math.exp(z - top) for z in logits]
    for item, share in zip(found, shares, strict=True):
        item.score = share / sum(shares)


def _near_stems(sentence: str, needle: str) -> set[str]:
    """The relation-word stems within :data:`NEAR_WORDS` words of ``needle`` in ``sentence``."""
    at = sentence.find(needle)
    before = sentence[:at].split()[-NEAR_WORDS:]
    after = sentence[at + len(needle) :].split()[:NEAR_WORDS]
    return _stems(" ".join([*before, *after]))


def _chunk_weights(
    chunks: Sequence[Chunk], chunk_scores: Sequence[float] | None, top_chunks: int
) -> list[float]:
    """Weights of the ``top_chunks`` first chunks: their scores, else 1/rank."""
    top = len(chunks[: max(top_chunks, 0)])
    if chunk_scores is not None and len(chunk_scores) >= top:
        return [float(chunk_scores[j]) for j in range(top)]
    return [1.0 / (j + 1) for j in range(top)]


def _add_span_support(
    found: dict[str, Candidate],
    spans: Sequence[Sequence[tuple[str, str, str]]],
    weights: Sequence[float],
    asked: QuestionType,
    excluded: Callable[[str], bool],
    bridges: Sequence[str],
    relation_words: set[str],
) -> None:
    """Names, dates and numbers of the asked type spaCy finds in the top chunks as candidates (a
    date, a count or a name the extractor missed is no graph entity); one whose sentence names an
    entity of the best paths counts double, each relation word of the question just before it
    doubles it again."""
    nationality = asked.head in NATIONALITY_HEADS
    for j, weight in enumerate(weights):
        if j >= len(spans):
            break
        for raw, label, sentence in spans[j]:
            written = _span_name(raw)
            text, label = _as_asked(written, label, asked)
            if _span_type(text, label) not in asked.accepts or excluded(text):
                continue
            if nationality and label != NATIONALITY_LABEL:
                continue
            lowered = sentence.casefold()
            bridged = any(len(b) > 2 and _contains(lowered, b) for b in bridges)
            # the words near it say its relation: "born in Lagos in 1979", "Its headquarters are in Osaka"
            at = lowered.find(written.casefold())
            before = lowered[: max(at, 0)].split()[-SPAN_CONTEXT_WORDS:]
            after = lowered[max(at, 0) + len(written) :].split()[:SPAN_AFTER_WORDS] if at >= 0 else []
            said = _stems(" ".join([*before, *after])) & relation_words
            if text != written:  # "the Norwegian playwright": a demonym says a nationality
                said |= _NATIONALITY_STEMS & relation_words
            support = weight * (2.0 if bridged else 1.0) * (1.0 + PREDICATE_FIT) ** len(said)
            item = found.setdefault(name_key(text), Candidate(text))
            item.chunk_rows = _unique_ints([*item.chunk_rows, j])
            item.chunk_support = max(item.chunk_support, support)


@functools.lru_cache(maxsize=1 << 14)  # the same names recur in the passages of many questions
def _span_type(text: str, label: str) -> str:
    """The type of an NER span ``text`` the recogniser labelled ``label``."""
    return candidate_type(text, (label,))


def _as_asked(text: str, label: str, asked: QuestionType) -> tuple[str, str]:
    """A span as the answer it gives: for a question asking which country, a demonym names its
    country ("the Norwegian playwright" says Norway); any other span as it is."""
    if asked.head in COUNTRY_HEADS and label == NATIONALITY_LABEL:
        named = demonym_country(text)
        if named is not None:
            return named, COUNTRY_LABEL
    return text, label


def _add_chunk_support(
    found: dict[str, Candidate],
    chunks: Sequence[Chunk],
    mentions: Sequence[str | Entity | ScoredId],
    excluded: Callable[[str], bool],
    weights: Sequence[float],
) -> None:
    top = list(chunks[: len(weights)])
    texts = [c.text.casefold() for c in top]
    for mention in mentions:
        name = _name_of(mention)
        needle = name.casefold()
        if len(needle) < 2 or excluded(name):
            continue
        rows = [j for j, text in enumerate(texts) if needle in text and _contains(text, needle)]
        if not rows:
            continue
        item = found.setdefault(name_key(name), Candidate(name))
        item.chunk_rows = _unique_ints(item.chunk_rows + rows)
        item.chunk_support = max(item.chunk_support, sum(weights[j] for j in rows))


def _full_name(name: str, texts: Sequence[str]) -> str:
    """The longer name the passages write ``name`` as the end of ("Ink" -> "Orbital Ink": an
    extractor cut it short), else ``name``."""
    if not name[:1].isupper() or not any(_after_capital(text, name) for text in texts):
        return name
    pattern = re.compile(rf"\b((?:[A-Z][\w'-]*[ \t]+){{1,3}}){re.escape(name)}(?!\w)")  # one line
    for text in texts:
        match = pattern.search(text)
        if match and match.group(1).split()[0] not in ("The", "A", "An", "In", "On", "At", "By"):
            return match.group(0)
    return name


def _span_name(text: str) -> str:
    """An NER span as a name: no possessive ending, no leading article ("the Lyon Chamber
    Orchestra's" -> "Lyon Chamber Orchestra")."""
    text = re.sub(r"(?:'s|’s|'|’)$", "", text.strip())
    return re.sub(r"^(?:the|The)\s+", "", text).strip()


def _stems(text: str) -> set[str]:
    """Word prefixes standing for the relation words of ``text`` ("born", "founded" -> "found",
    "worked" and "work" -> "work"), words of one relation sharing one (:data:`RELATION_SYNONYMS`:
    "husband" and "married" -> "marri")."""
    stems = (_stem(w) for w in _WORD.findall(text.casefold()) if w not in _NOT_RELATION_WORDS)
    return {_SYNONYM_STEM.get(stem, stem) for stem in stems}


_INFLECTION = re.compile(r"(?:ing|ed|er|es|s|e)$")


@functools.lru_cache(maxsize=1 << 16)  # called for every word of the passages read, per question
def _stem(word: str) -> str:
    """The word's first :data:`_STEM_CHARS` letters, after up to two inflection or agent endings
    when at least three letters are left ("worked", "works", "working", "work" -> "work"; "owners",
    "owner", "owns" -> "own"; "lived", "live" -> "liv"; "was" as it is): a plain prefix cut told a
    short verb from its past tense and its doer."""
    base = word
    for _ in range(2):  # "owners" -> "owner" -> "own"
        shorter = _INFLECTION.sub("", base)
        base = shorter if len(shorter) >= 3 else base
    return base[:_STEM_CHARS]


RELATION_SYNONYMS = (
    "married marry marries husband wife spouse",
    "born birth birthplace",
    "died dies death",
    "founded founder founding established establishment",
    "acquired acquisition bought buys purchased",
    "studied study studies educated attended graduated alumnus",
    "wrote written writer author authored",
    "headquartered headquarters based",
    "located location situated",
    "taught teach teaches teacher tutor student pupil mentor",
    "runs run ran leads led heads chief executive ceo manages managed",
    "citizen citizens citizenship nationality",
)
"""Words that say the same relation, so that a path's predicate fits the question's word ("Who is
the husband of X": ``-[married to]->``). English relation paraphrases, not fitted to any data."""
_SYNONYM_STEM = {
    _stem(word): _stem(group.split()[0]) for group in RELATION_SYNONYMS for word in group.split()
}
_NATIONALITY_STEMS = frozenset({_SYNONYM_STEM[_stem("nationality")]})
"""The relation word a demonym says of whom it describes ("the Norwegian playwright": a citizen)."""


def _unique_ints(items: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(items))


def _after_capital(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` after white space that follows a run of word
    characters holding a capital A-Z: what :func:`_full_name`'s pattern needs to match, checked
    first (a pattern compiled per name cost more than the rest of the ranking)."""
    at = text.find(name)
    while at >= 0:
        space = at
        while space > 0 and text[space - 1].isspace():
            space -= 1
        word = space
        while space < at and word > 0 and _name_char(text[word - 1]):
            word -= 1
            if "A" <= text[word] <= "Z":
                return True
        at = text.find(name, at + 1)
    return False


def _name_char(char: str) -> bool:
    """``[\\w'-]`` of a regex."""
    return char.isalnum() or char in "_'-"


def _has_word(text: str, needle: str) -> bool:
    """``needle`` in ``text`` with no letter or digit just before or after it (the ranker's word
    test: as :func:`_contains`, but an underscore bounds a word, as the ranker was fitted)."""
    return _contains(text, needle, word=str.isalnum)


def _contains(text: str, needle: str, word: Callable[[str], bool] | None = None) -> bool:
    """Whether ``needle`` occurs in ``text`` with no word character (``word``, default
    :func:`_word_char`: ``\\w``, a letter, digit or underscore) just before or after it, as
    ``(?<!\\w)needle(?!\\w)`` finds it, without compiling a pattern per needle."""
    word = word or _word_char
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if (at == 0 or not word(text[at - 1])) and (end == len(text) or not word(text[end])):
            return True
        at = text.find(needle, at + 1)
    return False


def _word_char(char: str) -> bool:
    """``\\w`` of a regex on text: what ``str.isalnum`` accepts, and the underscore."""
    return char.isalnum() or char == "_"


def _name_of(mention: str | Entity | ScoredId) -> str:
    if isinstance(mention, Entity):
        return mention.name
    if isinstance(mention, ScoredId):
        return mention.text
    return str(mention)


__all__ = _words(
    "CHUNK_WEIGHT READER_CHUNKS TOP_CHUNKS TOP_PATHS Candidate extractive_answer rank_candidates"
)
