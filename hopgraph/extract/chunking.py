"""Token-aware, sentence-respecting chunking of documents.

A document's text is split into sentences (a fast regex splitter that knows initials such as
"J. J. Thomson" and common abbreviations, and also breaks at blank lines and before list items);
every sentence is measured once with the embedder's tokenizer, in batches; sentences are packed
greedily into chunks of at most ``max_tokens`` tokens; the next chunk starts with the previous
chunk's trailing whole sentences that fit in ``overlap_tokens``. A sentence longer than
``max_tokens`` is cut at word boundaries (at token boundaries when a single word is too long).

A chunk's text is the exact slice of the document text from its first sentence to its last, so
provenance can be located in the source. A chunk is budgeted as the sum of its sentences'
counts. With a whitespace-splitting tokenizer (WordPiece, as in the default embedder) a text
joined at whitespace counts exactly as the sum of its parts, so only chunks holding parts of a cut
sentence are measured again; with any other tokenizer or a plain counting function, every chunk
whose sum leaves less than one token of room per join is measured again. A chunk measured over
the limit is split. Token counts exclude special tokens such as ``[CLS]``/``[SEP]`` (the
embedder adds two: keep ``max_tokens`` two below its ``max_seq_length`` if nothing may be cut).

Work is linear in the text length: each sentence is tokenized once, in batches of 256, never as a
growing string (about 85% of the time is the tokenizer itself). Chunk ids are content hashes
(``Chunk`` hashes doc id + text), ``ord`` is the position; a chunk whose text repeats an earlier
chunk of the same document is dropped (it would have the same id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hopgraph.errors import ConfigError
from hopgraph.types import Chunk, Document
from hopgraph.util.batching import batched

Span = tuple[int, int]
_Piece = tuple[int, int, int, bool]
"""A sentence or part of one: start, end, token count, whether it is a whole sentence."""
_Packed = tuple[int, int, int, int]
"""A packed chunk: start, end, summed token count of its pieces, tokens its joins may add."""
_ADDITIVE_PRE_TOKENIZERS = frozenset({"BertPreTokenizer", "Whitespace", "WhitespaceSplit"})
"""Pre-tokenizers that split at whitespace: a text joined at whitespace counts as its parts' sum."""

_BOUNDARY = re.compile(
    r"(?P<end>[.!?…]+[\"'”’»)\]]*)\s+"  # sentence-final punctuation, then whitespace
    r"|\n[ \t]*\n\s*"  # a blank line (paragraph break)
    r"|\n(?=[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t])"  # a line break before a list item
)
_ABBREVIATIONS = frozenset(
    ("mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "e.g", "i.e", "cf", "fig", "figs", "vol",
     "approx", "ca", "inc", "ltd", "co", "corp", "dept", "univ", "gen", "col", "lt", "sgt", "capt", "rev",
     "hon", "mt", "ft", "no", "nos", "pp", "ed", "eds", "al", "op")
)  # fmt: skip
_WORD = re.compile(r"\S+")
_TOKENIZE_BATCH = 256
DEFAULT_BATCH_CHARS = 1_000_000
"""Characters of text measured per tokenizer call in :meth:`Chunker.chunk_many`."""


def split_sentences(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``, leading/trailing whitespace excluded."""
    spans: list[Span] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end_group = m.group("end")
        if end_group is not None:
            if m.end() < len(text) and text[m.end()].islower():
                continue  # "e.g. the", "approx. five": no sentence starts in lower case
            if end_group == "." and _is_abbreviation(text, m.start()):
                continue
            end = m.end("end")
        else:
            end = m.start()
        _add_span(text, start, end, spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    before = text[max(0, dot - 12) : dot]
    if not before or before[-1].isspace():
        return False
    word = before.split()[-1].lstrip("([{\"'“‘").lower()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


class _Measure:
    """Counts tokens with a Hugging Face tokenizer (batched, with offsets) or a plain function."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self._backend: Any = None
        self._fn: Callable[[str], int] | None = None
        self.additive = False
        """Whether a whitespace-joined text counts as the sum of its parts (whitespace pre-tokenizer)."""

    def _resolve(self) -> None:
        if self._backend is not None or self._fn is not None:
            return
        source = self._source
        if hasattr(source, "tokenizer") and hasattr(source, "count_tokens"):  # an Embedder
            source = source.tokenizer
        backend = getattr(source, "backend_tokenizer", None)
        if backend is None and type(source).__name__ == "Tokenizer" and hasattr(source, "encode_batch"):
            backend = source
        if backend is not None:
            # a private copy: the embedder sets truncation on the shared one when it encodes
            self._backend = type(backend).from_str(backend.to_str())
            self._backend.no_truncation()
            self._backend.no_padding()
            self.additive = type(self._backend.pre_tokenizer).__name__ in _ADDITIVE_PRE_TOKENIZERS
        elif hasattr(source, "encode") and not isinstance(source, type):
            tokenizer = source
            self._fn = lambda text: len(tokenizer.encode(text, add_special_tokens=False))
        elif callable(source):
            self._fn = source
        else:
            raise ConfigError(
                f"cannot count tokens with {type(source).__name__}: pass a function str -> int, "
                "a Hugging Face tokenizer or an Embedder"
            )

    def counts(self, texts: list[str]) -> list[int]:
        self._resolve()
        if self._backend is not None:
            encode = getattr(self._backend, "encode_batch_fast", self._backend.encode_batch)  # no offsets
            counts: list[int] = []
            for batch in batched(texts, _TOKENIZE_BATCH):  # bounded memory: Encodings are large
                counts.extend(len(e.ids) for e in encode(batch, add_special_tokens=False))
            return counts
        assert self._fn is not None
        return [int(self._fn(t)) for t in texts]

    def offsets(self, text: str) -> list[Span] | None:
        """Token character offsets of ``text`` (None when counting with a plain function)."""
        self._resolve()
        if self._backend is None:
            return None
        return list(self._backend.encode(text, add_special_tokens=False).offsets)


class Chunker:
    """Cuts documents into chunks of at most ``max_tokens`` tokens with sentence overlap.

    ``count_tokens`` is a function ``str -> int``, a Hugging Face tokenizer (fast tokenizers are
    used in batches) or an :class:`~hopgraph.embed.Embedder` (its tokenizer is loaded on first
    use, never its model), e.g. ``Chunker(SentenceTransformerEmbedder())``.
    """

    def __init__(self, count_tokens: Any, max_tokens: int = 256, overlap_tokens: int = 32) -> None:
        if max_tokens < 1:
            raise ConfigError(f"max_tokens must be at least 1, got {max_tokens}")
        if not 0 <= overlap_tokens < max_tokens:
            raise ConfigError(f"overlap_tokens must be in [0, max_tokens), got {overlap_tokens}")
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self._measure = _Measure(count_tokens)

    def count_tokens(self, text: str) -> int:
        return self._measure.counts([text])[0]

    def chunk(self, document: Document) -> list[Chunk]:
        """The chunks of one document, in order (none for an empty or blank text)."""
        return self._to_chunks(document, self.spans([document.text])[0])

    def chunk_many(self, documents: Iterable[Document]) -> Iterator[Chunk]:
        """Chunks of many documents, in order; texts are measured in batches across documents."""
        batch: list[Document] = []
        size = 0
        for doc in documents:
            batch.append(doc)
            size += len(doc.text)
            if size >= DEFAULT_BATCH_CHARS:
                yield from self._chunk_batch(batch)
                batch, size = [], 0
        if batch:
            yield from self._chunk_batch(batch)

    def _chunk_batch(self, docs: list[Document]) -> Iterator[Chunk]:
        for doc, spans in zip(docs, self.spans([d.text for d in docs]), strict=True):
            yield from self._to_chunks(doc, spans)

    @staticmethod
    def _to_chunks(document: Document, spans: list[Span]) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen: set[str] = set()
        for start, end in spans:
            text = document.text[start:end]
            if text not in seen:
                seen.add(text)
                chunks.append(Chunk(doc_id=document.id, ord=len(chunks), text=text))
        return chunks

    def spans(self, texts: list[str]) -> list[list[Span]]:
        """For each text, the character spans of its chunks."""
        sentences = [split_sentences(t) for t in texts]
        flat = [t[s:e] for t, spans in zip(texts, sentences, strict=True) for s, e in spans]
        counts = iter(self._measure.counts(flat) if flat else [])
        packed: list[list[_Packed]] = []
        for text, spans in zip(texts, sentences, strict=True):
            pieces: list[_Piece] = []
            for (s, e), n in zip(spans, counts):  # noqa: B905 - counts spans all texts
                if n <= self.max_tokens:
                    pieces.append((s, e, n, True))
                else:
                    pieces.extend(self._split_long(text, s, e))
            packed.append(self._pack(pieces))
        return self._enforce(texts, packed)

    def _pack(self, pieces: list[_Piece]) -> list[_Packed]:
        """Greedy packing of pieces into chunks, each starting with the last one's overlap."""
        out: list[_Packed] = []
        first, tokens = 0, 0
        for k, (_, _, n, _) in enumerate(pieces):
            if k > first and tokens + n > self.max_tokens:
                out.append((pieces[first][0], pieces[k - 1][1], tokens, self._slack(pieces, first, k)))
                new_first, kept = k, 0
                while new_first - 1 > first and kept + pieces[new_first - 1][2] <= self.overlap_tokens:
                    new_first -= 1
                    kept += pieces[new_first][2]
                while new_first < k and kept + n > self.max_tokens:
                    kept -= pieces[new_first][2]
                    new_first += 1
                first, tokens = new_first, kept
            tokens += n
        if pieces:
            out.append((pieces[first][0], pieces[-1][1], tokens, self._slack(pieces, first, len(pieces))))
        return out

    def _slack(self, pieces: list[_Piece], first: int, stop: int) -> int:
        """Tokens that joining ``pieces[first:stop]`` may add to the sum of their counts (a bound
        that holds for whitespace-splitting tokenizers and, one per join, nearly all others)."""
        cuts = sum(2 for piece in pieces[first:stop] if not piece[3])
        return cuts + (0 if self._measure.additive else stop - first - 1)

    def _split_long(self, text: str, start: int, end: int) -> list[_Piece]:
        """Pieces of an over-long sentence, cut at word starts (at token boundaries if need be)."""
        offsets = self._measure.offsets(text[start:end])
        if offsets is None:
            return self._split_by_words(text, start, end)
        limit, i = self.max_tokens, 0
        pieces: list[_Piece] = []
        while i < len(offsets):
            j = min(i + limit, len(offsets))
            if j < len(offsets):
                k, lowest = j, i + max(1, limit // 2)  # prefer a cut before a word (space before it)
                while k > lowest and offsets[k][0] <= offsets[k - 1][1]:
                    k -= 1
                j = k if offsets[k][0] > offsets[k - 1][1] else j
            pieces.append((start + offsets[i][0], start + offsets[j - 1][1], j - i, False))
            i = j
        return pieces

    def _split_by_words(self, text: str, start: int, end: int) -> list[_Piece]:
        words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text, start, end)]
        counts = self._measure.counts([text[s:e] for s, e in words])
        pieces: list[_Piece] = []
        for (s, e), n in zip(words, counts, strict=True):
            if n > self.max_tokens:
                pieces.extend((a, b, self.max_tokens, False) for a, b in self._bisect(text, s, e))
            elif pieces and pieces[-1][2] + n <= self.max_tokens:
                pieces[-1] = (pieces[-1][0], e, pieces[-1][2] + n, False)
            else:
                pieces.append((s, e, n, False))
        return pieces

    def _enforce(self, texts: list[str], packed: list[list[_Packed]]) -> list[list[Span]]:
        """Measure again each chunk whose joins might push it over the limit; split any that are."""
        check = [
            (i, s, e)
            for i, spans in enumerate(packed)
            for s, e, estimate, slack in spans
            if estimate + slack > self.max_tokens
        ]
        counts = self._measure.counts([texts[i][s:e] for i, s, e in check]) if check else []
        over = {(i, s): e for (i, s, e), n in zip(check, counts, strict=True) if n > self.max_tokens}
        result: list[list[Span]] = [[] for _ in texts]
        for i, spans in enumerate(packed):
            for s, e, _, _ in spans:
                result[i].extend(self._bisect(texts[i], s, e) if (i, s) in over else [(s, e)])
        return result

    def _bisect(self, text: str, start: int, end: int) -> list[Span]:
        """Split ``text[start:end]`` near its middle (a sentence or word gap if any) until each fits."""
        if end - start <= 1 or self.count_tokens(text[start:end]) <= self.max_tokens:
            return [(start, end)]
        mid = (start + end) // 2
        inner = split_sentences(text[start:end])
        gaps = [start + s for s, _ in inner[1:]] or [
            start + m.start() for m in _WORD.finditer(text, start, end) if m.start() > start
        ]
        cut = min(gaps, key=lambda g: abs(g - mid)) if gaps else mid
        left = text[start:cut].rstrip()
        right_start = cut + (len(text[cut:end]) - len(text[cut:end].lstrip()))
        return self._bisect(text, start, start + len(left)) + self._bisect(text, right_start, end)


__all__ = ["Chunker", "split_sentences"]
