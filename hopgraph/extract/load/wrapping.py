"""Unwrapping hard-wrapped plain text: the line breaks inside a paragraph become spaces.

A text editor's or mailer's hard wrap cuts a sentence at a fixed width; the offline extractor
starts a sentence at every line break, so a wrapped sentence loses its relations ("born" on one
line, "in Uppsala" on the next). Plain text has no markup telling a wrap from a deliberate line
break, so :func:`unwrap_plain_text` guesses, conservatively: a file that does not look
hard-wrapped comes out unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from itertools import pairwise

WRAP_PERCENTILE = 0.9
"""The wrap width W is this percentile of the non-blank line lengths (long lines are the full ones)."""
MIN_WIDTH, MAX_WIDTH = 40, 120
"""Only a W in this range is taken for a wrap width (narrower: verse, lists; wider: long lines)."""
FULL_LINE = 0.8
"""A line at least this fraction of W long is filled up to the wrap width."""
JOIN_LINE = 0.6
"""A line at least this fraction of W long continues on the next line (when the file is wrapped)."""
MIN_FULL_LINES = 2
"""A wrapped file has at least this many full lines followed by another line of their paragraph ..."""
MIN_FULL_SHARE = 1 / 3
"""... and they are at least this share of the lines followed by another (the rest: short lines of
lists, headings and addresses, and paragraphs' last lines when no blank line follows)."""

_LIST_MARKER = re.compile(r"\s*(?:[-*+•‣◦–]|\d{1,2}[.)]|\(?[A-Za-z]\)|\(\d{1,2}\))\s")


def unwrap_plain_text(text: str) -> str:
    """``text`` with each hard-wrapped paragraph on one line; text that does not look wrapped, as is.

    The rule: the wrap width W is the 90th percentile of the non-blank line lengths. The text looks
    hard-wrapped when W is between 40 and 120 and, of the lines followed by a non-blank line, at
    least two and at least a third are 0.8 W long or longer. Then a line is joined to the next one
    (never across a blank line) when

    - it is at least 0.6 W long, or it stops mid-phrase: it ends in an article, a preposition
      or a conjunction, or the next line starts with a lower-case letter and the line does not
      end in ``, ; : . ! ?`` (a wrap before a long word; verse keeps its lines), and
    - the next line does not start with a list marker (``-``, ``*``, ``•``, ``1.``, ``2)``,
      ``a)``, ``(b)`` ...), and neither line looks like a table row (a pipe, or columns apart by
      a tab or 3+ spaces).

    Short lines (headings, addresses, verse), blank lines and a text whose paragraphs are single
    lines stay as they are. A text that does not look hard-wrapped still has a line of 40
    characters or more that stops mid-phrase joined to the next (one wrapped sentence in a short
    note).

    Joined lines are separated by one space, except after a hyphen that follows a letter: then
    the lines are joined with no space and the hyphen is kept ("well-\\nknown" -> "well-known",
    "exam-\\nple" -> "exam-ple"). Dropping the hyphen would mend a word split by the wrap but
    break every compound that happened to be wrapped at its hyphen; keeping it loses no word.
    """
    lines = text.split("\n")
    width = wrap_width(lines)
    if width is not None:
        return _joined(lines, lambda line, following: _continues(line, following, width))
    return _joined(lines, _long_mid_phrase)  # too short to show a wrap width: long lines only


def _long_mid_phrase(line: str, following: str) -> bool:
    """A line of at least :data:`MIN_WIDTH` characters that stops mid-phrase ("... was published\n
    in 1986 and ..."); shorter lines (verse, lists) stay apart."""
    return len(line.rstrip()) >= MIN_WIDTH and _mid_phrase(line, following)


def _joined(lines: list[str], continues: Callable[[str, str], bool]) -> str:
    """``lines`` joined into one text, each line to the next with a space (none after a
    :func:`_hyphenated` line) where ``continues(line, next line)``, else with a line break."""
    parts = [lines[0]]
    for line, following in pairwise(lines):
        if continues(line, following):
            parts[-1] = parts[-1].rstrip()
            parts.append(("" if _hyphenated(line) else " ") + following.lstrip())
        else:
            parts.append("\n" + following)
    return "".join(parts)


def wrap_width(lines: list[str]) -> int | None:
    """The wrap width W of a hard-wrapped text's lines; None when they do not look hard-wrapped."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if not lengths:
        return None
    width = lengths[math.ceil(WRAP_PERCENTILE * len(lengths)) - 1]
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    inner = [len(line.rstrip()) for line, nxt in pairwise(lines) if line.strip() and nxt.strip()]
    full = sum(length >= FULL_LINE * width for length in inner)
    return width if full >= max(MIN_FULL_LINES, MIN_FULL_SHARE * len(inner)) else None


def _continues(line: str, following: str, width: int) -> bool:
    """Whether ``following`` is the next line of the paragraph ``line`` is in (a soft line break)."""
    if not _joinable(line, following):
        return False
    return len(line.rstrip()) >= JOIN_LINE * width or _breaks_mid_phrase(line, following)


def _mid_phrase(line: str, following: str) -> bool:
    """Whether ``line`` and ``following`` may join and ``line`` breaks off mid-phrase."""
    return _joinable(line, following) and _breaks_mid_phrase(line, following)


def _joinable(line: str, following: str) -> bool:
    """Neither line blank, ``following`` no list item, neither a table row."""
    if not line.strip() or not following.strip():
        return False
    return not (_LIST_MARKER.match(following) or _tabular(line) or _tabular(following))


def _breaks_mid_phrase(line: str, following: str) -> bool:
    """Whether ``line`` stops mid-phrase: it ends in an article, a preposition or a conjunction
    ("Its offices are in\nHarrowgate"), or ``following`` goes on in lower case and ``line`` ends in
    no ``, ; : . ! ?`` ("…the\nextraordinarily long word", not verse: "red,\nviolets")."""
    if line.rstrip().rsplit(None, 1)[-1].casefold() in _GOES_ON_WORDS:
        return True
    return following.lstrip()[0].islower() and not line.rstrip().endswith((",", ";", ":", ".", "!", "?"))


_GOES_ON_WORDS = frozenset(
    {
        "a", "an", "the", "of", "in", "on", "at", "to", "by", "for", "from", "with", "into", "onto",
        "and", "or", "but", "as", "than", "that", "whose",
    }
)  # fmt: skip
"""Words no sentence ends with: a line ending in one is cut mid-phrase."""


def _tabular(line: str) -> bool:
    """Whether ``line`` looks like a table row: a pipe, or columns apart by a tab or 3+ spaces."""
    inner = line.strip()
    return "|" in inner or "\t" in inner or "   " in inner


def _hyphenated(line: str) -> bool:
    """Whether ``line`` ends with a hyphen right after a letter ("well-", not "--" or "1-")."""
    end = line.rstrip()
    return len(end) >= 2 and end[-1] == "-" and end[-2].isalpha()


__all__ = ["unwrap_plain_text", "wrap_width"]
