"""Gold passages to the Document ids of a graph, for scoring retrieval.

    resolver = StoreGoldResolver.from_store(store)
    doc_ids = resolver.resolve(gold)                  # empty: the passage is not in the graph
    ranked = resolver.docs_of_chunks(chunk_ids)       # the document of each retrieved chunk

:class:`GoldResolver` is what :func:`hopgraph.eval.retrieval.evaluate_retrieval` needs;
:class:`StoreGoldResolver` reads every Document's title, text hash (the SHA-256 the loaders store)
and chunk ids from a store once, in pages, and matches by (title, text) where the gold has text,
by title where it has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hopgraph.eval.qa_data import GoldPassage
from hopgraph.extract.load.files import sha256_text
from hopgraph.kg.base import GraphStore
from hopgraph.types import Chunk

_DOCS_PAGE = (
    "MATCH (d:Document) OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk) "
    "WITH d, collect(c.id) AS chunks RETURN d.id AS id, d.title AS title, d.sha256 AS sha256, "
    "chunks ORDER BY id SKIP $skip LIMIT $limit"
)


class GoldResolver(Protocol):
    def resolve(self, gold: GoldPassage) -> frozenset[str]:
        """The Document ids holding ``gold`` (empty: not in the graph)."""
        ...

    def docs_of_chunks(self, chunk_ids: Sequence[str]) -> list[str]:
        """The document id of each chunk, in order (unknown chunks left out)."""
        ...


@dataclass(frozen=True, slots=True)
class _Doc:
    id: str
    title: str
    sha256: str
    chunk_ids: tuple[str, ...]


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _title_key(title: str) -> str:
    """A title compared loosely: Unicode compatibility form (NFKC), whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", title).split())


def _text_key(text: str) -> str:
    """A text compared loosely: NFKC, every whitespace character removed (a gold text joined from
    sentences may differ from the stored one only in the spaces between them)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def covers(texts: Sequence[str], wanted: str) -> bool:
    """Whether the chunk ``texts`` (in order, compared by :func:`_text_key`) spell ``wanted`` from
    start to end, each one starting inside or right after the one before (chunks overlap)."""
    target = _text_key(wanted)
    if not texts or not target:
        return False
    end = 0
    for n, text in enumerate(_text_key(t) for t in texts):
        if not text:
            continue
        start = target.find(text, 0 if n == 0 else max(0, end - len(text)))
        if start < 0 or start > end or (n == 0 and start != 0):
            return False
        end = max(end, start + len(text))
    return end == len(target)


class StoreGoldResolver:
    """Gold passages to Document ids of a graph. Build it with :meth:`from_store`.

    With text: the (title, SHA-256 of the text) the loaders store on each Document; else the text
    of the chunks of the documents with that title (compared in NFKC with all whitespace removed,
    overlapping chunks allowed: a gold text copied from a chunk lacks the file's trailing newline,
    one joined from sentences may space them differently, a long passage is split over chunks);
    then the hash alone (the title differs). Titles are compared in NFKC with whitespace runs as one
    space. Without text: the title, then the title ignoring case.
    """

    def __init__(self, docs: Iterable[_Doc], fetch_chunks: Callable[[list[str]], list[Chunk]]) -> None:
        self._fetch_chunks = fetch_chunks
        self._by_title_sha: dict[tuple[str, str], set[str]] = {}
        self._by_sha: dict[str, set[str]] = {}
        self._by_title: dict[str, set[str]] = {}
        self._by_folded: dict[str, set[str]] = {}
        self._docs_of_title: dict[str, list[_Doc]] = {}
        self._chunk_doc: dict[str, str] = {}
        self._doc: dict[str, _Doc] = {}
        for d in docs:
            self._doc[d.id] = d
            title = _title_key(d.title)
            self._by_title.setdefault(title, set()).add(d.id)
            self._by_folded.setdefault(title.casefold(), set()).add(d.id)
            if d.sha256:
                self._by_title_sha.setdefault((title, d.sha256), set()).add(d.id)
                self._by_sha.setdefault(d.sha256, set()).add(d.id)
            self._docs_of_title.setdefault(title, []).append(d)
            self._chunk_doc.update(dict.fromkeys(d.chunk_ids, d.id))

    @classmethod
    def from_store(cls, store: GraphStore, *, page_size: int = 5000) -> StoreGoldResolver:
        """Read every Document's id, title, text hash and chunk ids (in pages) from ``store``."""
        docs: list[_Doc] = []
        while True:
            rows = store.cypher(_DOCS_PAGE, {"skip": len(docs), "limit": page_size})
            docs += [
                _Doc(r["id"], r["title"] or "", r["sha256"] or "", tuple(c for c in r["chunks"] if c))
                for r in rows
            ]
            if len(rows) < page_size:
                return cls(docs, store.get_chunks)

    @property
    def documents(self) -> int:
        """How many Documents the graph holds."""
        return sum(len(ids) for ids in self._by_title.values())

    def resolve(self, gold: GoldPassage) -> frozenset[str]:
        title = _title_key(gold.title)
        if gold.text is None:
            return frozenset(self._by_title.get(title) or self._by_folded.get(title.casefold()) or ())
        digest = sha256_text(_newlines(gold.text))
        found = set(self._by_title_sha.get((title, digest), ()))
        if not found:
            candidates = self._docs_of_title.get(title) or [
                self._doc[i] for i in sorted(self._by_folded.get(title.casefold(), ()))
            ]
            for doc in candidates:
                chunks = sorted(self._fetch_chunks(list(doc.chunk_ids)), key=lambda c: c.ord)
                if covers([c.text for c in chunks], gold.text):
                    found.add(doc.id)
        return frozenset(found or self._by_sha.get(digest, set()))

    def docs_of_chunks(self, chunk_ids: Sequence[str]) -> list[str]:
        return [self._chunk_doc[c] for c in chunk_ids if c in self._chunk_doc]


__all__ = ["GoldResolver", "StoreGoldResolver"]
