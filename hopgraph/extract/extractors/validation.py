"""Turning model output into validated triples: shape tolerance, schema guidance, grounding.

Grounding (is a name really in the chunk?) works on a normal form: NFKC, case-folded, every
run of non-word characters turned into one space. A name is grounded with score 1.0 when its
normal form occurs in the chunk's normal form at word boundaries ("marie curie" in "... marie
curie born ..."); otherwise with score = (content tokens of the name found among the chunk's
tokens) / (content tokens of the name), when that is at least ``threshold`` (default 0.5).
Content tokens are ``\\w+`` tokens minus a few function words and single letters, so "Albert
Einstein" is grounded (0.5) in a chunk that says only "Einstein", and "Zurich University" is not
grounded in a chunk about Bern. A triple's confidence is the lower of its two scores.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hopgraph.errors import LLMOutputError
from hopgraph.ids import normalize_name, relation_type
from hopgraph.types import Chunk, Triple
from hopgraph.util.stopwords import GROUNDING_STOPWORDS

_TOKEN = re.compile(r"\w+")
_TRIPLE_KEYS = ("triples", "relations", "relationships", "facts", "edges")
_SUBJECT = ("subject", "head", "source", "s", "subj")
_PREDICATE = ("predicate", "relation", "relationship", "p", "rel", "pred")
_OBJECT = ("object", "tail", "target", "o", "obj")


def _norm_tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _content(tokens: Iterable[str]) -> set[str]:
    return {t for t in tokens if t not in GROUNDING_STOPWORDS and (len(t) > 1 or t.isdigit())}


class Grounder:
    """Scores how well names are grounded in one chunk's text (normal form computed once)."""

    def __init__(self, text: str, threshold: float = 0.5) -> None:
        tokens = _norm_tokens(text)
        self.padded = " " + " ".join(tokens) + " "
        self.tokens = set(tokens)
        self.threshold = threshold

    def score(self, name: str) -> float:
        tokens = _norm_tokens(name)
        if not tokens:
            return 0.0
        if " " + " ".join(tokens) + " " in self.padded:
            return 1.0
        content = _content(tokens)
        if not content:
            return 0.0
        ratio = len(content & self.tokens) / len(content)
        return ratio if ratio >= self.threshold else 0.0


@dataclass(frozen=True)
class SchemaGuidance:
    """Allowed entity and relation types. ``strict`` drops triples outside them; lenient keeps them.

    Relation names match by their relationship type (``"directed by"`` matches ``DIRECTED_BY``),
    entity types case-insensitively; ``synonyms`` maps other wordings onto allowed names
    (``{"made by": "directed by", "Human": "Person"}``). A matched name is replaced by its
    allowed spelling. In strict mode a triple whose predicate, subject type or object type
    (empty included) is not allowed is dropped.
    """

    entity_types: tuple[str, ...] = ()
    relation_types: tuple[str, ...] = ()
    strict: bool = False
    synonyms: Mapping[str, str] = field(default_factory=dict, hash=False)

    def prompt_text(self) -> str:
        lines = []
        mode = "only" if self.strict else "preferably"
        if self.entity_types:
            lines.append(f"- Use {mode} these entity types: {', '.join(self.entity_types)}.")
        if self.relation_types:
            lines.append(f"- Use {mode} these predicates: {', '.join(self.relation_types)}.")
        return "\n".join(lines)

    def _lookup(self, value: str, allowed: tuple[str, ...], key: Any) -> str | None:
        wanted = key(self.synonyms.get(value, value))
        for name in allowed:
            if key(name) == wanted:
                return name
        return None

    def predicate(self, value: str) -> str | None:
        """The allowed spelling of predicate ``value``; itself (lenient) or None (strict) if not allowed."""
        if not self.relation_types:
            return value
        found = self._lookup(value, self.relation_types, relation_type)
        return found if found is not None else (None if self.strict else value)

    def entity_type(self, value: str) -> str | None:
        if not self.entity_types:
            return value
        found = self._lookup(value, self.entity_types, str.casefold)
        return found if found is not None else (None if self.strict else value)


@dataclass(frozen=True, slots=True)
class RawTriple:
    subject: str
    predicate: str
    object: str
    subject_type: str = ""
    object_type: str = ""


def _text(value: Any) -> tuple[str, str]:
    """(name, type) of a value that may be a string, a number or ``{"name":..., "type":...}``."""
    if isinstance(value, dict):
        return _text(value.get("name", value.get("text", "")))[0], _text(value.get("type", ""))[0]
    if isinstance(value, bool) or value is None:
        return "", ""
    if isinstance(value, int | float | str):
        return " ".join(str(value).split()), ""
    return "", ""


def _pick(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in item.items()}
    for key in keys:
        if key in lowered:
            return lowered[key]
    return None


def _items(data: Any, keys: tuple[str, ...]) -> list[Any]:
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return list(data[key])
        return [data]
    return list(data) if isinstance(data, list) else []


def raw_triples(data: Any) -> list[RawTriple | None]:
    """Triples in parsed output (``{"triples": [...]}`` or a bare list; items as objects or lists).

    An item that has no recognisable triple shape comes back as None (counted as dropped);
    output with no triple list at all raises ``LLMOutputError``.
    """
    if isinstance(data, dict) and not any(isinstance(data.get(k), list) for k in _TRIPLE_KEYS):
        if _pick(data, _SUBJECT) is None or _pick(data, _OBJECT) is None:
            raise LLMOutputError('expected a JSON object with a "triples" list, got keys: ' + ", ".join(data))
    elif not isinstance(data, dict | list):
        raise LLMOutputError(f'expected a JSON object with a "triples" list, got {type(data).__name__}')
    out: list[RawTriple | None] = []
    for item in _items(data, _TRIPLE_KEYS):
        if isinstance(item, dict):
            (s, st), (p, _), (o, ot) = (_text(_pick(item, k)) for k in (_SUBJECT, _PREDICATE, _OBJECT))
            st = _text(item.get("subject_type", ""))[0] or st
            ot = _text(item.get("object_type", ""))[0] or ot
            out.append(RawTriple(s, p, o, st, ot) if s and p and o else None)
        elif isinstance(item, list | tuple) and len(item) >= 3:
            s, p, o = (_text(v)[0] for v in item[:3])
            out.append(RawTriple(s, p, o) if s and p and o else None)
        else:
            out.append(None)
    return out


def raw_entities(data: Any) -> list[tuple[str, str]]:
    """``(name, type)`` pairs from ``{"entities": [...]}`` (objects, strings or ``[name, type]``)."""
    out = []
    for item in _items(data, ("entities", "entity", "names")):
        if isinstance(item, dict):
            name, _ = _text(item.get("name", item.get("entity", "")))
            kind = _text(item.get("type", item.get("label", "")))[0]
        elif isinstance(item, list | tuple) and item:
            name, kind = _text(item[0])[0], (_text(item[1])[0] if len(item) > 1 else "")
        else:
            name, kind = _text(item)[0], ""
        if name:
            out.append((name, kind))
    return out


def validate_triples(
    raw: Iterable[RawTriple | None],
    chunk: Chunk,
    grounder: Grounder,
    guidance: SchemaGuidance | None = None,
    known_types: Mapping[str, str] | None = None,
) -> tuple[list[Triple], int]:
    """Grounded, guidance-checked, de-duplicated triples of ``chunk``, and how many were dropped.

    Dropped: unrecognised shapes, empty parts, subject equal to object, a subject or object not
    grounded in the chunk, anything strict guidance rejects, and repeats.
    """
    guidance = guidance or SchemaGuidance()
    types = {k.casefold(): v for k, v in (known_types or {}).items()}
    kept: dict[tuple[str, str, str], Triple] = {}
    dropped = 0
    for item in raw:
        checked = _check(item, grounder, guidance, types)
        if checked is None:
            dropped += 1
            continue
        s, p, o, st, ot, confidence = checked
        key = (normalize_name(s).casefold(), relation_type(p), normalize_name(o).casefold())
        if key in kept:
            dropped += 1
            continue
        kept[key] = Triple(s, p, o, chunk.doc_id, chunk.id, confidence, st, ot)
    return list(kept.values()), dropped


def _check(
    item: RawTriple | None, grounder: Grounder, guidance: SchemaGuidance, types: Mapping[str, str]
) -> tuple[str, str, str, str, str, float] | None:
    if item is None:
        return None
    s, p, o = normalize_name(item.subject), normalize_name(item.predicate), normalize_name(item.object)
    if not (s and p and o) or s.casefold() == o.casefold():
        return None
    confidence = min(grounder.score(s), grounder.score(o))
    if confidence <= 0:
        return None
    predicate = guidance.predicate(p)
    st = guidance.entity_type(item.subject_type or types.get(s.casefold(), ""))
    ot = guidance.entity_type(item.object_type or types.get(o.casefold(), ""))
    if predicate is None or st is None or ot is None:
        return None
    return s, predicate, o, st, ot, round(confidence, 3)
