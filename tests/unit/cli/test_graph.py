"""``hopgraph import``, ``stats``, ``cypher``: parameter parsing, format guessing, the commands over a fake
graph (and main's error handling seen through them), import progress."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hopgraph.cli import app
from hopgraph.cli import graph as cli
from hopgraph.errors import CypherError, ReadOnlyError
from hopgraph.types import GraphStats


# -- parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n=3", ("n", 3)),
        ("x=2.5", ("x", 2.5)),
        ('names=["a","b"]', ("names", ["a", "b"])),
        ('m={"k": null}', ("m", {"k": None})),
        ("flag=true", ("flag", True)),
        ("name=Niels Bohr", ("name", "Niels Bohr")),
        ('s="3"', ("s", "3")),
        ("eq=a=b", ("eq", "a=b")),
        ("empty=", ("empty", "")),
    ],
)
def test_parse_param_json_when_valid_else_string(text: str, expected: tuple[str, Any]) -> None:
    assert cli.parse_param(text) == expected


@pytest.mark.parametrize("text", ["novalue", "=3", "bad-name=1"])
def test_parse_param_rejects_malformed(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        cli.parse_param(text)


def test_params_json_must_be_an_object_and_param_wins() -> None:
    assert cli.parse_params_json('{"a": 1}') == {"a": 1}
    with pytest.raises(argparse.ArgumentTypeError, match="JSON object"):
        cli.parse_params_json("[1]")
    with pytest.raises(argparse.ArgumentTypeError, match="not valid JSON"):
        cli.parse_params_json("{a: 1}")
    args = app.build_parser().parse_args(
        ["cypher", "RETURN $a", "--params-json", '{"a": 1, "b": 2}', "--param", "a=9"]
    )
    assert cli.query_params(args) == {"a": 9, "b": 2}


def test_guess_format() -> None:
    assert cli.guess_format(Path("kb.ttl")) == "rdf"
    assert cli.guess_format(Path("kb.NT")) == "rdf"
    assert cli.guess_format(Path("kb.txt")) == "tsv"


# -- the commands (main's error handling included) ------------------------------------------------
def test_missing_import_file_is_an_error_before_any_graph_opens(
    short_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "open_graph", lambda args: pytest.fail("opened a graph"))
    assert app.main(["import", str(short_tmp / "nope.tsv"), "--graph", str(short_tmp)]) == 2
    assert capsys.readouterr().err == f"error: no such file: {short_tmp / 'nope.tsv'}\n"


class FakeGraph:
    """Stands in for HopGraph: records calls and whether it was closed."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, error: BaseException | None = None) -> None:
        self.rows = rows or []
        self.error = error
        self.calls: list[tuple[str, dict[str, Any], bool]] = []
        self.timeouts: list[float | None] = []
        self.closed = False

    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_s: float | None = None,
    ) -> list[dict[str, Any]]:
        self.calls.append((query, dict(params or {}), write))
        self.timeouts.append(timeout_s)
        if self.error is not None:
            raise self.error
        return self.rows

    def stats(self) -> GraphStats:
        return GraphStats(1, 0, 3, 2, {"BORN_IN": 2})

    def __enter__(self) -> FakeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


def _use(monkeypatch: pytest.MonkeyPatch, graph: FakeGraph) -> None:
    monkeypatch.setattr(cli, "open_graph", lambda args: graph)


def test_cypher_passes_params_and_write_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = FakeGraph(rows=[{"n": i} for i in range(5)])
    _use(monkeypatch, graph)
    argv = ["cypher", "--graph", "g", "RETURN $x", "--param", "x=[1]", "--write", "--limit", "2"]
    assert app.main(argv) == 0
    assert graph.calls == [("RETURN $x", {"x": [1]}, True)]
    assert graph.closed
    assert capsys.readouterr().out.splitlines()[-1] == "(showing 2 of 5 rows)"


def test_cypher_json_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _use(monkeypatch, FakeGraph(rows=[{"a": 1, "b": None}]))
    assert app.main(["cypher", "--graph", "g", "RETURN 1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"a": 1, "b": None}]


def test_read_only_error_names_query_and_write_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = FakeGraph(error=ReadOnlyError("store says no", "CREATE (:X)"))
    _use(monkeypatch, graph)
    assert app.main(["cypher", "--graph", "g", "CREATE (:X)"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--write" in err and "query: CREATE (:X)" in err
    assert "Traceback" not in err
    assert graph.closed


def test_verbose_error_shows_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(monkeypatch, FakeGraph(error=CypherError("bad syntax", "MATCH (")))
    assert app.main(["cypher", "-v", "--graph", "g", "MATCH ("]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: bad syntax\n  query: MATCH (" in err


def test_keyboard_interrupt_exits_130_and_closes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = FakeGraph(error=KeyboardInterrupt())
    _use(monkeypatch, graph)
    assert app.main(["cypher", "--graph", "g", "RETURN 1"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert graph.closed


def test_stats_text_and_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _use(monkeypatch, FakeGraph())
    assert app.main(["stats", "--graph", "g", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "documents": 1,
        "chunks": 0,
        "entities": 3,
        "relations": 2,
        "relation_types": {"BORN_IN": 2},
    }
    assert app.main(["stats", "--graph", "g"]) == 0
    out = capsys.readouterr().out
    assert "entities            3" in out and "relation types\n  BORN_IN           2" in out


# -- progress -----------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_plain_lines_are_periodic() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = cli.Progress(stream, tty=False, every=5.0, clock=clock)
    progress(1000)  # too soon
    clock.now += 5.0
    progress(2000)
    clock.now += 1.0
    progress(3000)  # too soon again
    progress.done()
    assert stream.getvalue() == "imported 2,000 triples (400/s)\n"


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = cli.Progress(stream, tty=True, every=0.1, clock=clock)
    clock.now += 1.0
    progress(500)
    clock.now += 1.0
    progress(1000)
    progress.done()
    assert stream.getvalue() == (
        "\r\x1b[Kimported 500 triples (500/s)\r\x1b[Kimported 1,000 triples (500/s)\r\x1b[K"
    )
