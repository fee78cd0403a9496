"""A graph folder (its database, logs, job state, caches) is never read as input."""

from __future__ import annotations

from pathlib import Path

from hopgraph.extract.load.files import LoadProblem, is_graph_folder, iter_documents


def make_graph_folder(path: Path) -> None:
    (path / "falkordb" / "appendonlydir").mkdir(parents=True)
    (path / "falkordb" / "redis.log").write_text('rewrite",`type`:"x"\n' * 5)
    (path / "falkordb" / "appendonlydir" / "appendonly.aof.1.incr.aof").write_text("*3\r\n$3\r\nSET\r\n")
    (path / "cache").mkdir()
    (path / "cache" / "generation").write_text("7")
    (path / "jobs.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)


def sources(items: list[object]) -> list[str]:
    return sorted(Path(getattr(i, "source", "")).name for i in items if not isinstance(i, LoadProblem))


def test_a_folder_walk_skips_graph_folders_at_any_depth(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Niels Bohr was born in Copenhagen.")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "b.md").write_text("Lise Meitner was born in Vienna.")
    make_graph_folder(tmp_path / "g")
    make_graph_folder(tmp_path / "notes" / "old-graph")
    assert is_graph_folder(tmp_path / "g") and not is_graph_folder(tmp_path / "notes")
    items = list(iter_documents([tmp_path]))
    assert sources(items) == ["a.txt", "b.md"]
    assert not [i for i in items if isinstance(i, LoadProblem)]


def test_the_folder_being_written_is_skipped_before_it_has_markers(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Niels Bohr was born in Copenhagen.")
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "hopgraph.toml").write_text("[store]\n")
    (tmp_path / "state.sqlite").write_text("not a document")
    items = list(iter_documents([tmp_path], exclude=[tmp_path / "g", tmp_path / "state.sqlite"]))
    assert sources(items) == ["a.txt"]


def test_globs_do_not_reach_into_a_graph_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Niels Bohr was born in Copenhagen.")
    make_graph_folder(tmp_path / "g")
    (tmp_path / "g" / "notes.txt").write_text("inside the graph folder")
    assert sources(list(iter_documents([str(tmp_path / "**" / "*")]))) == ["a.txt"]


def test_naming_a_graph_folder_as_input_is_a_problem(tmp_path: Path) -> None:
    make_graph_folder(tmp_path / "g")
    items = list(iter_documents([tmp_path / "g"]))
    assert len(items) == 1 and isinstance(items[0], LoadProblem)
    assert "graph folder" in items[0].reason and items[0].skipped
