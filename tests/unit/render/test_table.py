"""Table formatting of query rows (hopgraph.render.table)."""

from __future__ import annotations

from typing import Any

from hopgraph.render.table import display_width, format_cell, format_table, row_count, truncate


# -- table --------------------------------------------------------------------------------------
def test_table_aligns_columns_in_first_row_key_order() -> None:
    rows = [{"name": "Niels Bohr", "city": "Copenhagen"}, {"name": "Lise Meitner", "city": "Vienna"}]
    assert format_table(rows).splitlines() == [
        "name         | city",
        "-------------+-----------",
        "Niels Bohr   | Copenhagen",
        "Lise Meitner | Vienna",
        "(2 rows)",
    ]


def test_table_cells_none_lists_dicts_bools() -> None:
    rows = [{"a": None, "b": [1, "x"], "c": {"k": "ü"}, "d": True}]
    lines = format_table(rows).splitlines()
    assert lines[2] == '  | [1,"x"] | {"k":"ü"} | true'
    assert lines[-1] == "(1 row)"


def test_table_right_aligns_numeric_columns_only() -> None:
    rows: list[dict[str, Any]] = [{"n": 5, "s": "a"}, {"n": 1234, "s": "bcd"}, {"n": None, "s": "e"}]
    lines = format_table(rows).splitlines()
    assert lines[2:5] == ["   5 | a", "1234 | bcd", "     | e"]


def test_table_truncates_long_cells_with_ellipsis() -> None:
    lines = format_table([{"t": "x" * 100}], max_width=10).splitlines()
    assert lines[2] == "x" * 9 + "…"
    assert display_width(lines[2]) == 10


def test_table_empty_and_limited_counts() -> None:
    assert format_table([]) == "(0 rows)"
    assert format_table([{"a": 1}], total=47).splitlines()[-1] == "(showing 1 of 47 rows)"
    assert row_count(3, total=3) == "(3 rows)"


def test_table_keeps_one_line_per_row_and_wide_characters_aligned() -> None:
    rows = [{"k": "監督", "v": "line one\nline two"}, {"k": "ab", "v": ""}]
    lines = format_table(rows).splitlines()
    assert lines[2] == "監督 | line one line two"
    assert lines[3] == "ab   |"
    assert truncate("監督監督", 5) == "監督…"
    assert format_cell(1.5) == "1.5"
