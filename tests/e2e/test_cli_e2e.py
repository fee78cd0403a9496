"""The ``hopgraph`` command against a real embedded FalkorDB graph: in-process and as a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from hopgraph.api import HopGraph
from hopgraph.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
DEMO_KB = ROOT / "data" / "demo" / "science.tsv"
DEMO_TRIPLES = sum(
    1 for line in DEMO_KB.read_text().splitlines() if line.strip() and not line.startswith("#")
)
TEACHERS_QUERY = (
    "MATCH (p:Entity {name: $student})-[:STUDIED_UNDER]->(t:Entity)-[:BORN_IN]->(c:Entity) "
    "RETURN t.name AS teacher, c.name AS born_in ORDER BY teacher"
)


def _command() -> list[str]:
    script = Path(sys.executable).parent / "hopgraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopgraph"]


def run_cli(args: Sequence[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed console script in a child process (stdin and stdout are pipes, not a terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOPGRAPH_", "NEO4J_"))}
    return subprocess.run(
        [*_command(), *args], input=stdin, capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    """A graph folder with the demo KB imported in-process; the import's exit code and output."""
    folder = tmp_path_factory.mktemp("g")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["import", str(DEMO_KB), "--graph", str(folder), "--format", "tsv"])
    return folder, code, out.getvalue(), err.getvalue()


@pytest.fixture
def graph(imported: tuple[Path, int, str, str]) -> str:
    return str(imported[0])


def test_import_prints_summary_and_stats(imported: tuple[Path, int, str, str]) -> None:
    folder, code, out, err = imported
    assert code == 0, err
    assert out.startswith(f"imported {DEMO_TRIPLES} triples from {DEMO_KB} (tsv, 1 batch) in ")
    assert "document id: d" in out
    lines = out.splitlines()
    assert ["documents", "1"] in (line.split() for line in lines)
    assert ["STUDIED_UNDER", "8"] in (line.split() for line in lines[lines.index("relation types") :])
    assert (folder / "falkordb").is_dir()  # the data lives in the graph folder
    assert not (folder / "falkordb" / "redis.sock").exists()  # and the server stopped


def test_stats_json_counts_the_demo_graph(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--graph", graph, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 1 and stats["chunks"] == 0
    assert stats["relations"] == DEMO_TRIPLES == sum(stats["relation_types"].values())
    assert stats["relation_types"]["STUDIED_UNDER"] == 8
    assert stats["entities"] > 20


def test_reimport_is_idempotent(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--graph", graph, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["import", str(DEMO_KB), "--graph", graph]) == 0  # format from the suffix
    capsys.readouterr()
    assert main(["stats", "--graph", graph, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == before


def test_cypher_table_with_parameter(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["cypher", "--graph", graph, TEACHERS_QUERY, "--param", "student=Niels Bohr"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.splitlines() == [
        "teacher           | born_in",
        "------------------+--------------",
        "Ernest Rutherford | Brightwater",
        "J. J. Thomson     | Cheetham Hill",
        "(2 rows)",
    ]


def test_cypher_json_with_params_json_and_limit(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    params = json.dumps({"names": ["Niels Bohr", "Lise Meitner"]})
    query = "MATCH (e:Entity) WHERE e.name IN $names RETURN e.name AS name, e.id AS id ORDER BY name"
    assert main(["cypher", "--graph", graph, query, "--params-json", params, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["Lise Meitner", "Niels Bohr"]
    assert all(r["id"].startswith("e") for r in rows)
    assert main(["cypher", "--graph", graph, query, "--params-json", params, "--json", "--limit", "1"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["Lise Meitner"]


def test_write_refused_without_flag_and_accepted_with_it(
    graph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    create = "CREATE (n:CliNote {text: $text}) RETURN n.text AS text"
    count = "MATCH (n:CliNote) RETURN count(n) AS n"
    assert main(["cypher", "--graph", graph, create, "--param", "text=hello"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--write" in err and "query: CREATE (n:CliNote" in err
    assert main(["cypher", "--graph", graph, count, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 0}]  # the database refused it

    assert main(["cypher", "--graph", graph, create, "--param", "text=hello", "--write", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"text": "hello"}]
    assert main(["cypher", "--graph", graph, count, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 1}]
    assert main(["cypher", "--graph", graph, "MATCH (n:CliNote) DELETE n", "--write"]) == 0


def test_syntax_error_reports_database_message_and_query(
    graph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cypher", "--graph", graph, "MATCH (e:Entity RETURN e"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: FalkorDB rejected the query")
    assert "query: MATCH (e:Entity RETURN e" in err
    assert "Traceback" not in err


def test_shell_in_process_reads_piped_stdin(
    graph: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = ':params {"student": "Wolfgang Pauli"}\nMATCH (p:Entity {name: $student})\n'
    script += "RETURN p.name AS name;\n:quit\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main(["shell", "--graph", graph]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-4:] == ["name", "--------------", "Wolfgang Pauli", "(1 row)"]


# -- the installed command in a child process ----------------------------------------------------
@pytest.mark.slow
def test_subprocess_import_stats_cypher_shell(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = str(tmp_path_factory.mktemp("s"))
    result = run_cli(["import", str(DEMO_KB), "--graph", folder])
    assert result.returncode == 0, result.stderr
    assert f"imported {DEMO_TRIPLES} triples" in result.stdout
    assert result.stderr == ""  # no progress line on a pipe for a sub-second import

    result = run_cli(["stats", "--graph", folder, "--json"])
    assert result.returncode == 0 and json.loads(result.stdout)["relations"] == DEMO_TRIPLES

    result = run_cli(["cypher", "--graph", folder, TEACHERS_QUERY, "--param", "student=Otto Hahn", "--json"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"teacher": "Ernest Rutherford", "born_in": "Brightwater"}]

    shell_input = (
        "MATCH (e:Entity)\nWHERE e.name STARTS WITH 'Niels'\nRETURN e.name AS name;\n"
        ":json\nRETURN 40 + 2 AS answer\n\n"
        "CREATE (:Scratch);\n"
        ":quit\nRETURN 'not reached' AS x;\n"
    )
    result = run_cli(["shell", "--graph", folder], stdin=shell_input)
    assert result.returncode == 2  # a piped statement failed (the refused write)
    assert "Niels Bohr" in result.stdout and "not reached" not in result.stdout
    assert json.loads(result.stdout[result.stdout.index("[") :]) == [{"answer": 42}]
    assert "start the shell with --write" in result.stderr and "query: CREATE (:Scratch)" in result.stderr
    assert "cypher>" not in result.stdout  # no prompts without a terminal

    result = run_cli(["cypher", "--graph", folder, "RETURN 1 +"])
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: FalkorDB rejected the query")
        and "query: RETURN 1 +" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_subprocess_url_shares_a_running_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("u")
    with HopGraph.open(folder) as hg:
        hg.import_triples(DEMO_KB)
        socket_path = getattr(hg.store, "socket_path", None)
        assert socket_path
        # The folder is held by this process: a second embedded server is refused, clearly ...
        result = run_cli(["stats", "--graph", str(folder)])
        assert result.returncode == 2 and result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
        # ... and --url talks to the running one.
        result = run_cli(["stats", "--url", f"unix://{socket_path}", "--json"])
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["relations"] == DEMO_TRIPLES
