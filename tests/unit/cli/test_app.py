"""The command's parser and main: argument errors become exit codes, --version/--help, -v anywhere,
graph options that name no graph."""

from __future__ import annotations

import pytest

from hopgraph.cli import app as cli


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


# -- main's error handling ----------------------------------------------------------------------
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


def test_the_console_script_freezes_the_collector_after_main_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``console_main`` returns ``main``'s exit code and freezes the garbage collector only after
    ``main`` has returned (every handle closed), so the interpreter's exit skips walking them."""
    events: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: events.append("main") or 3)
    monkeypatch.setattr(cli.gc, "freeze", lambda: events.append("freeze"))
    assert cli.console_main() == 3
    assert events == ["main", "freeze"]
