"""Hints are commands that run as printed, and CLI messages name CLI options."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from hopgraph.cli import app as cli
from hopgraph.cli.ingest import _jobs_command
from hopgraph.errors import ImportFormatError
from hopgraph.kg.io.rdf import rdf_format


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"graph": "my graph", "state": None}, ["--graph", "my graph"]),
        ({"graph": None, "state": "s.sqlite"}, ["--state", "s.sqlite"]),
    ],
)
def test_the_failed_chunks_hint_names_the_graph(given: dict[str, str | None], expected: list[str]) -> None:
    hint = _jobs_command(argparse.Namespace(**given), 3)
    words = shlex.split(hint)
    assert words[:4] == ["hopgraph", "jobs", "3", "--failed"] and words[4:] == expected
    args = cli.build_parser().parse_args(words[1:])  # it parses as printed
    assert args.job_id == 3 and args.failed


def test_rdf_suffix_error_names_no_python_option(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError) as info:
        rdf_format(tmp_path / "kb.rdfx")
    assert "format=" not in str(info.value) and ".ttl" in str(info.value)


def test_query_parameters_skip_strings_and_comments() -> None:
    from hopgraph.kg.cypher.parts import missing_parameters, query_parameters

    query = "MATCH (e {name: $name}) WHERE e.x = '$not' // $nor\nRETURN $limit, $name"
    assert query_parameters(query) == ["name", "limit"]
    assert missing_parameters(query, {"name": "a"}) == ["limit"]


def test_missing_parameters_are_named(short_tmp: Path) -> None:
    from hopgraph.api import HopGraph
    from hopgraph.errors import CypherError

    with HopGraph.open(short_tmp) as hg, pytest.raises(CypherError) as info:
        hg.cypher("MATCH (e:Entity {name: $who}) RETURN e.name, $given", {"given": 1})
    assert "not given: $who" in str(info.value)


def test_a_number_param_that_matches_nothing_gets_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    from hopgraph.cli.graph import _number_param_hint, parse_param

    _number_param_hint([parse_param("n=2011"), parse_param("s=Bohr")])
    err = capsys.readouterr().err
    assert "--param n=2011 was sent as a number" in err and "--param 'n=\"2011\"'" in err
    assert "s=" not in err
    assert parse_param('n="2011"') == ("n", "2011")  # the hint's spelling gives the string
