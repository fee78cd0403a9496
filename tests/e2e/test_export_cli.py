"""`hopgraph export`: RDF and GraphML files that hold the whole graph."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from hopgraph.cli.app import main

DEMO_KB = Path(__file__).resolve().parents[2] / "data" / "demo" / "science.tsv"


@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ex")
    assert main(["import", str(DEMO_KB), "--graph", str(folder)]) == 0
    return folder


def test_export_turtle_reimports_to_the_same_graph(
    demo_graph: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path_factory.mktemp("o") / "kb.ttl"
    assert main(["export", str(out), "--graph", str(demo_graph)]) == 0
    assert "34 entities and 46 relations" in capsys.readouterr().out
    again = tmp_path_factory.mktemp("r")
    assert main(["import", str(out), "--graph", str(again)]) == 0
    capsys.readouterr()
    assert main(["stats", "--graph", str(again), "--json"]) == 0
    stats = capsys.readouterr().out
    assert '"entities": 34' in stats and '"relations": 46' in stats


def test_export_graphml(demo_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("o") / "kb.graphml"
    assert main(["export", str(out), "--graph", str(demo_graph)]) == 0
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == 34
    assert graph.number_of_edges() == 46
    names = {data["name"] for _, data in graph.nodes(data=True)}
    assert {"Niels Bohr", "Copenhagen"} <= names
