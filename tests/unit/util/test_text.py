"""The shared text helpers: one-line, excerpt (the renderers' and the prompts' cuts), unique."""

from __future__ import annotations

from hopgraph.util.text import excerpt, one_line, unique


def test_one_line_joins_every_whitespace_run() -> None:
    assert one_line("  a\n\tb   c \n") == "a b c"


def test_excerpt_keeps_short_texts_whole_and_cuts_long_ones_at_a_word() -> None:
    text = "alpha beta gamma delta epsilon"
    assert excerpt(text, 40) == text
    assert excerpt(text, 20) == "alpha beta gamma…"
    assert excerpt(text, 20, ellipsis=" …") == "alpha beta gamma …"
    assert len(excerpt("x" * 50, 20)) == 20  # no word boundary: a hard cut
    assert excerpt("x" * 50, 20, ellipsis=" …") == "x" * 18 + " …"


def test_unique_keeps_first_seen_order() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
