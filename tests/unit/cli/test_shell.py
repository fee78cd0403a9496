"""The interactive Cypher shell's loop (fake runner, piped input)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from hopgraph.cli import shell as shell_module
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


# -- history (a fake readline: no terminal needed) ----------------------------------------------
class OldReadline:
    """The readline calls the shell makes, without ``set_auto_history``: ``input()`` adds each
    typed line. ``libedit=True`` refuses to remove items, as libedit's indexing can."""

    def __init__(self, *, libedit: bool = False) -> None:
        self.items: list[str] = []
        self.auto, self.libedit = True, libedit

    def set_history_length(self, n: int) -> None:
        pass

    def read_history_file(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            self.items = fh.read().splitlines()

    def write_history_file(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{item}\n" for item in self.items))

    def get_current_history_length(self) -> int:
        return len(self.items)

    def remove_history_item(self, pos: int) -> None:
        if self.libedit or not 0 <= pos < len(self.items):
            raise ValueError(f"No history item at position {pos}")
        del self.items[pos]

    def add_history(self, line: str) -> None:
        self.items.append(line)


class FakeReadline(OldReadline):
    """GNU readline (or libedit) with ``set_auto_history``."""

    def set_auto_history(self, enabled: bool) -> None:
        self.auto = enabled


def _interactive(
    lines: list[str], runner: Any, readline: OldReadline, history: Path, monkeypatch: pytest.MonkeyPatch
) -> list[list[str]]:
    """Run an interactive shell on ``lines``; returns the history file's lines before each read."""
    monkeypatch.setattr(shell_module, "_load_readline", lambda: readline)
    typed = iter(lines)
    on_disk: list[list[str]] = []

    def fake_input(prompt: str) -> str:
        on_disk.append(history.read_text().splitlines() if history.exists() else [])
        try:
            line = next(typed)
        except StopIteration:
            raise EOFError from None
        if readline.auto and line.strip():
            readline.add_history(line)
        return line

    monkeypatch.setattr("builtins.input", fake_input)
    out, err = io.StringIO(), io.StringIO()
    shell = CypherShell(
        runner, stdin=io.StringIO(), stdout=out, stderr=err, interactive=True, history_file=history
    )
    assert shell.loop() == 0
    return on_disk


def _failing(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    if "nope" in query:
        raise CypherError("Unknown function 'nope'", query)
    return [{"ok": 1}]


STATEMENTS = ["MATCH (n:Entity)", "  RETURN nope(n)", "  LIMIT 1;", ":json", "RETURN 1;"]
EXPECTED = ["old entry", "MATCH (n:Entity) RETURN nope(n) LIMIT 1;", ":json", "RETURN 1;"]


@pytest.mark.parametrize(
    "readline",
    [FakeReadline(), FakeReadline(libedit=True), OldReadline()],
    ids=["gnu", "libedit", "no-set-auto-history"],
)
def test_a_failed_multi_line_statement_is_one_history_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readline: OldReadline
) -> None:
    history = tmp_path / ".cypher_history"
    history.write_text("old entry\n")
    _interactive(STATEMENTS, _failing, readline, history, monkeypatch)
    assert readline.items == EXPECTED
    assert history.read_text().splitlines() == EXPECTED
    assert readline.auto  # left as found


def test_a_readline_that_cannot_remove_lines_still_keeps_the_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Auto history on and removing lines refused (libedit without set_auto_history): the typed
    lines stay and the whole statement is added after them, never lost."""
    readline = OldReadline(libedit=True)
    history = tmp_path / ".cypher_history"
    _interactive(STATEMENTS[:3], _failing, readline, history, monkeypatch)
    assert readline.items[-1] == "MATCH (n:Entity) RETURN nope(n) LIMIT 1;"


def test_a_failed_statement_is_written_before_the_shell_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shell killed later (terminal closed) keeps the statement that failed on disk."""
    history = tmp_path / ".cypher_history"
    on_disk = _interactive(STATEMENTS[:3], _failing, FakeReadline(), history, monkeypatch)
    assert on_disk[-1] == ["MATCH (n:Entity) RETURN nope(n) LIMIT 1;"]  # read after the failure


def test_ctrl_c_keeps_the_dropped_statement_in_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readline = FakeReadline()
    history = tmp_path / ".cypher_history"
    lines = iter(["MATCH (n)", None, "RETURN 1;"])

    def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"ok": 1}]

    monkeypatch.setattr(shell_module, "_load_readline", lambda: readline)

    def fake_input(prompt: str) -> str:
        line = next(lines, "")
        if line is None:
            raise KeyboardInterrupt
        if line == "":
            raise EOFError
        return line

    monkeypatch.setattr("builtins.input", fake_input)
    shell = CypherShell(
        run,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        interactive=True,
        history_file=history,
    )
    assert shell.loop() == 0
    assert readline.items == ["MATCH (n)", "RETURN 1;"]
