"""A graph edited in Cypher answers from its new state (issue 12, item 3).

Renaming an entity keeps its stored id (ids are content hashes of the name it was stored under);
the path check must look hops up by those stored ids, not by ids derived again from the new name,
or every path through the renamed entity is dropped as "the graph changed" on every later ask.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.cli import run_cli

DOCS = {
    "orbital.txt": "Orbital Ink was founded by Maya Chen in 2019.\n"
    "Orbital Ink makes printers for satellites.\n",
    "maya.txt": "Maya Chen was born in Osaka.\nMaya Chen studied physics at Kyoto University.\n",
}
RENAME = "MATCH (:Entity {name:'Orbital Ink'})-[:FOUNDED_BY]->(p) SET p.name='Hiro Sato'"
QUESTION = "Who founded Orbital Ink?"


def _run(args: Sequence[str]) -> tuple[int, str, str]:
    return run_cli(*args)


def test_ask_after_a_cypher_rename_answers_from_the_new_state(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    docs = short_tmp / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    graph = str(short_tmp / "g")
    code, _, err = _run(["ingest", str(docs), "--graph", graph])
    assert code == 0, err
    code, out, err = _run(["ask", "--graph", graph, QUESTION])
    assert code == 0, err
    assert "Orbital Ink -[founded by]-> Maya Chen" in out

    code, _, err = _run(["cypher", "--graph", graph, "--write", RENAME])
    assert code == 0, err
    for _ in range(2):  # the first ask after the edit and every later one
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            code, out, err = _run(["ask", "--graph", graph, QUESTION])
        assert code == 0, err
        assert "Orbital Ink -[founded by]-> Hiro Sato" in out
        assert "Maya Chen" not in out.split("Cited passages")[0]
        dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert not dropped and "dropped" not in err
