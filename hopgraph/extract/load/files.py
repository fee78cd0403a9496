"""Document loaders: files, folders and globs in, :class:`Document` values (or problems) out.

Formats, chosen by suffix:

- ``.txt``, and any unknown suffix of a file named on its own: UTF-8 text (a BOM is honoured;
  UTF-16 with a BOM too); a text that looks hard-wrapped has its paragraphs unwrapped, one line
  each (:func:`~hopgraph.extract.load.wrapping.unwrap_plain_text` states the rule). In a folder
  (or a glob that matches folders) only the suffixes below are taken; every other file is
  reported as a ``skipped`` problem.
- ``.md``/``.markdown``: text with light markup stripping (headings, emphasis, links, images,
  list and quote markers, code fences, HTML tags); one line per paragraph, heading, list item
  and table row (a paragraph's wrapped lines joined); the title is the first heading.
- ``.html``/``.htm``/``.xhtml``: BeautifulSoup's ``html.parser``; script/style/template dropped;
  block elements become paragraph breaks, source line breaks in text become spaces (not in
  ``<pre>``); the title is ``<title>`` (else the first ``<h1>``).
- ``.pdf``: pypdf; page texts joined by blank lines, a paragraph's lines joined as in a
  hard-wrapped ``.txt``; the title is the PDF's title metadata.
- ``.json`` (a list of record objects, an object holding one such list, or one record object) and
  ``.jsonl`` (one record per line): a corpus. Each record becomes a Document whose ``source`` is
  ``"<path>#<record id>"`` (or ``"<path>#<index>"`` when the record has no id field), so ids stay
  stable; field names are set with :class:`JsonFields`. A ``.json`` file is parsed whole; use
  ``.jsonl`` for corpora too big for memory (read line by line). A ``.json`` object mapping titles
  to lists of sentences (the HotpotQA corpus layout, ``{"title": ["sentence", ...]}``) is a corpus
  too: each title becomes one Document, its sentences joined with single spaces
  (:func:`join_sentences`), its source ``"<path>#<title>"``.

A file's ``source`` is its resolved absolute path, so the same file reached by different
spellings gets the same :attr:`Document.id`. ``metadata["sha256"]`` is the SHA-256 of the text,
so a changed file can be told from an unchanged one; ``metadata`` also holds ``path``, ``format``
and, for corpus records, ``record`` (the index).

Nothing aborts the batch: an unreadable, binary (NUL bytes), empty, oversized or malformed file,
a bad corpus record or a source path that matches nothing is yielded as a :class:`LoadProblem`
(``severity="error"``, skipped) and loading goes on. Invalid UTF-8 in a text file is decoded
with U+FFFD replacement characters and reported as a ``severity="warning"`` problem yielded just
before the document, which is kept; if more than 5% of the characters are invalid the file is
taken for another encoding or binary data and skipped as an error.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hopgraph.extract.load.markup import ReadProblem, html_to_text, markdown_to_text, read_pdf
from hopgraph.extract.load.wrapping import unwrap_plain_text
from hopgraph.types import Document

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""Files larger than this are reported as problems instead of read (``max_bytes`` changes it)."""

MAX_INVALID_FRACTION = 0.05
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = frozenset({".txt", ".pdf", ".json", ".jsonl", *MARKDOWN_SUFFIXES, *HTML_SUFFIXES})
"""Suffixes with a dedicated reader; any other file is read as UTF-8 text if it decodes."""


@dataclass(frozen=True, slots=True)
class JsonFields:
    """Field names of a JSON/JSONL corpus record; ``records`` names the list inside an object."""

    id: str = "id"
    title: str = "title"
    text: str = "text"
    records: str | None = None


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A source that could not be (fully) loaded. ``path`` is the file, or ``file#index`` for a record."""

    path: str
    reason: str
    severity: Literal["error", "warning", "skipped"] = "error"
    """``error``: could not be loaded; ``warning``: loaded with a flaw; ``skipped``: passed over on
    purpose (a file in a folder whose suffix is no document type)."""

    @property
    def skipped(self) -> bool:
        """True when nothing was loaded from ``path``; warnings come with their document."""
        return self.severity != "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _is_glob(source: str) -> bool:
    return any(ch in source for ch in "*?[")


GRAPH_MARKERS = (
    "jobs.sqlite",
    "falkordb/appendonlydir",
    "falkordb/redis.log",
    "falkordb/server.json",
    "falkordb/dump.rdb",
    "cache/generation",
)
"""Files only hopgraph writes into a graph folder: a folder holding one of them is a graph, never input."""


def is_graph_folder(path: Path) -> bool:
    """Whether ``path`` is a hopgraph graph folder (its database, job state, caches: never documents)."""
    return any((path / marker).exists() for marker in GRAPH_MARKERS)


def _walk(folder: Path, exclude: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """Files under ``folder``, recursively, in sorted order; hidden files and folders are skipped,
    and so are graph folders (:func:`is_graph_folder`) and the folders in ``exclude``."""
    found: list[tuple[str, ...]] = []
    for root, dirs, files in os.walk(folder):
        kept = []
        for d in dirs:
            sub = Path(root) / d
            if d.startswith("."):
                continue
            if sub.resolve() in exclude or is_graph_folder(sub):
                log.info("%s holds a hopgraph graph: not read as input", sub)
                continue
            kept.append(d)
        dirs[:] = kept
        base = Path(root).relative_to(folder).parts
        found.extend((*base, name) for name in files if not name.startswith("."))
    for parts in sorted(found):
        yield folder.joinpath(*parts)


def _documents_in(folder: Path, exclude: frozenset[Path] = frozenset()) -> Iterator[Path | LoadProblem]:
    """The files of a folder with a document suffix (:data:`SUPPORTED_SUFFIXES`); every other
    file is reported as skipped (a ``.csv``, a ``.py``, a suffix-less README are not taken as
    text unless named one by one)."""
    for file in _walk(folder, exclude):
        if file.suffix.lower() in SUPPORTED_SUFFIXES:
            yield file
        else:
            what = f"the suffix {file.suffix}" if file.suffix else "no suffix"
            yield LoadProblem(
                str(file),
                f"{what} is not a document type ({', '.join(sorted(SUPPORTED_SUFFIXES))}); "
                "name the file itself to ingest it as text",
                severity="skipped",
            )


def _in_graph(path: Path, exclude: frozenset[Path], known: dict[Path, bool]) -> bool:
    """Whether a folder above ``path`` is a graph folder (or excluded)."""
    for parent in path.resolve().parents:
        if parent not in known:
            known[parent] = parent in exclude or is_graph_folder(parent)
        if known[parent]:
            return True
    return False


def _expand(source: str | Path, exclude: frozenset[Path] = frozenset()) -> Iterator[Path | LoadProblem]:
    path = Path(source)
    if path.is_dir():
        if path.resolve() in exclude or is_graph_folder(path):
            yield LoadProblem(
                str(source), "is a hopgraph graph folder (database, job state, caches), never input"
            )
            return
        yield from _documents_in(path, exclude)
    elif path.exists() or path.is_symlink():
        yield path
    elif isinstance(source, str) and _is_glob(source):
        matches = sorted(glob.glob(source, recursive=True))
        if not matches:
            yield LoadProblem(source, "the glob matched no files")
        known: dict[Path, bool] = {}
        for match in matches:
            found = Path(match)
            if found.is_dir():
                if not (
                    found.resolve() in exclude or is_graph_folder(found) or _in_graph(found, exclude, known)
                ):
                    yield from _documents_in(found, exclude)
            elif not _in_graph(found, exclude, known):
                yield found
    else:
        yield LoadProblem(str(source), "no such file or folder")


def iter_documents(
    sources: Sequence[str | Path],
    *,
    json_fields: JsonFields = JsonFields(),
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Sequence[str | Path] = (),
) -> Iterator[Document | LoadProblem]:
    """Documents (and problems) from files, folders (recursive, sorted) and globs, in that order.

    A file reached twice (say through a folder and a glob) is loaded once. Folders and globs never
    reach into a hopgraph graph folder (:func:`is_graph_folder`) or a folder in ``exclude`` (the
    graph being written): its database, logs and caches are not documents. A file in ``exclude``
    (the job state) is skipped too.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    skip = frozenset(Path(p).resolve() for p in exclude)
    seen: set[Path] = set()
    for source in sources:
        for item in _expand(source, skip):
            if isinstance(item, LoadProblem):
                yield item
                continue
            resolved = item.resolve()
            if resolved in seen or resolved in skip:
                continue
            seen.add(resolved)
            yield from load_file(resolved, json_fields=json_fields, max_bytes=max_bytes)


def load_documents(
    sources: Sequence[str | Path],
    *,
    json_fields: JsonFields = JsonFields(),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[list[Document], list[LoadProblem]]:
    """:func:`iter_documents`, collected: ``(documents, problems)``."""
    docs: list[Document] = []
    problems: list[LoadProblem] = []
    for item in iter_documents(sources, json_fields=json_fields, max_bytes=max_bytes):
        (problems if isinstance(item, LoadProblem) else docs).append(item)  # type: ignore[arg-type]
    return docs, problems


def load_file(
    path: str | Path,
    *,
    json_fields: JsonFields = JsonFields(),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document | LoadProblem]:
    """Documents (one, or one per corpus record) and problems from one file."""
    file = Path(path).resolve()
    name = str(file)
    suffix = file.suffix.lower()
    try:
        if not file.is_file():
            raise ReadProblem("not a regular file" if file.exists() else "no such file")
        size = file.stat().st_size
        if size == 0:
            raise ReadProblem("empty file")
        if size > max_bytes:
            raise ReadProblem(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (max_bytes)")
        if suffix == ".pdf":
            title, text = read_pdf(file)
            yield _document(name, text, title or file.stem, file, "pdf")
            return
        if suffix == ".jsonl":
            yield from _jsonl_records(file, json_fields)
            return
        raw = file.read_bytes()
        text, warning = _decode(raw)
        if suffix == ".json":
            yield from _json_records(file, text, json_fields)
            return
        if warning:
            yield LoadProblem(name, warning, "warning")
        if suffix in HTML_SUFFIXES:
            title, text = html_to_text(text)
            fmt = "html"
        elif suffix in MARKDOWN_SUFFIXES:
            title, text = markdown_to_text(text)
            fmt = "markdown"
        else:
            text = unwrap_plain_text(text)
            title, fmt = _text_title(text), "text"
        yield _document(name, text, title or file.stem, file, fmt)
    except ReadProblem as exc:
        yield LoadProblem(name, str(exc))
    except OSError as exc:
        yield LoadProblem(name, f"cannot read the file: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - third-party parsers on untrusted input; the batch goes on
        yield LoadProblem(name, f"could not be loaded ({type(exc).__name__}: {exc})")


def _document(source: str, text: str, title: str, file: Path, fmt: str, **extra: Any) -> Document:
    if not text.strip():
        raise ReadProblem("no text" if fmt == "text" else f"no text left after reading it as {fmt}")
    meta = {"sha256": sha256_text(text), "path": str(file), "format": fmt, **extra}
    return Document(source=source, text=text, title=title.strip(), metadata=meta)


def _decode(raw: bytes) -> tuple[str, str]:
    """``(text, warning)``: UTF-8 (or BOM-marked UTF-16) text with newlines normalised."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _newlines(raw.decode("utf-16")), ""
        except UnicodeDecodeError:
            raise ReadProblem("starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    if b"\x00" in raw:
        raise ReadProblem("binary file (holds NUL bytes), not text")
    try:
        return _newlines(raw.decode("utf-8-sig")), ""
    except UnicodeDecodeError as exc:
        first = exc.start
    text = raw.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - raw.count("\ufffd".encode())
    if bad > MAX_INVALID_FRACTION * max(len(text), 1):
        raise ReadProblem(
            f"not UTF-8 text ({bad:,} invalid bytes of {len(raw):,}; binary or another encoding)"
        )
    warning = f"invalid UTF-8: {bad:,} byte sequence(s) replaced with U+FFFD (first at byte {first:,})"
    return _newlines(text), warning


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _text_title(text: str) -> str:
    """A plain text's title: its first line when that is short and followed by a blank line."""
    head = text.lstrip()[:200].split("\n", 2)
    if len(head) == 3 and not head[1].strip() and 0 < len(head[0].strip()) <= 100:
        return head[0].strip()
    return ""


# -- JSON / JSONL corpora -------------------------------------------------------------------------
def _json_records(file: Path, text: str, fields: JsonFields) -> Iterator[Document | LoadProblem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadProblem(f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    yield from _records(file, enumerate(_record_list(data, fields)), fields, "json")


def _record_list(data: Any, fields: JsonFields) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise ReadProblem(f"a JSON corpus must be a list of objects or an object, not {type(data).__name__}")
    if fields.records is not None:
        if not isinstance(data.get(fields.records), list):
            raise ReadProblem(
                f"no list under the key {fields.records!r} (--json-records; JsonFields.records in Python)"
            )
        return list(data[fields.records])
    if fields.text in data:
        return [data]
    if _is_title_corpus(data):
        return [{fields.id: t, fields.title: t, fields.text: join_sentences(v)} for t, v in data.items()]
    lists = sorted(k for k, v in data.items() if isinstance(v, list))
    if len(lists) != 1:
        found = ", ".join(repr(k) for k in lists) or "none"
        raise ReadProblem(
            f"cannot tell which list holds the records (lists found: {found}); name it with "
            f"--json-records NAME (JsonFields(records=NAME) in Python), "
            f"or give each record a {fields.text!r} field"
        )
    return list(data[lists[0]])


def join_sentences(sentences: Sequence[str]) -> str:
    """Sentences as one passage text: each stripped, blank ones dropped, joined with single spaces."""
    return " ".join(s.strip() for s in sentences if s.strip())


def _is_title_corpus(data: dict[str, Any]) -> bool:
    """``{title: [sentence, ...]}``: every value a list of strings, at least one of them non-empty."""
    lists = list(data.values())
    return (
        bool(lists)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in lists)
        and any(lists)
    )


def _jsonl_records(file: Path, fields: JsonFields) -> Iterator[Document | LoadProblem]:
    def lines() -> Iterator[tuple[int, Any]]:
        with file.open("rb") as handle:
            for index, raw in enumerate(handle):
                if not raw.strip():
                    continue
                try:
                    yield index, json.loads(raw.decode("utf-8-sig" if index == 0 else "utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    yield index, ReadProblem(f"line {index + 1} is not a JSON object ({exc})")

    yield from _records(file, lines(), fields, "jsonl")


def _records(
    file: Path, rows: Iterator[tuple[int, Any]], fields: JsonFields, fmt: str
) -> Iterator[Document | LoadProblem]:
    first_index: dict[str, int] = {}
    count = 0
    for index, record in rows:
        if isinstance(record, ReadProblem):
            yield LoadProblem(f"{file}#{index}", str(record))
            continue
        key, problem = _record_key(record, index, fields)
        if problem:
            yield LoadProblem(f"{file}#{key}", problem)
            continue
        if key in first_index:
            yield LoadProblem(
                f"{file}#{key}", f"duplicate record id (first seen at record {first_index[key]})"
            )
            continue
        first_index[key] = index
        title = record.get(fields.title, "")
        title = str(title) if isinstance(title, (str, int, float)) else ""
        text = _newlines(record[fields.text])
        count += 1
        yield Document(
            source=f"{file}#{key}",
            text=text,
            title=title.strip(),
            metadata={"sha256": sha256_text(text), "path": str(file), "format": fmt, "record": index},
        )
    if count == 0:
        yield LoadProblem(str(file), "no usable records in the corpus")


def _record_key(record: Any, index: int, fields: JsonFields) -> tuple[str, str]:
    """``(key, problem)``: the record's id (or index) and why it is unusable ('' when it is fine)."""
    if not isinstance(record, dict):
        return str(index), f"record {index} is a {type(record).__name__}, not an object"
    raw_id = record.get(fields.id)
    key = str(raw_id).strip() if isinstance(raw_id, (str, int)) and str(raw_id).strip() else str(index)
    text = record.get(fields.text)
    if not isinstance(text, str):
        what = "has no" if text is None else f"has a {type(text).__name__} as its"
        return key, (
            f"record {index} {what} {fields.text!r} text field "
            "(name the field with --json-text-field; JsonFields.text in Python)"
        )
    if not text.strip():
        return key, f"record {index} has empty text"
    return key, ""


__all__ = [
    "GRAPH_MARKERS",
    "SUPPORTED_SUFFIXES",
    "JsonFields",
    "LoadProblem",
    "is_graph_folder",
    "iter_documents",
    "join_sentences",
    "load_documents",
    "load_file",
    "sha256_text",
]
