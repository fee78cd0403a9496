"""Plain-text tables for query results: aligned columns, compact cells, a row count.

>>> print(format_table([{"name": "Niels Bohr", "born": 1885}]))
name       | born
-----------+-----
Niels Bohr | 1885
(1 row)
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_MAX_WIDTH = 60
ELLIPSIS = "…"


def to_json(value: Any, *, indent: int | None = None) -> str:
    """JSON text of a query value; values JSON cannot hold (dates, points) become their str()."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, ensure_ascii=False, separators=separators, indent=indent, default=str)


def format_cell(value: Any) -> str:
    """One cell's text: strings as is, None empty, lists and dicts as compact JSON, booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | list | tuple | dict):
        text = to_json(value)
    else:
        text = str(value)
    # A line break inside a cell would break the table's alignment.
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters count 2, combining marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(text: str, max_width: int) -> str:
    """``text`` cut to at most ``max_width`` columns, ending in … when it was cut."""
    if display_width(text) <= max_width:
        return text
    out, used = [], 0
    limit = max(max_width - 1, 0)
    for char in text:
        w = display_width(char)
        if used + w > limit:
            break
        out.append(char)
        used += w
    return "".join(out) + ELLIPSIS


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def row_count(n: int, total: int | None = None) -> str:
    """``(3 rows)``, ``(1 row)``, or ``(showing 10 of 47 rows)`` when rows were held back."""
    if total is not None and total > n:
        return f"(showing {n} of {total} rows)"
    return f"({n} row{'' if n == 1 else 's'})"


def format_table(
    rows: Sequence[Mapping[str, Any]],
    *,
    max_width: int = DEFAULT_MAX_WIDTH,
    total: int | None = None,
) -> str:
    """Rows as an aligned table whose columns are the first row's keys, in order.

    Cells wider than ``max_width`` columns are cut with …; columns holding only numbers are
    right-aligned. The last line counts the rows (``total``: how many there were before a limit).
    """
    if not rows:
        return row_count(0, total)
    columns = list(rows[0].keys())
    cells = [[truncate(format_cell(row.get(c)), max_width) for c in columns] for row in rows]
    headers = [truncate(c, max_width) for c in columns]
    widths = [
        max([display_width(headers[i])] + [display_width(line[i]) for line in cells])
        for i in range(len(columns))
    ]
    numeric = [
        any(_is_number(row.get(c)) for row in rows)
        and all(row.get(c) is None or _is_number(row.get(c)) for row in rows)
        for c in columns
    ]
    lines = [
        " | ".join(_pad(h, w, right=False) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "-+-".join("-" * w for w in widths),
    ]
    for line in cells:
        padded = (_pad(cell, w, right=r) for cell, w, r in zip(line, widths, numeric, strict=True))
        lines.append(" | ".join(padded).rstrip())
    lines.append(row_count(len(rows), total))
    return "\n".join(lines)


__all__ = [
    "DEFAULT_MAX_WIDTH",
    "display_width",
    "format_cell",
    "format_table",
    "row_count",
    "to_json",
    "truncate",
]
