"""Document loaders: every format, folders, globs, corpora and the bad-file cases, on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopgraph.extract.load.files import (
    JsonFields,
    LoadProblem,
    iter_documents,
    load_documents,
    sha256_text,
)
from hopgraph.ids import document_id
from hopgraph.types import Document

ROOT = Path(__file__).resolve().parents[4]
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_DOCS = ROOT / "data" / "demo" / "docs"


def make_pdf(pages: list[str], title: str = "") -> bytes:
    """A minimal, valid PDF with a page per text, in Helvetica, a line of the page per line of the text."""
    n = len(pages)
    font = 3 + 2 * n
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, text in enumerate(pages):
        lines = " ".join(f"({line}) Tj 0 -14 Td" for line in text.split("\n"))
        content = f"BT /F1 12 Tf 72 720 Td {lines} ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({title}) >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def split(items: list[Document | LoadProblem]) -> tuple[list[Document], list[LoadProblem]]:
    docs = [i for i in items if isinstance(i, Document)]
    return docs, [i for i in items if isinstance(i, LoadProblem)]


def load_one(path: Path, **kwargs: object) -> Document:
    docs, problems = load_documents([path], **kwargs)  # type: ignore[arg-type]
    assert problems == [] and len(docs) == 1, problems
    return docs[0]


def test_text_file_is_one_document_with_stable_id_and_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Ohm's notes\n\nCurrent is voltage over resistance.\r\nThat is all.\n")
    doc = load_one(path)
    assert doc.text == "Ohm's notes\n\nCurrent is voltage over resistance.\nThat is all.\n"
    assert doc.title == "Ohm's notes"
    assert doc.source == str(path.resolve())
    assert doc.id == document_id(str(path.resolve()))
    assert doc.metadata == {"sha256": sha256_text(doc.text), "path": str(path.resolve()), "format": "text"}
    # the same file by another spelling is the same document; a changed file changes only the hash
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    again = load_one(Path("../sub/../notes.txt"))
    assert again.id == doc.id and again.metadata["sha256"] == doc.metadata["sha256"]
    path.write_text("Current is voltage over resistance, mostly.")
    changed = load_one(path)
    assert changed.id == doc.id and changed.metadata["sha256"] != doc.metadata["sha256"]
    assert changed.title == "notes"  # no heading line: the file name


def test_markdown_markup_is_stripped_and_title_is_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\n# Niels *Bohr*\nHe was **born** in [Copenhagen](https://x.dk) and used `code`.\n"
        "> quoted line\n- item one\n1. item two\n![a portrait](p.png)\n<br>\n```\nx = 1 * 2\n```\n"
    )
    doc = load_one(path)
    assert doc.title == "Niels Bohr"
    assert doc.metadata["format"] == "markdown"
    # the image line right under "1. item two" continues that item (a lazy continuation line)
    assert doc.text == (
        "Niels Bohr\n\nHe was born in Copenhagen and used code.\nquoted line\nitem one\n"
        "item two a portrait\n\nx = 1 * 2"
    )


def test_html_drops_script_and_style_and_takes_title(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><head><title>Thomson</title><style>p{color:red}</style></head><body>"
        "<script>var secret = 1;</script><h1>J. J. Thomson</h1><p>He found the <b>electron</b>.</p>"
        "<ul><li>Nobel 1906</li><li>Cambridge</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
        "</body></html>"
    )
    doc = load_one(path)
    assert doc.title == "Thomson"
    assert doc.metadata["format"] == "html"
    assert doc.text == "J. J. Thomson\n\nHe found the electron.\n\nNobel 1906\n\nCambridge\n\na\nb"
    assert "secret" not in doc.text and "color" not in doc.text


def test_html_without_title_uses_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "x.html"
    path.write_text("<body><h1>Pauli</h1><p>Exclusion principle.</p></body>")
    assert load_one(path).title == "Pauli"


def test_pdf_pages_are_joined_and_title_read(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(make_pdf(["Rutherford found the nucleus.", "Bohr found the orbits."], title="Atoms"))
    doc = load_one(path)
    assert doc.title == "Atoms"
    assert doc.metadata["format"] == "pdf"
    assert doc.text == "Rutherford found the nucleus.\n\nBohr found the orbits."


def test_pdf_lines_of_a_paragraph_are_joined(tmp_path: Path) -> None:
    # a PDF page's text comes in its layout's lines: a sentence cut there lost its relations
    page = (
        "Maria Lindqvist is a Swedish engineer who was born in the city of\n"
        "Uppsala in 1975. She studied mechanical engineering at Chalmers in\n"
        "Gothenburg and founded Acme Robotics there in the spring of\n"
        "2004.\n"
        "Awards\n"
        "- Polhem Prize"
    )
    path = tmp_path / "cv.pdf"
    path.write_bytes(make_pdf([page, "Acme Robotics was sold in 2020."]))
    assert load_one(path).text == (
        "Maria Lindqvist is a Swedish engineer who was born in the city of Uppsala in 1975. She "
        "studied mechanical engineering at Chalmers in Gothenburg and founded Acme Robotics there in "
        "the spring of 2004.\nAwards\n- Polhem Prize\n\nAcme Robotics was sold in 2020."
    )


def test_broken_and_textless_pdfs_are_problems(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    (tmp_path / "blank.pdf").write_bytes(make_pdf([""]))
    docs, problems = load_documents([tmp_path])
    assert docs == []
    assert [Path(p.path).name for p in problems] == ["blank.pdf", "broken.pdf"]
    assert "no extractable text" in problems[0].reason
    assert all(p.skipped for p in problems)


def test_json_corpus_list_uses_index_sources_and_titles(tmp_path: Path) -> None:
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps([{"title": "Bohr", "text": "Born in Copenhagen."}, {"text": "No title."}]))
    docs, problems = load_documents([path])
    assert problems == []
    assert [d.source for d in docs] == [f"{path.resolve()}#0", f"{path.resolve()}#1"]
    assert [d.title for d in docs] == ["Bohr", ""]
    assert docs[0].metadata == {
        "sha256": sha256_text("Born in Copenhagen."),
        "path": str(path.resolve()),
        "format": "json",
        "record": 0,
    }


def test_json_field_names_ids_and_object_holding_a_list(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    records = [{"pid": "p1", "name": "Pauli", "body": "Vienna."}, {"pid": 7, "name": "Hahn", "body": "KWI."}]
    path.write_text(json.dumps({"version": 2, "passages": records}))
    fields = JsonFields(id="pid", title="name", text="body")
    docs, problems = load_documents([path], json_fields=fields)
    assert problems == []
    assert [(d.source.split("#")[1], d.title, d.text) for d in docs] == [
        ("p1", "Pauli", "Vienna."),
        ("7", "Hahn", "KWI."),
    ]
    # two lists: the caller must say which one holds the records
    path.write_text(json.dumps({"a": records, "b": []}))
    docs, problems = load_documents([path], json_fields=fields)
    assert docs == [] and "--json-records NAME" in problems[0].reason
    docs, problems = load_documents([path], json_fields=JsonFields("pid", "name", "body", records="a"))
    assert len(docs) == 2 and problems == []


def test_bad_records_are_reported_by_index_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    records = [
        {"id": "a", "text": "Good."},
        "oops",
        {"id": "b", "text": "  "},
        {"id": "c"},
        {"id": "a", "text": "Dup."},
    ]
    path.write_text(json.dumps([*records, {"id": "d", "text": "Also good."}]))
    docs, problems = load_documents([path])
    assert [d.text for d in docs] == ["Good.", "Also good."]
    where = [p.path.split("#")[1] for p in problems]
    assert where == ["1", "b", "c", "a"]
    assert "record 1 is a str" in problems[0].reason
    assert "empty text" in problems[1].reason
    assert "'text'" in problems[2].reason
    assert "duplicate" in problems[3].reason


def test_jsonl_reads_line_by_line_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": 1, "text": "One."}\n{not json}\n\n{"id": 2, "text": "Two."}\n')
    docs, problems = load_documents([path])
    assert [(d.source.rsplit("#", 1)[1], d.text, d.metadata["format"]) for d in docs] == [
        ("1", "One.", "jsonl"),
        ("2", "Two.", "jsonl"),
    ]
    assert [p.path.rsplit("#", 1)[1] for p in problems] == ["1"]
    assert "line 2" in problems[0].reason


def test_malformed_and_non_corpus_json_are_problems(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"text": "x"')
    (tmp_path / "b.json").write_text("42")
    (tmp_path / "c.json").write_text("[]")
    docs, problems = load_documents([tmp_path])
    assert docs == []
    assert [Path(p.path).name for p in problems] == ["a.json", "b.json", "c.json"]
    assert "malformed JSON" in problems[0].reason and "line 1" in problems[0].reason
    assert "not int" in problems[1].reason
    assert "no usable records" in problems[2].reason


def test_folders_are_recursive_sorted_and_skip_hidden(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.md", "a/c.txt", ".git/config", "a/.hidden.txt", "d.unknownext"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"Text of {name}.")
    docs, problems = load_documents([tmp_path])
    assert [Path(d.source).relative_to(tmp_path.resolve()).as_posix() for d in docs] == [
        "a/c.txt",
        "a/z.md",
        "b.txt",
    ]
    # in a folder, a file whose suffix is no document type is reported and skipped ...
    assert [(Path(p.path).name, p.severity, p.skipped) for p in problems] == [
        ("d.unknownext", "skipped", True)
    ]
    assert "the suffix .unknownext is not a document type" in problems[0].reason
    # ... named on its own, it is read as text
    docs, problems = load_documents([tmp_path / "d.unknownext"])
    assert problems == [] and docs[0].metadata["format"] == "text"


def test_globs_missing_paths_and_duplicates(tmp_path: Path) -> None:
    for name in ["x/1.txt", "x/2.md", "x/y/3.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"About {name}.")
    items = list(
        iter_documents(
            [
                str(tmp_path / "x" / "**" / "*.txt"),
                tmp_path / "x",  # 1.txt and 3.txt again: loaded once
                str(tmp_path / "nothing-*.txt"),
                tmp_path / "missing.txt",
            ]
        )
    )
    docs, problems = split(items)
    assert sorted(Path(d.source).name for d in docs) == ["1.txt", "2.md", "3.txt"]
    assert len(docs) == 3
    assert [(Path(p.path).name, p.reason) for p in problems] == [
        ("nothing-*.txt", "the glob matched no files"),
        ("missing.txt", "no such file or folder"),
    ]


def test_bad_files_are_reported_by_path_and_the_batch_goes_on(tmp_path: Path) -> None:
    """The issue's case: binary, empty, 50 MB and invalid UTF-8 files in one folder."""
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("   \n\n")
    line = "Lise Meitner and Otto Hahn worked at the Kaiser Wilhelm Institute in Berlin.\n"
    big = tmp_path / "big.txt"
    big.write_text(line * (50 * 1024 * 1024 // len(line) + 1))
    (tmp_path / "latin1.txt").write_bytes("Würzburg is in Bavaria.".encode("latin-1"))
    (tmp_path / "random.txt").write_bytes(bytes([0x80, 0x81, 0xFF, 0xFE] * 100))
    (tmp_path / "fine.txt").write_text("All fine.")
    items = list(iter_documents([tmp_path]))
    docs, problems = split(items)
    by_name = {Path(p.path).name: p for p in problems}
    assert set(by_name) == {"binary.txt", "empty.txt", "blank.md", "latin1.txt", "random.txt"}
    assert "binary" in by_name["binary.txt"].reason
    assert by_name["empty.txt"].reason == "empty file"
    assert "no text" in by_name["blank.md"].reason
    assert "not UTF-8" in by_name["random.txt"].reason and by_name["random.txt"].skipped
    # invalid UTF-8 in an otherwise fine text: kept with U+FFFD, reported as a warning
    warning = by_name["latin1.txt"]
    assert warning.severity == "warning" and not warning.skipped
    assert "first at byte 1" in warning.reason
    assert [Path(d.source).name for d in docs] == ["big.txt", "fine.txt", "latin1.txt"]
    assert docs[2].text == "W\ufffdrzburg is in Bavaria."
    assert len(docs[0].text) == big.stat().st_size
    assert items.index(warning) == items.index(docs[2]) - 1  # the warning comes just before


def test_size_limit_and_utf16(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x" * 100)
    (tmp_path / "u.txt").write_bytes("Königsberg in Prussia.".encode("utf-16"))
    docs, problems = load_documents([tmp_path], max_bytes=80)
    assert [Path(p.path).name for p in problems] == ["a.txt"]
    assert "over the 80-byte limit" in problems[0].reason
    assert [d.text for d in docs] == ["Königsberg in Prussia."]


@pytest.mark.skipif(not (SHARED_DATA / "musique100" / "corpus.json").exists(), reason="no benchmark data")
def test_real_title_text_corpus_loads_every_passage() -> None:
    path = SHARED_DATA / "musique100" / "corpus.json"
    docs, problems = load_documents([path])
    records = json.loads(path.read_text())
    assert problems == [] and len(docs) == len(records)
    assert docs[5].source == f"{path.resolve()}#5"
    assert (docs[5].title, docs[5].text) == (records[5]["title"], records[5]["text"])
    assert len({d.id for d in docs}) == len(docs)


def test_demo_documents_cover_every_format_and_split_the_hops() -> None:
    docs, problems = load_documents([DEMO_DOCS])
    assert problems == []
    assert 6 <= len(docs) <= 10
    assert {d.metadata["format"] for d in docs} == {"text", "markdown", "html"}

    def holding(*words: str) -> set[str]:
        return {Path(d.source).name for d in docs if all(w in d.text for w in words)}

    # "Where was the teacher of Werner Heisenberg born?": two hops, two documents
    assert "heisenberg.md" in holding("Heisenberg", "studied under Arnold Sommerfeld")
    assert holding("Sommerfeld was born", "Königsberg") == {"sommerfeld.html"}
    assert not holding("Heisenberg", "Königsberg")
    # "In which country is the university where Niels Bohr worked?": three hops, three documents
    assert holding("Bohr", "worked at the University of Copenhagen") == {"bohr.md"}
    assert holding("University of Copenhagen is located in the city of Copenhagen") == {"institutions.html"}
    assert holding("Copenhagen", "Denmark") == {"places.txt"}
