"""``hopgraph dump`` / ``restore`` and ``HopGraph.dump`` / ``restore`` (issue 12, item 5): a graph
moved through a dump file is the same graph, embeddings, provenance and aliases included."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.graph_dump import graph_content

from hopgraph import HopGraph
from hopgraph.errors import ImportFormatError
from hopgraph.kg.io.dump import GraphNotEmptyError
from hopgraph.types import Chunk, Document, Entity, Triple


def _vector(seed: int, dim: int = 8) -> list[float]:
    return [((seed * 31 + i * 17) % 97) / 97 - 0.5 for i in range(dim)]


def _build(hg: HopGraph) -> None:
    store = hg.store
    doc = Document(source="docs/ada.md", title="Ada", metadata={"sha256": "abc", "record": 3})
    other = Document(source="docs/bohr.md", title="Bohr")
    store.upsert_documents([doc, other])
    chunks = [
        Chunk(doc_id=doc.id, ord=0, text="Ada Lovelace wrote the Notes.", embedding=tuple(_vector(1))),
        Chunk(doc_id=doc.id, ord=1, text="She worked with Babbage.", embedding=tuple(_vector(2))),
        Chunk(doc_id=other.id, ord=0, text="Niels Bohr was born in Copenhagen.", embedding=tuple(_vector(3))),
    ]
    store.upsert_chunks(chunks)
    store.upsert_triples(
        [
            Triple("Ada Lovelace", "wrote", "Notes", doc_id=doc.id, chunk_id=chunks[0].id, confidence=0.75),
            Triple("Ada Lovelace", "worked with", "Charles Babbage", doc_id=doc.id, chunk_id=chunks[1].id),
            Triple("Niels Bohr", "born in", "Copenhagen", doc_id=other.id, chunk_id=chunks[2].id),
            Triple("Ada", "worked with", "Charles Babbage", doc_id=doc.id, chunk_id=chunks[1].id),
        ]
    )
    # an entity with no relation, with aliases; a merge (aliases + provenance); embeddings
    store.upsert_entities([Entity("Analytical Engine", type="MACHINE", aliases=("the Engine", "AE"))])
    from hopgraph.ids import entity_id

    store.merge_entities(entity_id("Ada"), entity_id("Ada Lovelace"))
    entities = list(store.iter_entities())
    store.set_embeddings("Entity", {e.id: _vector(10 + i) for i, e in enumerate(entities)})
    # something a user added in Cypher
    hg.cypher(
        "CREATE (:Note {text: 'check dates', tags: ['todo', 'x']})-[:ABOUT]->(:Topic {n: 1})", write=True
    )


@pytest.mark.parametrize("name", ["graph.jsonl", "graph.jsonl.gz"])
def test_dump_restore_round_trips_everything(short_tmp: Path, name: str) -> None:
    first, second = short_tmp / "a", short_tmp / "b"
    with HopGraph.open(first) as hg:
        _build(hg)
        report = hg.dump(short_tmp / name)
        query = _vector(2)
        hits = hg.store.vector_search("Chunk", query, k=3)
        text_hits = hg.store.fulltext_search("Entity", "Babbage", k=3)
    assert report.nodes == 3 + 2 + 6 + 2 and report.embeddings == 3 + 6
    with HopGraph.open(second) as hg:
        restored = hg.restore(short_tmp / name)
        assert (restored.nodes, restored.relationships) == (report.nodes, report.relationships)
        assert hg.store.vector_search("Chunk", query, k=3) == hits  # vectors and their index came back
        assert hg.store.fulltext_search("Entity", "Babbage", k=3) == text_hits
        engine = hg.store.find_entities(["Analytical Engine"])[0]
        assert engine.aliases == ("the Engine", "AE") and engine.type == "MACHINE"
        assert "Ada" in hg.store.find_entities(["Ada Lovelace"])[0].aliases
        hg.dump(short_tmp / ("again-" + name))
    assert graph_content(short_tmp / name) == graph_content(short_tmp / ("again-" + name))
    nodes, rels = graph_content(short_tmp / name)
    assert any('"embedding"' in n for n in nodes) and any('"chunk_ids"' in r for r in rels)
    assert any('"Note"' in n for n in nodes) and any('"ABOUT"' in r for r in rels)


def test_restore_refuses_a_graph_that_is_not_empty(short_tmp: Path) -> None:
    with HopGraph.open(short_tmp / "a") as hg:
        _build(hg)
        hg.dump(short_tmp / "d.jsonl")
        before = hg.stats()
        with pytest.raises(GraphNotEmptyError, match="already holds"):
            hg.restore(short_tmp / "d.jsonl")
        assert hg.stats() == before


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda lines: lines[:-1], "cut short"),
        (lambda lines: lines[1:], "not a hopgraph dump"),
        (lambda lines: [*lines[:3], "{not json\n", *lines[3:]], "not a JSON line"),
        (
            lambda lines: [
                *lines[:-1],
                '{"rel": 99, "type": "X", "start": 0, "end": 12345, "properties": {}}\n',
            ],
            "no node",
        ),
        (
            lambda lines: [
                *lines[:2],
                '{"node": 777, "labels": ["Bad Label"], "properties": {}}\n',
                *lines[2:],
            ],
            "label",
        ),
    ],
)
def test_a_bad_dump_writes_nothing(short_tmp: Path, cut: object, message: str) -> None:
    with HopGraph.open(short_tmp / "a") as hg:
        _build(hg)
        hg.dump(short_tmp / "d.jsonl")
    lines = (short_tmp / "d.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (short_tmp / "bad.jsonl").write_text("".join(cut(lines)), encoding="utf-8")  # type: ignore[operator]
    with HopGraph.open(short_tmp / "b") as hg:
        with pytest.raises(ImportFormatError, match=message):
            hg.restore(short_tmp / "bad.jsonl")
        assert hg.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_cli_dump_and_restore(short_tmp: Path) -> None:
    with HopGraph.open(short_tmp / "a") as hg:
        _build(hg)
    dump = short_tmp / "g.jsonl.gz"

    def hopgraph(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hopgraph", *args], capture_output=True, text=True, timeout=120
        )

    done = hopgraph("dump", str(dump), "--graph", str(short_tmp / "a"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("dumped 13 nodes and ") and "(9 embeddings)" in done.stdout
    with gzip.open(dump) as handle:
        assert handle.read(20).startswith(b'{"format"')
    refused = hopgraph("dump", str(dump), "--graph", str(short_tmp / "a"))
    assert refused.returncode == 2 and "--force" in refused.stderr
    done = hopgraph("restore", str(dump), "--graph", str(short_tmp / "b"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("restored 13 nodes and ")
    again = hopgraph("restore", str(dump), "--graph", str(short_tmp / "b"))
    assert again.returncode == 2 and again.stderr.startswith("error: the graph already holds 13 nodes")
    missing = hopgraph("restore", str(short_tmp / "nope.jsonl"), "--graph", str(short_tmp / "c"))
    assert missing.returncode == 2 and "no such dump file" in missing.stderr
