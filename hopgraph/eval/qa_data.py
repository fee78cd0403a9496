"""Multi-hop QA question files: MuSiQue and HotpotQA (HippoRAG's layouts) as :class:`QAItem` values.

- ``musique``: a JSON list (or JSONL, one record a line) of ``{"id", "question", "answer",
  "answer_aliases", "paragraphs": [{"title", "paragraph_text", "is_supporting"}]}``. The gold
  passages are the supporting paragraphs, matched to graph Documents by (title, text).
- ``hotpotqa``: a JSON list (or JSONL) of ``{"_id" or "id", "question", "answer",
  "supporting_facts": [[title, sentence index], ...], "context": [[title, [sentences]], ...]}``.
  The gold passages are the distinct supporting titles, in order, matched to Documents by title.
  Their text, when known, comes from ``corpus`` (a ``{title: [sentences]}`` file, as
  ``hopgraph ingest`` reads it, or a list of ``{"title", "text"}``), else from ``context``.

A malformed record raises :class:`~hopgraph.errors.ImportFormatError` naming the file, the record's
position and id, and the field at fault: an evaluation on part of a file would be misleading.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hopgraph.errors import ConfigError, ImportFormatError
from hopgraph.extract.load.files import join_sentences

QAFormat = Literal["musique", "hotpotqa"]
FORMATS: tuple[str, ...] = ("musique", "hotpotqa")


@dataclass(frozen=True, slots=True)
class GoldPassage:
    """A passage a question needs: its title and, where the format gives it, its text."""

    title: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class QAItem:
    """One question: ``answers`` holds the answer first, then its aliases."""

    id: str
    question: str
    answers: tuple[str, ...]
    gold: tuple[GoldPassage, ...] = ()


def load_questions(
    path: str | Path,
    format: str,
    corpus: str | Path | Mapping[str, str] | None = None,
) -> list[QAItem]:
    """The questions of a MuSiQue or HotpotQA file (``format``: ``musique`` or ``hotpotqa``).

    ``corpus`` (HotpotQA only; a file or a ``{title: text}`` mapping) supplies gold passage texts.
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown question format {format!r}: choose one of {', '.join(FORMATS)}")
    file = Path(path)
    texts = _corpus_texts(corpus) if format == "hotpotqa" and corpus is not None else {}
    parse = _musique if format == "musique" else _hotpotqa
    items: list[QAItem] = []
    seen: dict[str, int] = {}
    for index, record in read_records(file):
        where = f"{file}: record {index}"
        if not isinstance(record, dict):
            raise ImportFormatError(f"{where} is a {type(record).__name__}, not an object")
        raw_id = record.get("id", record.get("_id"))
        item_id = str(raw_id).strip() if isinstance(raw_id, (str, int)) and str(raw_id).strip() else ""
        where = f"{where} (id {item_id})" if item_id else where
        try:
            item = parse(record, item_id or str(index), texts)
        except _BadRecord as exc:
            raise ImportFormatError(f"{where}: {exc} (is this a {format} file?)") from None
        if item.id in seen:
            raise ImportFormatError(f"{where}: duplicate id (first at record {seen[item.id]})")
        seen[item.id] = index
        items.append(item)
    return items


class _BadRecord(ValueError):
    pass


def read_records(file: Path, jsonl: bool | None = None) -> Iterator[tuple[int, Any]]:
    """``(position, record)`` of a question file: a JSON list (or an object holding one list), or
    JSONL (one record a line; ``jsonl=True``, or by default a ``.jsonl`` suffix). Positions count
    from 0: records of a list, lines of a JSONL file."""
    if not file.is_file():
        raise ConfigError(f"no questions file at {file}")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{file}: cannot read the questions file ({exc})") from None
    if jsonl or (jsonl is None and file.suffix.lower() == ".jsonl"):
        for number, line in enumerate(text.splitlines()):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ImportFormatError(f"{file}: line {number + 1} is not JSON ({exc.msg})") from None
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{file}: malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ImportFormatError(f"{file}: expected a JSON list of question records")
        data = lists[0]
    if not isinstance(data, list):
        raise ImportFormatError(
            f"{file}: expected a JSON list of question records, not {type(data).__name__}"
        )
    yield from enumerate(data)


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        raise _BadRecord(f"no {key!r} field")
    if not isinstance(value, str):
        raise _BadRecord(f"{key!r} is a {type(value).__name__}, not a string")
    if not value.strip():
        raise _BadRecord(f"empty {key!r}")
    return value.strip()


def answer_names(record: Mapping[str, Any]) -> tuple[str, ...]:
    """A question record's gold answer and its aliases, first the answer, without repeats.

    The answer is ``answer`` (a string or number) or ``answers`` (a string or a list of strings);
    aliases come from ``answer_aliases`` (MuSiQue, HotpotQA) or ``aliases``, a list of strings.
    Raises :class:`ValueError` naming the field that is missing or malformed.
    """
    if "answers" in record and "answer" not in record:
        answers = record["answers"]
        answers = [answers] if isinstance(answers, str) else answers
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise _BadRecord("'answers' must be a string or a list of strings")
    else:
        answers = [_text(record, "answer")]
    key = "answer_aliases" if "answer_aliases" in record else "aliases"
    aliases = record.get(key) or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _BadRecord(f"{key!r} must be a list of strings")
    names = tuple(dict.fromkeys(a.strip() for a in [*answers, *aliases] if a.strip()))
    if not names:
        raise _BadRecord("no 'answer' string")
    return names


def _musique(record: Mapping[str, Any], item_id: str, _texts: Mapping[str, str]) -> QAItem:
    paragraphs = record.get("paragraphs")
    if not isinstance(paragraphs, list):
        raise _BadRecord("no 'paragraphs' list")
    gold: list[GoldPassage] = []
    for number, p in enumerate(paragraphs):
        if not isinstance(p, dict) or not isinstance(p.get("paragraph_text"), str):
            raise _BadRecord(f"paragraph {number} has no 'paragraph_text'")
        if p.get("is_supporting"):
            title = p.get("title")
            passage = GoldPassage(title.strip() if isinstance(title, str) else "", p["paragraph_text"])
            if passage not in gold:
                gold.append(passage)
    return QAItem(item_id, _text(record, "question"), answer_names(record), tuple(gold))


def _hotpotqa(record: Mapping[str, Any], item_id: str, texts: Mapping[str, str]) -> QAItem:
    facts = record.get("supporting_facts")
    if not isinstance(facts, list):
        raise _BadRecord("no 'supporting_facts' list")
    context = _context_texts(record.get("context"))
    titles: list[str] = []
    for number, fact in enumerate(facts):
        if not isinstance(fact, list) or not fact or not isinstance(fact[0], str):
            raise _BadRecord(f"supporting fact {number} is not [title, sentence index]")
        if fact[0].strip() not in titles:
            titles.append(fact[0].strip())
    gold = tuple(GoldPassage(t, texts.get(t, context.get(t))) for t in titles)
    return QAItem(item_id, _text(record, "question"), answer_names(record), gold)


def _context_texts(context: Any) -> dict[str, str]:
    """``{title: text}`` of a HotpotQA ``context`` (``[[title, [sentences]], ...]``); {} when absent."""
    if context is None:
        return {}
    if not isinstance(context, list):
        raise _BadRecord("'context' must be a list of [title, [sentences]]")
    out: dict[str, str] = {}
    for number, entry in enumerate(context):
        ok = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
        if not ok or not isinstance(entry[1], list) or not all(isinstance(s, str) for s in entry[1]):
            raise _BadRecord(f"context entry {number} is not [title, [sentences]]")
        out.setdefault(entry[0].strip(), join_sentences(entry[1]))
    return out


def _corpus_texts(corpus: str | Path | Mapping[str, str]) -> dict[str, str]:
    """``{title: text}`` of a HotpotQA corpus: a mapping, or a file holding ``{title: [sentences]}``,
    ``{title: text}`` or a list of ``{"title", "text"}``."""
    if isinstance(corpus, Mapping):
        return {str(k).strip(): str(v) for k, v in corpus.items()}
    file = Path(corpus)
    if not file.is_file():
        raise ConfigError(f"no corpus file at {file}")
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{file}: cannot read the corpus as JSON ({exc})") from None
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for title, value in data.items():
            if isinstance(value, list) and all(isinstance(s, str) for s in value):
                out[title.strip()] = join_sentences(value)
            elif isinstance(value, str):
                out[title.strip()] = value
            else:
                raise ImportFormatError(f"{file}: corpus entry {title!r} is not a list of sentences")
        return out
    if isinstance(data, list):
        for index, record in enumerate(data):
            ok = isinstance(record, dict) and isinstance(record.get("title"), str)
            if not ok or not isinstance(record.get("text"), str):
                raise ImportFormatError(f"{file}: corpus record {index} has no 'title' and 'text' strings")
            out.setdefault(record["title"].strip(), record["text"])
        return out
    raise ImportFormatError(f"{file}: a corpus is {{title: [sentences]}} or a list of {{title, text}}")


__all__ = ["FORMATS", "GoldPassage", "QAFormat", "QAItem", "load_questions"]
