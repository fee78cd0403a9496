"""Content-hash ids and the one sanitiser that turns predicates into relationship types.

Ids are short SHA-256 prefixes of normalised content, so re-ingesting the same text is a
no-op and two processes agree on ids without coordination.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
"""The only shape of label or relationship-type name that is ever interpolated into Cypher."""


def _digest(*parts: str, size: int = 16) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:size]


def normalize_name(name: str) -> str:
    """The key under which entity names are identified: NFC, trimmed, inner whitespace collapsed.

    Case and punctuation are kept on purpose: a curated KB may hold "Sienna Miller" and
    "sienna miller" as distinct nodes. Merging such variants is entity resolution's job.
    """
    # str.split() splits on exactly the characters the regex \s matches, and drops the ends
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_key(name: str) -> str:
    """The case-insensitive form of a name, for matching (``find_entities``, answers, paths)."""
    return normalize_name(name).casefold()


def entity_id(name: str) -> str:
    return "e" + _digest(normalize_name(name))


def document_id(source: str) -> str:
    return "d" + _digest(source)


def chunk_id(doc_id: str, text: str) -> str:
    return "c" + _digest(doc_id, text)


def relation_type(predicate: str) -> str:
    """Sanitised UPPER_SNAKE relationship type for a predicate, always matching TYPE_NAME.

    "directed by" -> DIRECTED_BY, "release_year" -> RELEASE_YEAR. A predicate with no Latin
    letters or digits left (e.g. "監督") becomes REL_<hash>, so distinct wordings stay distinct;
    the original wording is kept on the relationship's ``predicate`` property.
    """
    ascii_form = unicodedata.normalize("NFKD", predicate).encode("ascii", "ignore").decode()
    core = _NON_WORD.sub("_", ascii_form).strip("_").upper()
    if not core:
        return "REL_" + _digest(predicate, size=8).upper()
    if not core[0].isalpha():
        core = "R_" + core
    if len(core) > 64:
        core = core[:55].rstrip("_") + "_" + _digest(predicate, size=8).upper()
    return core


def checked_type_name(name: str) -> str:
    """Return ``name`` if it may be interpolated into Cypher as a label or type, else raise."""
    from hopgraph.errors import InvalidNameError

    if not isinstance(name, str) or not TYPE_NAME.match(name):
        raise InvalidNameError(
            f"{name!r} is not a valid label or relationship type: it must match {TYPE_NAME.pattern}"
        )
    return name
