"""Folder ingest takes the documented suffixes, reports the files it skips, and ``--sync`` removes
the documents whose files are gone from the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopgraph.cli.app import main


def test_folder_ingest_skips_non_documents_and_sync_removes_gone_files(
    short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = short_tmp / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Maya Chen founded Orbital Ink in Lisbon.\n")
    (docs / "b.md").write_text("# Tiago\n\nTiago Alves works for Orbital Ink.\n")
    (docs / "table.csv").write_text("name,city\nMaya,Lisbon\n")
    (docs / "tool.py").write_text("print('hello')\n")
    (docs / "README").write_text("notes for me\n")
    graph = str(short_tmp / "g")
    assert main(["ingest", str(docs), "--graph", graph, "--no-embed", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "3 file(s) in the folders are not documents, skipped:" in err
    for name in ("table.csv", "tool.py", "README"):
        assert f"{docs / name}: " in err
    assert json.loads(out)["documents"] == 2

    (docs / "b.md").unlink()
    assert main(["ingest", str(docs), "--graph", graph, "--no-embed", "--sync"]) == 0
    err = capsys.readouterr().err
    assert f"removed {(docs / 'b.md').resolve()} (gone from the folder)" in err
    assert "--sync: 1 document(s) whose files are gone removed" in err
    assert main(["stats", "--graph", graph, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 1
