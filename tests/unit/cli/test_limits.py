"""``--timeout`` and the printed-row cap of ``hopgraph cypher`` and ``hopgraph shell``."""

from __future__ import annotations

import io
from typing import Any

import pytest

from hopgraph.cli import app as cli
from hopgraph.cli import graph as graph_cmds
from hopgraph.cli.limits import DEFAULT_MAX_ROWS
from hopgraph.cli.shell import CypherShell


class Graph:
    def __init__(self, rows: int) -> None:
        self.rows = [{"i": i} for i in range(rows)]
        self.timeouts: list[float | None] = []

    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        timeout_s: float | None = None,
    ) -> list[dict[str, Any]]:
        self.timeouts.append(timeout_s)
        return self.rows

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.mark.parametrize(
    ("argv", "expected"), [([], None), (["--timeout", "2.5"], 2.5), (["--timeout", "0"], 0.0)]
)
def test_cypher_passes_the_timeout(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: float | None
) -> None:
    graph = Graph(1)
    monkeypatch.setattr(graph_cmds, "open_graph", lambda args: graph)
    assert cli.main(["cypher", "--graph", "g", "RETURN 1", *argv]) == 0
    assert graph.timeouts == [expected]


@pytest.mark.parametrize("bad", ["-1", "soon", "inf"])
def test_a_bad_timeout_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["cypher", "--graph", "g", "RETURN 1", "--timeout", bad]) == 2
    assert "--timeout" in capsys.readouterr().err


def test_printed_rows_are_capped_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(graph_cmds, "open_graph", lambda args: Graph(DEFAULT_MAX_ROWS + 5))
    assert cli.main(["cypher", "--graph", "g", "MATCH (n) RETURN n"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"(showing {DEFAULT_MAX_ROWS} of {DEFAULT_MAX_ROWS + 5} rows)"
    assert len(out) == DEFAULT_MAX_ROWS + 3  # header, rule, rows, count line
    assert cli.main(["cypher", "--graph", "g", "MATCH (n) RETURN n", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count('"i"') == DEFAULT_MAX_ROWS and "--limit" in captured.err


def test_the_shell_caps_printed_rows() -> None:
    out = io.StringIO()
    shell = CypherShell(
        lambda q, p: [{"i": i} for i in range(30)],
        stdin=io.StringIO("MATCH (n) RETURN n;\n"),
        stdout=out,
        stderr=io.StringIO(),
        interactive=False,
        max_rows=10,
    )
    assert shell.loop() == 0
    assert out.getvalue().splitlines()[-1] == "(showing 10 of 30 rows)"
