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
