"""The CLI's pure parts: table formatting, parameter parsing, argument errors, progress, the shell loop."""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

import pytest

from hopgraph.cli import app as cli
from hopgraph.cli.shell import CypherShell
from hopgraph.errors import CypherError, HopGraphError, ReadOnlyError
from hopgraph.render.table import display_width, format_cell, format_table, row_count, truncate
from hopgraph.types import GraphStats


# -- table --------------------------------------------------------------------------------------
def test_table_aligns_columns_in_first_row_key_order() -> None:
    rows = [{"name": "Niels Bohr", "city": "Copenhagen"}, {"name": "Lise Meitner", "city": "Vienna"}]
    assert format_table(rows).splitlines() == [
        "name         | city",
        "-------------+-----------",
        "Niels Bohr   | Copenhagen",
        "Lise Meitner | Vienna",
        "(2 rows)",
    ]


def test_table_cells_none_lists_dicts_bools() -> None:
    rows = [{"a": None, "b": [1, "x"], "c": {"k": "ü"}, "d": True}]
    lines = format_table(rows).splitlines()
    assert lines[2] == '  | [1,"x"] | {"k":"ü"} | true'
    assert lines[-1] == "(1 row)"


def test_table_right_aligns_numeric_columns_only() -> None:
    rows: list[dict[str, Any]] = [{"n": 5, "s": "a"}, {"n": 1234, "s": "bcd"}, {"n": None, "s": "e"}]
    lines = format_table(rows).splitlines()
    assert lines[2:5] == ["   5 | a", "1234 | bcd", "     | e"]


def test_table_truncates_long_cells_with_ellipsis() -> None:
    lines = format_table([{"t": "x" * 100}], max_width=10).splitlines()
    assert lines[2] == "x" * 9 + "…"
    assert display_width(lines[2]) == 10


def test_table_empty_and_limited_counts() -> None:
    assert format_table([]) == "(0 rows)"
    assert format_table([{"a": 1}], total=47).splitlines()[-1] == "(showing 1 of 47 rows)"
    assert row_count(3, total=3) == "(3 rows)"


def test_table_keeps_one_line_per_row_and_wide_characters_aligned() -> None:
    rows = [{"k": "監督", "v": "line one\nline two"}, {"k": "ab", "v": ""}]
    lines = format_table(rows).splitlines()
    assert lines[2] == "監督 | line one line two"
    assert lines[3] == "ab   |"
    assert truncate("監督監督", 5) == "監督…"
    assert format_cell(1.5) == "1.5"


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
    args = cli.build_parser().parse_args(
        ["cypher", "RETURN $a", "--params-json", '{"a": 1, "b": 2}', "--param", "a=9"]
    )
    assert cli.query_params(args) == {"a": 9, "b": 2}


# -- argument errors (argparse exits become return codes; no graph is opened) ---------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required: COMMAND"),
        (["frobnicate"], "invalid choice"),
        (["cypher", "RETURN 1", "--param", "novalue"], "expected key=value"),
        (["cypher", "RETURN 1", "--params-json", "[1]"], "expected a JSON object"),
        (["cypher", "RETURN 1", "--limit", "0"], "must be at least 1"),
        (["cypher", "--graph", "g"], "QUERY"),
        (["stats", "--backend", "mysql"], "invalid choice"),
        (["import", "x.tsv", "--format", "csv"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_version_and_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "hopgraph 0.1.0"
    assert cli.main(["cypher", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--write" in out and "--graph DIR" in out


def test_verbose_before_or_after_the_command() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["-v", "stats"]).verbose == 1
    assert parser.parse_args(["stats", "-vv"]).verbose == 2
    assert parser.parse_args(["stats"]).verbose == 0


def test_guess_format() -> None:
    assert cli.guess_format(cli.Path("kb.ttl")) == "rdf"
    assert cli.guess_format(cli.Path("kb.NT")) == "rdf"
    assert cli.guess_format(cli.Path("kb.txt")) == "tsv"


# -- main's error handling ----------------------------------------------------------------------
def test_missing_import_file_is_an_error_before_any_graph_opens(
    short_tmp: cli.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "open_graph", lambda args: pytest.fail("opened a graph"))
    assert cli.main(["import", str(short_tmp / "nope.tsv"), "--graph", str(short_tmp)]) == 2
    assert capsys.readouterr().err == f"error: no such file: {short_tmp / 'nope.tsv'}\n"


def test_no_graph_folder_names_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOPGRAPH_STORE_URL", raising=False)
    monkeypatch.delenv("HOPGRAPH_STORE_BACKEND", raising=False)
    assert cli.main(["stats"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--graph DIR" in err and "Traceback" not in err


def test_neo4j_without_uri_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("HOPGRAPH_STORE_URI", raising=False)
    assert cli.main(["stats", "--backend", "neo4j"]) == 2
    assert "NEO4J_URI" in capsys.readouterr().err


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
    assert cli.main(argv) == 0
    assert graph.calls == [("RETURN $x", {"x": [1]}, True)]
    assert graph.closed
    assert capsys.readouterr().out.splitlines()[-1] == "(showing 2 of 5 rows)"


def test_cypher_json_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _use(monkeypatch, FakeGraph(rows=[{"a": 1, "b": None}]))
    assert cli.main(["cypher", "--graph", "g", "RETURN 1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"a": 1, "b": None}]


def test_read_only_error_names_query_and_write_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = FakeGraph(error=ReadOnlyError("store says no", "CREATE (:X)"))
    _use(monkeypatch, graph)
    assert cli.main(["cypher", "--graph", "g", "CREATE (:X)"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--write" in err and "query: CREATE (:X)" in err
    assert "Traceback" not in err
    assert graph.closed


def test_verbose_error_shows_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(monkeypatch, FakeGraph(error=CypherError("bad syntax", "MATCH (")))
    assert cli.main(["cypher", "-v", "--graph", "g", "MATCH ("]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: bad syntax\n  query: MATCH (" in err


def test_keyboard_interrupt_exits_130_and_closes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = FakeGraph(error=KeyboardInterrupt())
    _use(monkeypatch, graph)
    assert cli.main(["cypher", "--graph", "g", "RETURN 1"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert graph.closed


def test_stats_text_and_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _use(monkeypatch, FakeGraph())
    assert cli.main(["stats", "--graph", "g", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "documents": 1,
        "chunks": 0,
        "entities": 3,
        "relations": 2,
        "relation_types": {"BORN_IN": 2},
    }
    assert cli.main(["stats", "--graph", "g"]) == 0
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


# -- shell loop (fake runner, piped input) ------------------------------------------------------
def _shell(script: str, runner: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    shell = CypherShell(runner, stdin=io.StringIO(script), stdout=out, stderr=err, interactive=False)
    return shell.loop(), out.getvalue(), err.getvalue()


def test_shell_statements_end_at_semicolon_blank_line_or_eof() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        seen.append((query, params))
        return [{"q": len(seen)}]

    code, out, err = _shell("MATCH (n)\n  RETURN n;\n\nRETURN 2\n\nRETURN 3", run)
    assert code == 0 and err == ""
    assert [q for q, _ in seen] == ["MATCH (n)\n  RETURN n", "RETURN 2", "RETURN 3"]
    assert out.count("(1 row)") == 3


def test_shell_commands_params_json_and_quit() -> None:
    seen: list[dict[str, Any]] = []

    def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        seen.append(params)
        return [{"n": params.get("n")}]

    script = ':params {"n": 5}\n:json\nRETURN $n AS n;\n:help\n:quit\nRETURN 9;\n'
    code, out, err = _shell(script, run)
    assert code == 0 and err == ""
    assert seen == [{"n": 5}]  # nothing ran after :quit
    assert 'params: {"n":5}' in out and "JSON output on" in out and ":params {json}" in out
    assert json.loads(out[out.index("[") : out.index("]") + 1]) == [{"n": 5}]


def test_shell_reports_errors_and_continues() -> None:
    def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if query.startswith("CREATE"):
            raise ReadOnlyError("no", query)
        if query.startswith("MATCH ("):
            raise CypherError("syntax error", query)
        if query.startswith("BOOM"):
            raise HopGraphError("store gone")
        return [{"ok": 1}]

    script = "CREATE (x);\nMATCH (\n:Person) RETURN 1;\nBOOM;\n:params [1]\n:nope\nRETURN 1;\n"
    code, out, err = _shell(script, run)
    assert code == 2  # piped statements failed
    assert out.strip().endswith("(1 row)")
    assert "start the shell with --write" in err and "query: CREATE (x)" in err
    assert "syntax error\n  query: MATCH (\n:Person) RETURN 1" in err  # ":Person" stayed Cypher
    assert "error: store gone" in err
    assert ":params needs a JSON object" in err
    assert "unknown command :nope" in err


def test_shell_quit_inside_a_statement_leaves() -> None:
    def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        raise AssertionError("nothing should run")

    assert _shell("MATCH (n)\n:exit\n", run) == (0, "", "")
