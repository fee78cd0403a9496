"""Text out of markup formats: HTML, Markdown and PDF, each as ``(title, text)``.

- HTML: BeautifulSoup's ``html.parser``; script/style/template dropped; block elements become
  paragraph breaks; the title is ``<title>`` (else the first ``<h1>``).
- Markdown: light markup stripping (headings, emphasis, links, images, list and quote markers,
  code fences, HTML tags); the title is the first heading.
- PDF: pypdf; page texts joined by blank lines; the title is the PDF's title metadata.

Choosing a reader by suffix, size limits, decoding and problem reporting are
:mod:`hopgraph.extract.load.files`' job; a reader that finds no usable text raises :class:`ReadProblem`.
"""

from __future__ import annotations

import re
from pathlib import Path


class ReadProblem(Exception):
    """Internal: a reader found no usable text; the message says why. Loaders report it as a LoadProblem."""


_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
    "figure", "figcaption", "caption",
)  # fmt: skip
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*")


def _tidy(text: str) -> str:
    """Trim every line, collapse runs of spaces and of blank lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page; block elements become paragraph breaks."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
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
_MD_LINE = re.compile(r"^\s{0,3}(?:>\s?)*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SKIP = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$|^\s{0,3}\[[^\]]+\]:\s+\S|^\s*\|?\s*:?-{3,}")


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """``(title, text)`` of Markdown with light markup stripping; the title is the first heading."""
    title = ""
    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            out.append("")
            continue
        if in_code:
            out.append(line)
            continue
        if _MD_SKIP.match(line):
            out.append("")
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            text = _md_inline(heading.group(2))
            title = title or text
            out.extend(("", text, ""))  # a heading is its own paragraph
            continue
        line = _md_inline(_MD_LINE.sub("", line, count=1))
        out.append(line.replace("|", " ") if line.lstrip().startswith("|") else line)
    return title, _tidy("\n".join(out))


def _md_inline(line: str) -> str:
    for pattern, repl in _MD_INLINE:
        line = pattern.sub(repl, line)
    return line


def read_pdf(file: Path) -> tuple[str, str]:
    """``(title, text)`` of a PDF: the page texts joined by blank lines."""
    from pypdf import PdfReader

    reader = PdfReader(file)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ReadProblem("encrypted PDF (needs a password)")
    text = "\n\n".join(_tidy(page.extract_text() or "") for page in reader.pages)
    if not text.strip():
        raise ReadProblem("the PDF has no extractable text (scanned pages need OCR first)")
    meta = reader.metadata
    return str(meta.title or "") if meta else "", text


__all__ = ["ReadProblem", "html_to_text", "markdown_to_text", "read_pdf"]
