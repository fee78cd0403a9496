"""Wrapped lines: one line per paragraph, heading, list item and table row out of .txt, .md and .html.

A hard-wrapped sentence cut at a line break loses its relations (the offline extractor starts a
sentence at every line break); these tests load real files and check the exact text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hopgraph.extract.load.files import load_documents, sha256_text
from hopgraph.extract.load.wrapping import unwrap_plain_text, wrap_width
from hopgraph.ids import document_id
from hopgraph.types import Chunk, Document

ROOT = Path(__file__).resolve().parents[4]
DEMO_DOCS = ROOT / "data" / "demo" / "docs"

MARIA = (
    "Maria Lindqvist is a Swedish engineer who was born\n"
    "in Uppsala in 1975. She studied at Chalmers University of\n"
    "Technology and founded Acme Robotics.\n"
)
MARIA_JOINED = (
    "Maria Lindqvist is a Swedish engineer who was born in Uppsala in 1975. She studied at "
    "Chalmers University of Technology and founded Acme Robotics."
)


def load_one(path: Path) -> Document:
    docs, problems = load_documents([path])
    assert problems == [] and len(docs) == 1, problems
    return docs[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- plain text -----------------------------------------------------------------------------------
def test_wrapped_text_file_has_one_line_per_paragraph_and_its_hash_follows_the_text(tmp_path: Path) -> None:
    path = write(tmp_path, "maria.txt", MARIA)
    doc = load_one(path)
    assert doc.text == MARIA_JOINED + "\n"
    assert doc.title == "maria"  # no title line: the file name, as before
    assert doc.id == document_id(str(path.resolve()))
    assert doc.metadata == {"sha256": sha256_text(doc.text), "path": str(path.resolve()), "format": "text"}


def test_wrapped_text_keeps_headings_lists_tables_verse_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "Acme Robotics\n"
        "\n"
        "Acme Robotics was founded in 2004 by Maria Lindqvist, a well-\n"
        "known engineer, in a small workshop near the harbour of Gothenburg,\n"
        "and it builds robots for warehouses. Its first customer was a\n"
        "shipping company.\n"
        "\n"
        "Products:\n"
        "- the Lift, a robot that carries pallets between the shelves all day\n"
        "- the Sorter\n"
        "1. a numbered item that is long enough to be joined if it were prose\n"
        "2. another\n"
        "\n"
        "Year   Robots   Staff\n"
        "2004   3        2\n"
        "\n"
        "Roses are red,\n"
        "violets are blue.\n"
        "\n"
        "Acme Robotics\n"
        "Hamngatan 1\n"
        "Gothenburg\n"
    )
    doc = load_one(write(tmp_path, "acme.txt", text))
    assert doc.title == "Acme Robotics"
    assert doc.text == (
        "Acme Robotics\n"
        "\n"
        "Acme Robotics was founded in 2004 by Maria Lindqvist, a well-known engineer, in a small "
        "workshop near the harbour of Gothenburg, and it builds robots for warehouses. Its first "
        "customer was a shipping company.\n"
        "\n"
        "Products:\n"
        "- the Lift, a robot that carries pallets between the shelves all day\n"
        "- the Sorter\n"
        "1. a numbered item that is long enough to be joined if it were prose\n"
        "2. another\n"
        "\n"
        "Year   Robots   Staff\n"
        "2004   3        2\n"
        "\n"
        "Roses are red,\n"
        "violets are blue.\n"
        "\n"
        "Acme Robotics\n"
        "Hamngatan 1\n"
        "Gothenburg\n"
    )


def test_text_of_one_line_paragraphs_or_short_lines_is_unchanged(tmp_path: Path) -> None:
    long_lines = (DEMO_DOCS / "rutherford.txt").read_text(encoding="utf-8")
    assert wrap_width(long_lines.split("\n")) is None
    assert load_one(DEMO_DOCS / "rutherford.txt").text == long_lines
    short_lines = "Ohm's notes\n\nCurrent is voltage over resistance.\nThat is all.\n"
    assert load_one(write(tmp_path, "ohm.txt", short_lines)).text == short_lines
    # one long line per paragraph, no blank lines between them: nothing to join either
    paragraphs = "\n".join([MARIA_JOINED] * 4) + "\n"
    assert load_one(write(tmp_path, "paragraphs.txt", paragraphs)).text == paragraphs


def test_unwrap_rules_for_hyphens_and_lower_case_continuations() -> None:
    wrapped = (
        "The station was built on the north side of the river by the\n"
        "well-known architect Erik Lallerstedt in 1934 and opened to the\n"
        "public in 1935 after a long period of planning and construc-\n"
        "tion. The line follows the route the surveyors drew in 1862-\n"
        "1870; a\n"
        "seventeen-kilometre branch was added.\n"
    )
    assert unwrap_plain_text(wrapped) == (
        "The station was built on the north side of the river by the well-known architect Erik "
        "Lallerstedt in 1934 and opened to the public in 1935 after a long period of planning and "
        "construc-tion. The line follows the route the surveyors drew in 1862- 1870; a "
        "seventeen-kilometre branch was added.\n"
    )
    # too narrow (verse, lists) or too wide (one line per paragraph) for a wrap width: unchanged
    assert (
        unwrap_plain_text("a short line\nand another\nand one more\n")
        == "a short line\nand another\nand one more\n"
    )
    assert wrap_width(["x" * 200, "y" * 190, "z" * 210]) is None


# -- Markdown -------------------------------------------------------------------------------------
def test_markdown_joins_wrapped_paragraphs_items_and_quotes(tmp_path: Path) -> None:
    markdown = (
        "Maria Lindqvist\n"
        "===============\n"
        "\n"
        "Maria Lindqvist is a Swedish engineer who was **born**\n"
        "in [Uppsala](https://uppsala.se) in 1975. She studied at Chalmers University of\n"
        "Technology.\n"
        "\n"
        "Career\n"
        "------\n"
        "- She founded Acme Robotics\n"
        "  in 2004.\n"
        "- She led it\n"
        "until 2020.\n"
        "1. numbered\n"
        "   and wrapped\n"
        "\n"
        "> A quote that was\n"
        "> wrapped.\n"
        ">\n"
        "> A second quote paragraph.\n"
        "\n"
        "She was born in\n"
        "1975. The year is no list item.\n"
        "\n"
        "## Links\n"
        "See the\n"
        "*company's* site.\n"
    )
    doc = load_one(write(tmp_path, "maria.md", markdown))
    assert doc.title == "Maria Lindqvist"  # a setext heading counts
    assert doc.text == (
        "Maria Lindqvist\n"
        "\n"
        f"{MARIA_JOINED[: MARIA_JOINED.index(' and founded')]}.\n"
        "\n"
        "Career\n"
        "\n"
        "She founded Acme Robotics in 2004.\n"
        "She led it until 2020.\n"
        "numbered and wrapped\n"
        "\n"
        "A quote that was wrapped.\n"
        "\n"
        "A second quote paragraph.\n"
        "\n"
        "She was born in 1975. The year is no list item.\n"
        "\n"
        "Links\n"
        "\n"
        "See the company's site."
    )
    assert doc.metadata["sha256"] == sha256_text(doc.text)


def test_markdown_keeps_hard_breaks_code_tables_and_breaks(tmp_path: Path) -> None:
    markdown = (
        "---\n"
        "title: Acme\n"
        "tags: robots\n"
        "---\n"
        "Hamngatan 1  \n"
        "Gothenburg\\\n"
        "Sweden\n"
        "\n"
        "```\n"
        "def f(x):\n"
        "    return x\n"
        "```\n"
        "\n"
        "    indented = code\n"
        "    more = code\n"
        "\n"
        "| Year | Robots |\n"
        "|------|--------|\n"
        "| 2004 | 3 |\n"
        "| 2005 | 8 |\n"
        "\n"
        "Year | Staff\n"
        "--- | ---\n"
        "2004 | 2\n"
        "2005 | 5\n"
        "\n"
        "Before the break\n"
        "***\n"
        "after the break\n"
        "# Heading\n"
        "right after it\n"
    )
    doc = load_one(write(tmp_path, "acme.md", markdown))
    assert doc.title == "Heading"  # front matter is no heading
    assert doc.text == (
        "title: Acme\n"
        "tags: robots\n"
        "\n"
        "Hamngatan 1\n"
        "Gothenburg\n"
        "Sweden\n"
        "\n"
        "def f(x):\n"
        "return x\n"
        "\n"
        "indented = code\n"
        "more = code\n"
        "\n"
        "Year Robots\n"
        "\n"
        "2004 3\n"
        "2005 8\n"
        "\n"
        "Year Staff\n"
        "\n"
        "2004 2\n"
        "2005 5\n"
        "\n"
        "Before the break\n"
        "\n"
        "after the break\n"
        "\n"
        "Heading\n"
        "\n"
        "right after it"
    )


def test_markdown_keeps_a_line_that_only_starts_with_dashes(tmp_path: Path) -> None:
    # "---" followed by words is neither a thematic break nor a table's delimiter row: text
    markdown = "Acme builds robots.\n--- note: since 2004\n\n--- Gothenburg office\n"
    doc = load_one(write(tmp_path, "dashes.md", markdown))
    assert doc.text == "Acme builds robots. --- note: since 2004\n\n--- Gothenburg office"


# -- HTML -----------------------------------------------------------------------------------------
def test_html_collapses_source_line_breaks_except_in_pre(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Maria\n    Lindqvist</title></head><body>\n"
        "  <h1>Maria\n  Lindqvist</h1>\n"
        "  <p>Maria Lindqvist is a Swedish engineer who was born\n"
        "     in Uppsala in 1975.\tShe studied at <b>Chalmers University of\n"
        "     Technology</b> and founded Acme Robotics.</p><!-- a\ncomment -->\n"
        "  <pre>def f(x):\n    return x</pre>\n"
        "  <p>First line<br>second line</p>\n"
        "  <ul><li>one\n  item</li><li>two</li></ul>\n"
        "  <table><tr><td>2004\n</td><td>3 robots</td></tr></table>\n"
        "</body></html>"
    )
    doc = load_one(write(tmp_path, "maria.html", html))
    assert doc.title == "Maria Lindqvist"
    assert doc.text == (
        "Maria Lindqvist\n\n"
        f"{MARIA_JOINED}\n\n"
        "def f(x):\nreturn x\n\n"
        "First line\n\nsecond line\n\n"
        "one item\n\ntwo\n\n"
        "2004\n3 robots"
    )


def test_demo_html_wrapped_in_its_source_is_one_paragraph() -> None:
    doc = load_one(DEMO_DOCS / "sommerfeld.html")
    assert "for nearly thirty years. He refined the Bohr model" in doc.text


# -- end to end: the offline extractor on a wrapped file ------------------------------------------
def test_offline_extractor_finds_the_relation_a_wrap_cut_in_two(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from hopgraph.extract.extractors.offline import DEFAULT_MODELS, SpacyExtractor

    if not any(importlib.util.find_spec(m) for m in DEFAULT_MODELS):
        pytest.skip("no spaCy English model installed")
    doc = load_one(write(tmp_path, "maria.txt", MARIA))
    extractor = SpacyExtractor()

    def triples(text: str) -> set[tuple[str, str, str]]:
        extraction = extractor.extract(Chunk(doc.id, 0, text))
        assert extraction.ok, extraction.error
        return {(t.subject, t.predicate, t.object) for t in extraction.triples}

    born = ("Maria Lindqvist", "born in", "Uppsala")
    assert born not in triples(MARIA)  # the wrapped lines as they are in the file: lost
    found = triples(doc.text)
    assert born in found
    assert ("Maria Lindqvist", "study at", "Chalmers University of Technology") in found
    assert ("Maria Lindqvist", "found", "Acme Robotics") in found


def test_a_short_note_with_one_wrapped_sentence_has_it_joined() -> None:
    # too few lines to show a wrap width, but the sentence plainly goes on in lower case
    note = (
        "Petra Lund\n\nHer best-known novel, The Salt Ferry, was published\n"
        "in 1986 and is set in Port Idris. She lives in Greyhaven.\n"
    )
    assert unwrap_plain_text(note) == (
        "Petra Lund\n\nHer best-known novel, The Salt Ferry, was published in 1986 and is set in "
        "Port Idris. She lives in Greyhaven.\n"
    )
    # short lines (verse, lists) and a line ending a sentence stay apart
    verse = "roses are red\nviolets are blue\n"
    assert unwrap_plain_text(verse) == verse
    ended = "The company was founded in Gothenburg in 1927.\nthen came the war.\n"
    assert unwrap_plain_text(ended) == ended
    # a line ending in a preposition, article or conjunction goes on, whatever case follows
    cut = "Kestrel Records is an independent record label founded in 1994. Its offices are in\nHarrowgate.\n"
    assert unwrap_plain_text(cut) == cut.replace("in\nHarrowgate", "in Harrowgate")
