"""Text out of markup formats: HTML, Markdown and PDF, each as ``(title, text)``.

- HTML: BeautifulSoup's ``html.parser``; script/style/template dropped; block elements become
  paragraph breaks; other whitespace, source line breaks included, collapses to one space as in
  a browser (not inside ``<pre>``); the title is ``<title>`` (else the first ``<h1>``).
- Markdown: light markup stripping (headings, emphasis, links, images, list and quote markers,
  code fences, HTML tags); one line per paragraph, heading, list item and table row (wrapped
  lines joined, CommonMark's soft line breaks); the title is the first heading.
- PDF: pypdf; page texts joined by blank lines; the title is the PDF's title metadata.

Choosing a reader by suffix, size limits, decoding and problem reporting are
:mod:`hopgraph.extract.load.files`' job; a reader that finds no usable text raises :class:`ReadProblem`.
"""

from __future__ import annotations

import re
from pathlib import Path

from hopgraph.extract.load.wrapping import unwrap_plain_text


class ReadProblem(Exception):
    """Internal: a reader found no usable text; the message says why. Loaders report it as a LoadProblem."""


_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
    "figure", "figcaption", "caption",
)  # fmt: skip
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # what a browser collapses (not U+00A0)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*")


def _tidy(text: str) -> str:
    """Trim every line, collapse runs of spaces and of blank lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page; block elements become paragraph breaks.

    Whitespace in text (source formatting's line breaks and indentation) collapses to one space,
    as a browser shows it, except inside ``<pre>``: only block elements, ``<br>`` and table cells
    break lines.
    """
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for string in soup.find_all(string=_HTML_WHITESPACE):
        # exactly NavigableString: a Comment or Doctype made one would show up in the text
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(_HTML_WHITESPACE.sub(" ", string))
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup.find_all(["script", "style", "template", "noscript", "head", "svg"]):
        tag.decompose()
    if not title and (h1 := soup.find("h1")):
        title = h1.get_text(" ", strip=True)
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for tag in soup.find_all(["td", "th"]):  # table cells: one per line, rows are paragraphs
        tag.insert_after("\n")
    return title, _tidy(soup.get_text())


_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|(\d{1,9})[.)])(?:\s+(?:\[[ xX]\]\s+)?|$)")
_MD_SKIP = re.compile(
    r"^\s{0,3}(?:[-*_]\s*){3,}$"  # thematic break
    r"|^\s{0,3}\[[^\]]+\]:\s+\S"  # link reference definition
    r"|^\s*(?:</?[A-Za-z][^>]*>\s*)+$"  # a line of HTML tags only (<br>, <div>, </div>)
)
"""Lines that carry no text (a table's delimiter row is told by :func:`_is_table_delimiter`)."""


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """``(title, text)`` of Markdown with light markup stripping; the title is the first heading.

    One line per paragraph, heading, list item and table row: the wrapped lines of a paragraph,
    list item or quote (CommonMark's soft line breaks) are joined by one space; a line ending in
    two spaces or a backslash is a hard break and keeps its newline. Code blocks and YAML front
    matter keep their lines.
    """
    lines = markdown.split("\n")
    blocks = _MarkdownBlocks()
    front = _front_matter_lines(lines)
    if front:  # YAML front matter: kept as it is, one line each (a "---" under it is no heading)
        blocks.out.extend([*map(_md_inline, lines[1 : front - 1]), ""])
    for index in range(front, len(lines)):
        blocks.add(lines[index], lines[index + 1] if index + 1 < len(lines) else "")
    blocks.flush()
    return blocks.title, _tidy("\n".join(blocks.out))


class _MarkdownBlocks:
    """Markdown lines in, text lines out: a CommonMark-like block reader, just enough to tell a soft
    line break (inside a paragraph, list item or quote: joined) from the start of a new block."""

    def __init__(self) -> None:
        self.title = ""
        self.out: list[str] = []
        self.para = ""  # the open paragraph (or list item, or quote paragraph), markup still in
        self.para_is_item = False
        self.depth = 0  # the open paragraph's quote depth (how many ">")
        self.hard_break = False  # the open paragraph's last line ended with a hard break
        self.in_code = False
        self.in_list = False  # after a list item an indented line is the item's, not code
        self.in_table = False  # after a table's |---| row, lines with a pipe are rows

    def add(self, line: str, following: str) -> None:
        if _FENCE.match(line):
            self._boundary()
            self.in_code = not self.in_code
            return
        if self.in_code:
            self.out.append(line)
            return
        body, depth = _unquote(line)
        if not body.strip():  # a blank line (or a bare ">") ends the paragraph
            self._boundary()
            return
        indent = len(body.expandtabs(4)) - len(body.expandtabs(4).lstrip())
        if indent >= 4 and not (self.para or self.in_list or depth):  # an indented code block
            self.out.append(line)
            return
        if self.para and not self.para_is_item and depth == self.depth and _MD_SETEXT.match(body):
            self._heading(self.para)  # a setext heading: the paragraph above its === or --- line
            self.para = ""
        elif _is_table_row(body, following, self.in_table):
            self.flush()
            self.out.append(_md_inline(body).replace("|", " "))
        elif _MD_SKIP.match(body) or _is_table_delimiter(body):
            self._boundary()
            self.in_table, self.in_list = _is_table_delimiter(body), False
        elif heading := _MD_HEADING.match(body):
            self.flush()
            self._heading(heading.group(2))
        elif (item := _MD_ITEM.match(body)) and (
            # an ordered list interrupts a paragraph only when it starts at 1: "born in\n1975. She ..."
            self.para_is_item or not self.para or item.group(1) in (None, "1")
        ):
            self.flush()
            self._open(body[item.end() :], depth, is_item=True)
            self.in_list = True
        elif self.para and depth <= self.depth:  # a wrapped line; lazy when it drops a ">"
            self.para += ("\n" if self.hard_break else " ") + _without_hard_break(body)
            self.hard_break = _ends_with_hard_break(body)
        else:
            self.flush()
            self._open(body, depth, is_item=False)
            self.in_list = self.in_list and indent >= 2

    def flush(self) -> None:
        """Ends the open paragraph, if any: its text is one output line (more with hard breaks)."""
        if self.para:
            self.out.append(_md_inline(self.para))
            self.para = ""
        self.para_is_item = False

    def _boundary(self) -> None:
        self.flush()
        self.out.append("")
        self.in_table = False

    def _open(self, body: str, depth: int, *, is_item: bool) -> None:
        self.para = _without_hard_break(body)
        self.para_is_item, self.depth = is_item, depth
        self.hard_break = _ends_with_hard_break(body)
        self.in_table = False

    def _heading(self, markup: str) -> None:
        text = _md_inline(markup)
        self.title = self.title or text
        self.out.extend(("", text, ""))  # a heading is its own paragraph
        self.in_list = self.in_table = False


def _front_matter_lines(lines: list[str]) -> int:
    """How many lines YAML front matter takes (``---`` first, then ``---`` or ``...``); 0 when none."""
    if lines[0].strip() != "---":
        return 0
    ends = [i for i, line in enumerate(lines[1:], start=2) if line.strip() in ("---", "...")]
    return ends[0] if ends else 0


def _unquote(line: str) -> tuple[str, int]:
    """The line without its block quote markers, and how many there were."""
    depth = 0
    while quote := _MD_QUOTE.match(line):
        line, depth = line[quote.end() :], depth + 1
    return line, depth


def _ends_with_hard_break(body: str) -> bool:
    return body.endswith(("  ", "\\"))


def _without_hard_break(body: str) -> str:
    text = body.strip()
    return text[:-1].rstrip() if text.endswith("\\") else text


def _is_table_delimiter(line: str) -> bool:
    """A pipe table's delimiter row, ``|---|:--:|`` (``---|---`` too)."""
    return "|" in line and "-" in line and not line.strip(" |:-")


def _is_table_row(body: str, following: str, in_table: bool) -> bool:
    """A pipe table row: it starts with a pipe, or holds one in a table or above its delimiter row."""
    if _is_table_delimiter(body):
        return False
    return body.lstrip().startswith("|") or ("|" in body and (in_table or _is_table_delimiter(following)))


def _md_inline(line: str) -> str:
    for pattern, repl in _MD_INLINE:
        line = pattern.sub(repl, line)
    return line


def read_pdf(file: Path) -> tuple[str, str]:
    """``(title, text)`` of a PDF: the page texts joined by blank lines, their wrapped lines
    joined (:func:`~hopgraph.extract.load.wrapping.unwrap_plain_text`)."""
    from pypdf import PdfReader

    reader = PdfReader(file)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ReadProblem("encrypted PDF (needs a password)")
    # a page's text comes in its layout's lines: a paragraph's lines are joined as a wrapped
    # plain text's are (the wrap width read over all pages; never across a page)
    text = unwrap_plain_text("\n\n".join(_tidy(page.extract_text() or "") for page in reader.pages))
    if not text.strip():
        raise ReadProblem("the PDF has no extractable text (scanned pages need OCR first)")
    meta = reader.metadata
    return str(meta.title or "") if meta else "", text


__all__ = ["ReadProblem", "html_to_text", "markdown_to_text", "read_pdf"]
