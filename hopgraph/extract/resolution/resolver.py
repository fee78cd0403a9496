"""Entity resolution: map each new entity name to a canonical entity, before triples are stored.

Rules, in order (a name is compared only with *canonical* entities, so merges never chain):

1. **key**: the names' keys (:func:`~.names.resolution_key`) are equal. Exact key
   lookups also go to the store (``store.find_entities``), so a later run reuses the entities of
   earlier runs.
2. **embedding**: cosine of the name embeddings >= ``threshold`` (default 0.92).
3. **string**: :func:`~.names.string_similarity` of the names >=
   ``string_threshold`` (default 0.9), and, when an embedder is given, cosine >= ``threshold - 0.1``
   as well (spelling variants only).

4. **short names, per document**: in one document's triples (``Triple.doc_id``), a person name
   that is the whole trailing words of exactly one longer person name ("Sommerfeld" / "Arnold
   Sommerfeld"), or its initials form ("J. J. Thomson" / "Joseph John Thomson"), is rewritten to
   it (reason ``short-name`` or ``initials``, see :func:`~.names.short_form_of`
   and :func:`~.names.person_types_ok`). Two or more longer names that are not
   the same entity after resolution make it ambiguous: no rewrite. The rewrite is scoped to that
   document: the short name is kept as an alias of the long one's entity but is *not* resolved
   to it elsewhere, so a bare "Bohr" in another document stays "Bohr" (a surname alone does not
   say which Bohr), and an existing "Bohr" entity of other documents is left as it is. A short
   name that every document of the batch rewrote never becomes an entity of its own. The names
   of the last ``DOC_MEMORY`` documents are remembered, so a document split over batches sees
   the long names of its earlier chunks (not the reverse: stored triples are not rewritten).

Known and different types (:func:`~.names.types_compatible`) never merge, not even
by key; :func:`~.names.guard` vetoes rules 2 and 3 (numbers, word order, qualifiers,
different words). The name rules themselves live in :mod:`hopgraph.extract.resolution.names`.

Candidates for rules 2 and 3 come from the embeddings of the canonical entities seen by this
resolver (an in-memory matrix) and, for entities that were already in the store when the
resolver first ran, from the store's ``Entity`` vector index (``store.vector_search``). Without
an embedder, candidates are the canonical names with the same
:func:`~.names.word_key` (string rule only: plural variants such as "river" / "rivers").
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from hopgraph.embed import Embedder
from hopgraph.extract.resolution.names import (
    DocNames,
    guard,
    person_words,
    resolution_key,
    string_similarity,
    types_compatible,
    word_key,
)
from hopgraph.ids import normalize_name
from hopgraph.kg.base import GraphStore
from hopgraph.types import Entity, Triple

BLOCK = 1024
"""Names whose similarities are computed at once (bounds memory to BLOCK x entities floats)."""
STORE_K = 5
"""Neighbours asked of the store's vector index per unresolved name."""
DOC_MEMORY = 256
"""Documents whose names the resolver remembers for the short-name rule (least recent dropped)."""


@dataclass(frozen=True, slots=True)
class Merge:
    """``alias`` was resolved to ``canonical`` by ``reason`` with ``score``.

    Reasons: key, embedding, string (everywhere) or short-name, initials (within one document).
    """

    alias: str
    canonical: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """One batch resolved: triples rewritten to canonical names, the merges made, what to store."""

    triples: tuple[Triple, ...]
    merges: tuple[Merge, ...] = ()
    entities: tuple[Entity, ...] = ()
    """Canonical entities touched by this batch, with the aliases merged into them in this batch
    and, for entities new to the resolver, their name embedding (store them with
    ``store.upsert_entities`` after ``upsert_triples``)."""


@dataclass
class _Canon:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


_Plans = dict[tuple[str, str], list[tuple[str, str]]]  # (doc, short name) -> [(long name, reason)]


class EntityResolver:
    """Resolves entity names against the entities seen so far and those already in ``store``.

    Stateful and incremental: call :meth:`resolve` once per batch, in order; every batch sees
    the canonical entities of the earlier ones. Not thread-safe.
    """

    def __init__(
        self,
        store: GraphStore | None,
        embedder: Embedder | None,
        *,
        threshold: float = 0.92,
        string_threshold: float = 0.9,
        store_k: int = STORE_K,
    ) -> None:
        if not 0.0 < threshold <= 1.0 or not 0.0 < string_threshold <= 1.0:
            raise ValueError("threshold and string_threshold must be in (0, 1]")
        self.store = store
        self.embedder = embedder
        self.threshold = threshold
        self.string_threshold = string_threshold
        self.store_k = store_k
        self.reset()

    def reset(self) -> None:
        """Forget every name seen: the resolver is as new (the store and embedder stay)."""
        self._canon: dict[str, _Canon] = {}  # canonical name -> entry
        self._by_key: dict[str, str] = {}  # resolution key -> canonical name
        self._resolved: dict[str, str] = {}  # any name seen -> canonical name
        self._by_words: dict[str, list[str]] = defaultdict(list)
        self._rows: list[str] = []  # canonical name per embedding row
        self._blocks: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        self._store_has_vectors: bool | None = None
        self._docs: OrderedDict[str, DocNames] = OrderedDict()
        self._last_folds: dict[str, str] = {}  # short names of the last batch, folded alike everywhere

    # -- public ---------------------------------------------------------------------------------
    def resolve(self, triples: Sequence[Triple]) -> Resolution:
        """Rewrite ``triples`` to canonical entity names; see the module docstring for the rules."""
        types: dict[str, str] = {}
        for t in triples:
            for name, etype in ((t.subject, t.subject_type), (t.object, t.object_type)):
                name = normalize_name(name)
                if not types.get(name):
                    types[name] = etype
        occurs = self._note_documents(triples)
        merges: list[Merge] = []
        fresh = [n for n in types if n not in self._resolved]
        self._lookup_store(fresh, types, merges)
        unresolved = []
        for name in fresh:
            if name in self._resolved:
                continue
            canonical = self._by_key.get(resolution_key(name))
            if canonical is not None and types_compatible(types[name], self._canon[canonical].type):
                self._alias(name, canonical, 1.0, "key", merges)
            else:
                unresolved.append(name)
        plans = self._short_candidates(occurs)
        held = {n for n in unresolved if all((d, n) in plans for d in occurs[n])}
        new_vectors = self._match([n for n in unresolved if n not in held], types, merges)
        folds = self._fold(plans, merges)
        leftover = [n for n in unresolved if n in held and any((d, n) not in folds for d in occurs[n])]
        new_vectors.update(self._match(leftover, types, merges))
        rewritten = tuple(r for t in triples if (r := self._rewrite(t, folds)) is not None)
        touched = dict.fromkeys(n for t in rewritten for n in (t.subject, t.object))
        self._forget_documents(occurs)
        in_batch = {m.alias for m in merges}
        entities = []
        for canonical in touched:
            entry = self._canon[canonical]
            vector = new_vectors.get(canonical)
            aliases = tuple(a for a in entry.aliases if a in in_batch)
            if aliases or vector is not None:
                emb = tuple(float(x) for x in vector) if vector is not None else None
                entities.append(Entity(name=canonical, type=entry.type, aliases=aliases, embedding=emb))
        return Resolution(triples=rewritten, merges=tuple(merges), entities=tuple(entities))

    def canonical(self, name: str, doc_id: str = "") -> str:
        """The canonical name ``name`` resolved to (``name`` itself when never seen).

        With ``doc_id``, a short name that document's triples rewrote (rule 4, last
        ``DOC_MEMORY`` documents) gives the long name. Without it, a short name that is nothing
        by itself gives the long name the last batch rewrote it to in all its documents (so a
        caller naming the last batch's mentions without their document still finds it).
        """
        name = normalize_name(name)
        doc = self._docs.get(doc_id) if doc_id else None
        if doc is not None and name in doc.folds:
            return doc.folds[name]
        if name in self._resolved or doc_id:
            return self._resolved.get(name, name)
        return self._last_folds.get(name, name)

    # -- steps ----------------------------------------------------------------------------------
    def _rewrite(self, t: Triple, folds: dict[tuple[str, str], str]) -> Triple | None:
        """``t`` in canonical names; None when a short-name fold made it relate a name to itself
        ("Joseph John Thomson" -[written]-> "J. J. Thomson": what the fold itself says)."""
        s_fold = folds.get((t.doc_id, normalize_name(t.subject)))
        o_fold = folds.get((t.doc_id, normalize_name(t.object)))
        s = s_fold or self.canonical(t.subject, t.doc_id)
        o = o_fold or self.canonical(t.object, t.doc_id)
        if s == t.subject and o == t.object:
            return t
        if s == o and (s_fold or o_fold):
            return None
        return replace(t, subject=s, object=o)

    def _note_documents(self, triples: Sequence[Triple]) -> dict[str, set[str]]:
        """Record each document's names, types and person evidence; return name -> doc ids."""
        occurs: dict[str, set[str]] = defaultdict(set)
        for t in triples:
            subject, obj = normalize_name(t.subject), normalize_name(t.object)
            occurs[subject].add(t.doc_id)
            occurs[obj].add(t.doc_id)
            if not t.doc_id:
                continue
            doc = self._docs.get(t.doc_id)
            if doc is None:
                doc = self._docs[t.doc_id] = DocNames()
            self._docs.move_to_end(t.doc_id)
            doc.note(subject, t.subject_type, t.predicate, obj, t.object_type)
        return occurs

    def _forget_documents(self, occurs: dict[str, set[str]]) -> None:
        in_batch = len({d for docs in occurs.values() for d in docs if d})
        while len(self._docs) > max(DOC_MEMORY, in_batch):
            self._docs.popitem(last=False)  # the batch's documents were moved to the end

    def _short_candidates(self, occurs: dict[str, set[str]]) -> _Plans:
        """Per document of the batch, its short names and the longer names they may stand for."""
        plans: _Plans = {}
        # sorted: set order varies between processes (hash seeds), resolution must not
        for doc_id in sorted({d for docs in occurs.values() for d in docs if d}):
            in_batch = [n for n in self._docs[doc_id].types if doc_id in occurs.get(n, ())]
            for name, found in self._docs[doc_id].short_names(in_batch).items():
                plans[(doc_id, name)] = found
        return plans

    def _fold(self, plans: _Plans, merges: list[Merge]) -> dict[tuple[str, str], str]:
        """Rewrite each planned short name whose longer names are one canonical entity (rule 4)."""
        folds: dict[tuple[str, str], str] = {}
        done: set[tuple[str, str]] = set()
        # longer short names first: "John Thomson" settles before "Thomson", which may name it
        order = sorted(plans, key=lambda key: -len(person_words(key[1]) or ()))
        for doc_id, name in order:
            doc = self._docs[doc_id]
            doc.folds.pop(name, None)
            targets = {doc.folds.get(long) or self._resolved.get(long) for long, _ in plans[(doc_id, name)]}
            if len(targets) != 1:
                continue
            target = targets.pop()
            if target is None or target not in self._canon or target == self._resolved.get(name):
                continue
            folds[(doc_id, name)] = doc.folds[name] = target
            if (name, target) not in done:
                done.add((name, target))
                entry = self._canon[target]
                if name not in entry.aliases:
                    entry.aliases.append(name)
                reason = plans[(doc_id, name)][0][1]
                merges.append(Merge(alias=name, canonical=target, score=1.0, reason=reason))
        by_name: dict[str, set[str]] = defaultdict(set)
        for (_, name), target in folds.items():
            by_name[name].add(target)
        self._last_folds = {n: t.pop() for n, t in by_name.items() if len(t) == 1 and n not in self._resolved}
        return folds

    def _lookup_store(self, names: list[str], types: dict[str, str], merges: list[Merge]) -> None:
        if self.store is None or not names:
            return
        by_key: dict[str, list[Entity]] = defaultdict(list)
        for found in self.store.find_entities(names):
            by_key[resolution_key(found.name)].append(found)
        for name in names:
            for found in by_key.get(resolution_key(name), []):
                if types_compatible(types[name], found.type):
                    self._add_canon(found.name, found.type)
                    if found.name != name:
                        self._alias(name, found.name, 1.0, "key", merges)
                    break

    def _match(self, names: list[str], types: dict[str, str], merges: list[Merge]) -> dict[str, np.ndarray]:
        """Resolve names with no key match; returns the vectors of those that became canonical."""
        if not names:
            return {}
        if self.embedder is None:
            for name in names:
                same_words = self._by_words.get(word_key(name), ())
                self._settle(name, types[name], dict.fromkeys(same_words, float("nan")), merges)
            return {}
        vectors = np.asarray(self.embedder.embed(names), dtype=np.float32)
        known = self._embedding_matrix()
        floor = self.threshold - 0.1
        new_canon: dict[str, np.ndarray] = {}
        new_rows: list[int] = []  # indexes (into names) of names that became canonical in this batch
        for start in range(0, len(names), BLOCK):
            block = vectors[start : start + BLOCK]
            sims_known = block @ known.T if known is not None else None
            sims_new = block @ vectors[: start + len(block)].T
            for offset, vector in enumerate(block):
                i = start + offset
                candidates: dict[str, float] = {}
                if sims_known is not None:
                    row = sims_known[offset]
                    for j in np.flatnonzero(row >= floor):
                        candidates[self._rows[j]] = float(row[j])
                if new_rows:
                    rows = np.asarray(new_rows)
                    row = sims_new[offset]
                    for j in rows[row[rows] >= floor]:
                        candidates[names[j]] = float(row[j])
                for hit_name, score in self._store_candidates(vector):
                    candidates.setdefault(hit_name, score)
                if self._settle(names[i], types[names[i]], candidates, merges):
                    new_canon[names[i]] = vector
                    new_rows.append(i)
        if new_canon:
            self._blocks.append(np.stack(list(new_canon.values())))
            self._rows.extend(new_canon)
            self._matrix = None
        return new_canon

    def _settle(self, name: str, etype: str, candidates: dict[str, float], merges: list[Merge]) -> bool:
        """Merge ``name`` into its best candidate, or make it canonical (then return True)."""
        same_key = self._by_key.get(resolution_key(name))
        if same_key is not None and types_compatible(etype, self._canon[same_key].type):
            self._alias(name, same_key, 1.0, "key", merges)
            return False
        best = self._best(name, etype, candidates)
        if best is not None:
            self._alias(name, best[0], best[1], best[2], merges)
            return False
        self._add_canon(name, etype)
        return True

    def _best(self, name: str, etype: str, candidates: dict[str, float]) -> tuple[str, float, str] | None:
        best: tuple[str, float, str] | None = None
        for other, cosine in candidates.items():
            entry = self._canon.get(other)
            if entry is None or not types_compatible(etype, entry.type) or guard(name, other):
                continue
            ratio = string_similarity(name, other)
            if cosine == cosine and cosine >= self.threshold:  # not NaN
                choice = (other, cosine, "embedding")
            elif ratio >= self.string_threshold and (cosine != cosine or cosine >= self.threshold - 0.1):
                choice = (other, ratio, "string")
            else:
                continue
            if best is None or choice[1] > best[1]:
                best = choice
        return best

    def _store_candidates(self, vector: np.ndarray) -> list[tuple[str, float]]:
        """Nearest entities that were in the store before this resolver ran (none when it was empty)."""
        if self.store is None:
            return []
        if self._store_has_vectors is None:
            rows = self.store.cypher(
                "MATCH (e:Entity) WHERE e.embedding IS NOT NULL RETURN count(e) AS n", write=False
            )
            self._store_has_vectors = bool(rows and rows[0]["n"])
        if not self._store_has_vectors:
            return []
        hits = self.store.vector_search("Entity", [float(x) for x in vector], k=self.store_k)
        found = [h for h in hits if h.text and h.text not in self._canon]
        if found:
            for entity in self.store.get_entities([h.id for h in found]):
                self._add_canon(entity.name, entity.type)
        return [(h.text, h.score) for h in hits if h.text in self._canon]

    # -- state ----------------------------------------------------------------------------------
    def _add_canon(self, name: str, etype: str) -> None:
        if name in self._canon:
            return
        self._canon[name] = _Canon(name=name, type=etype)
        self._resolved[name] = name
        self._by_key.setdefault(resolution_key(name), name)
        self._by_words[word_key(name)].append(name)

    def _alias(self, alias: str, canonical: str, score: float, reason: str, merges: list[Merge]) -> None:
        self._resolved[alias] = canonical
        entry = self._canon[canonical]
        if alias not in entry.aliases:
            entry.aliases.append(alias)
        merges.append(Merge(alias=alias, canonical=canonical, score=round(score, 4), reason=reason))

    def _embedding_matrix(self) -> np.ndarray | None:
        if not self._blocks:
            return None
        if self._matrix is None:
            self._matrix = np.concatenate(self._blocks) if len(self._blocks) > 1 else self._blocks[0]
            self._blocks = [self._matrix]
        return self._matrix


__all__ = ["EntityResolver", "Merge", "Resolution"]
