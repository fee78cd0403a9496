"""Every subcommand with bad arguments: exit 2, one line on stderr, no traceback, nothing created.

Missing paths, files where folders are wanted (and the reverse), unknown formats and suffixes,
unknown ids, read-only folders. None of these cases opens a graph server except the failed
import, which must remove the graph folder it created.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hopgraph.cli import app as cli

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_SKIP = "runs as root, for whom chmod blocks no read or write (the os.access variants cover the check)"


@pytest.fixture
def workdir(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(short_tmp)
    monkeypatch.delenv("HOPGRAPH_STORE_URL", raising=False)
    monkeypatch.delenv("HOPGRAPH_STORE_BACKEND", raising=False)
    (short_tmp / "adir").mkdir()
    (short_tmp / "afile.txt").write_text("not a graph\n")
    (short_tmp / "ok.tsv").write_text("Niels Bohr|born in|Copenhagen\n")
    return short_tmp


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # output files: one rule everywhere (the folder must exist; a folder is not a file)
        (["export", "newdir/out.ttl", "--graph", "g"], "no folder newdir"),
        (["export", "newdir/out.graphml", "--graph", "g"], "no folder newdir"),
        (["export", "adir", "--graph", "g"], "adir is a folder"),
        (["export", "afile.txt/out.ttl", "--graph", "g"], "afile.txt is a file"),
        (["ask", "who?", "--html", "newdir/a.html", "--graph", "g"], "no folder newdir"),
        (["ask", "who?", "--html", "adir", "--graph", "g"], "adir is a folder"),
        (
            [
                "eval",
                "retrieval",
                "--questions",
                "q.json",
                "--format",
                "musique",
                "--json",
                "nd/r.json",
                "--graph",
                "g",
            ],
            "no folder nd",
        ),
        (["eval", "metaqa", "--json", "nd/r.json", "--graph", "g"], "no folder nd"),
        (["train", "qa", "--questions", "q.json", "--out", "nd/qa.pt", "--graph", "g"], "no folder nd"),
        (["train", "metaqa", "--out", "adir", "--graph", "g"], "adir is a folder"),
        # export formats: unknown suffixes are errors listing the valid ones
        (["export", "x.csv", "--graph", "g"], ".ttl"),
        (["export", "x.n3", "--graph", "g"], ".jsonld"),
        (["export", "x", "--graph", "g"], "no suffix"),
        (["export", "x.json-ld", "--format", "json-ld", "--graph", "g"], ".jsonld"),
        (["export", "x.ttl", "--format", "nt", "--graph", "g"], "means turtle, not nt"),
        (["export", "x.ttl", "--format", "csv", "--graph", "g"], "invalid choice"),
        # --graph naming a file, or a folder that is not there (read-only commands create nothing)
        (["stats", "--graph", "afile.txt"], "is a file, not a graph folder"),
        (["import", "ok.tsv", "--graph", "afile.txt"], "is a file, not a graph folder"),
        (["stats", "--graph", "missing"], "no graph folder missing"),
        (["cypher", "RETURN 1", "--graph", "missing"], "no graph folder missing"),
        (["shell", "--graph", "missing"], "no graph folder missing"),
        (["ask", "who?", "--graph", "missing"], "no graph folder missing"),
        (["export", "out.ttl", "--graph", "missing"], "no graph folder missing"),
        (["delete", "--doc", "x", "--graph", "missing"], "no graph folder missing"),
        (["stats", "--graph", "afile.txt/sub"], "no graph folder"),
        (["import", "ok.tsv", "--graph", "afile.txt/sub"], "cannot create graph folder"),
        # missing inputs, folders for files
        (["import", "missing.tsv", "--graph", "g"], "missing.tsv"),
        (["import", "adir", "--graph", "g"], "adir"),
        (["import", "ok.tsv", "--format", "csv", "--graph", "g"], "invalid choice"),
        (["ingest", "ok.tsv", "--state", "adir", "--graph", "g"], "--state adir is a folder"),
        (["jobs", "--graph", "missing"], "no job state"),
        (["jobs", "3", "--graph", "missing"], "no job state"),
        (["jobs", "--state", "adir"], "adir"),
        (
            ["eval", "retrieval", "--questions", "missing.json", "--format", "musique", "--graph", "g"],
            "missing.json",
        ),
        (["eval", "metaqa", "--questions", "missing.txt", "--graph", "g"], "missing.txt"),
        (["train", "qa", "--questions", "missing.json", "--graph", "adir"], "missing.json"),
        (["ask", "who?", "--method", "magic", "--graph", "g"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], expected: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in workdir.iterdir())
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert expected in err, err
    if "invalid choice" not in expected:  # argparse's usage errors print the usage first
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert sorted(p.name for p in workdir.iterdir()) == before  # no graph, folder or file made


def test_read_only_graph_folder_says_why_not(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = workdir / "theirs"
    (graph / "falkordb").mkdir(parents=True)
    real_access = os.access
    monkeypatch.setattr(
        "hopgraph.api.os.access",
        lambda p, mode: False if Path(p).resolve() == graph.resolve() else real_access(p, mode),
    )
    for argv in (["stats", "--graph", "theirs"], ["cypher", "RETURN 1", "--graph", "theirs"]):
        assert cli.main(argv) == 2
        line = _one_error_line(capsys)
        assert "not writable" in line and "copy the folder" in line
    assert not (graph / ".lock").exists()


@pytest.mark.skipif(AS_ROOT, reason=ROOT_SKIP)
def test_read_only_graph_folder_for_real(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph = workdir / "theirs"
    (graph / "falkordb").mkdir(parents=True)
    graph.chmod(0o555)
    try:
        assert cli.main(["stats", "--graph", "theirs"]) == 2
        assert "not writable" in _one_error_line(capsys)
    finally:
        graph.chmod(0o755)


@pytest.mark.skipif(AS_ROOT, reason=ROOT_SKIP)
def test_new_graph_under_a_read_only_parent(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parent = workdir / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        assert cli.main(["import", "ok.tsv", "--graph", "locked/g"]) == 2
        assert "cannot create graph folder" in _one_error_line(capsys)
    finally:
        parent.chmod(0o755)


def test_new_graph_under_a_parent_it_cannot_write(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert cli.main(["import", "ok.tsv", "--graph", "locked/g"]) == 2
    line = _one_error_line(capsys)
    assert "cannot create graph folder locked/g" in line and "not writable" in line


def test_failed_import_leaves_no_graph_folder(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.ttl").write_text("this is < not turtle\n")
    assert cli.main(["import", "bad.ttl", "--graph", "new"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bad.ttl" in err
    assert "created a new graph in new" in err and "removed the new graph folder" in err
    assert not (workdir / "new").exists()


def test_os_errors_become_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net: an OSError no check caught still ends as one line naming the path."""

    def boom(*args: object, **kwargs: object) -> None:
        raise IsADirectoryError(21, "Is a directory", "exp")

    monkeypatch.setattr("hopgraph.cli.common.HopGraph.open", boom)
    assert cli.main(["stats", "--graph", "g"]) == 2
    assert _one_error_line(capsys) == "error: exp: is a directory"
