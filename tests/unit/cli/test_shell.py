"""The interactive Cypher shell's loop (fake runner, piped input)."""

from __future__ import annotations

import io
import json
from typing import Any

from hopgraph.cli.shell import CypherShell
from hopgraph.errors import CypherError, HopGraphError, ReadOnlyError


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
