"""Delete a document, ingest again: exactly the original graph, through the API, the CLI and a mix.

A document is named by its id or by the source it shows (relative or absolute path); a name that
matches nothing is an error (exit 2; ``DocumentNotFoundError``), not a silent zero.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run_cli as cli
from helpers.faults import canonical

from hopgraph.api import HopGraph
from hopgraph.errors import DocumentNotFoundError, HopGraphError
from hopgraph.kg.canonical import graph_diff

OPTIONS = ["--no-embed", "--max-tokens", "64", "--overlap-tokens", "8"]
TEXTS = {
    "bohr.txt": "Niels Bohr was born in Copenhagen. Bohr studied under Ernest Rutherford in Manchester. "
    "Niels Bohr worked with Werner Heisenberg in Copenhagen.",
    "meitner.txt": "Lise Meitner was born in Vienna. Meitner worked with Otto Hahn in Berlin. "
    "Otto Hahn studied under Ernest Rutherford in Montreal.",
}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text + "\n")
    return folder


def api_ingest(graph: Path, docs: Path) -> None:
    with HopGraph.open(graph) as hg:
        hg.ingest(docs, embed=False, max_tokens=64, overlap_tokens=8)


def cli_ingest(graph: Path, docs: Path) -> None:
    code, _, err = cli("ingest", str(docs), "--graph", str(graph), *OPTIONS)
    assert code == 0, err


def doc_id(graph: Path, name: str) -> str:
    with HopGraph.open(graph) as hg:
        rows = hg.cypher("MATCH (d:Document) WHERE d.source ENDS WITH $n RETURN d.id AS id", {"n": name})
    assert len(rows) == 1
    return str(rows[0]["id"])


@contextlib.contextmanager
def cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def test_api_delete_then_api_ingest_restores_the_graph(docs: Path, short_tmp: Path) -> None:
    api_ingest(short_tmp, docs)
    before = canonical(short_tmp)
    target = doc_id(short_tmp, "meitner.txt")
    with HopGraph.open(short_tmp) as hg:
        removed = hg.delete_document(target)
        assert removed.documents == 1 and removed.chunks >= 1
        assert hg.stats().documents == 1
    api_ingest(short_tmp, docs)
    assert graph_diff(before, canonical(short_tmp)) == []


def test_cli_delete_by_relative_source_path_then_cli_ingest_restores_the_graph(
    docs: Path, short_tmp: Path
) -> None:
    cli_ingest(short_tmp, docs)
    before = canonical(short_tmp)
    with cwd(docs.parent):
        code, out, err = cli("delete", "--graph", str(short_tmp), "--doc", "docs/bohr.txt")
    assert code == 0, err
    assert out.startswith("deleted document ") and "chunk state rows" in out
    with HopGraph.open(short_tmp) as hg:
        assert hg.stats().documents == 1
    cli_ingest(short_tmp, docs)
    assert graph_diff(before, canonical(short_tmp)) == []


def test_mixed_api_and_cli_delete_and_ingest_restore_the_graph(docs: Path, short_tmp: Path) -> None:
    api_ingest(short_tmp, docs)
    before = canonical(short_tmp)
    # CLI delete by id, API ingest
    code, _, err = cli("delete", "--graph", str(short_tmp), "--doc", doc_id(short_tmp, "bohr.txt"))
    assert code == 0, err
    api_ingest(short_tmp, docs)
    assert graph_diff(before, canonical(short_tmp)) == []
    # API delete by absolute source path, CLI ingest
    with HopGraph.open(short_tmp) as hg:
        assert hg.delete_document(str(docs / "meitner.txt")).documents == 1
    cli_ingest(short_tmp, docs)
    assert graph_diff(before, canonical(short_tmp)) == []


def test_unknown_document_is_an_error_in_cli_and_api(docs: Path, short_tmp: Path) -> None:
    api_ingest(short_tmp, docs)
    before = canonical(short_tmp)
    code, out, err = cli("delete", "--graph", str(short_tmp), "--doc", "no-such-doc")
    assert code == 2 and out == ""
    assert "no document 'no-such-doc'" in err and "Traceback" not in err
    code, _, err = cli("delete", "--graph", str(short_tmp), "--doc", str(docs / "missing.txt"))
    assert code == 2 and "missing.txt" in err
    with HopGraph.open(short_tmp) as hg:
        with pytest.raises(DocumentNotFoundError, match="no document 'd0000'"):
            hg.delete_document("d0000")
        with pytest.raises(HopGraphError):
            hg.delete_document("")
    assert graph_diff(before, canonical(short_tmp)) == []  # nothing was touched
