"""The KB reasoner's graph cache: reused across processes, invalidated by writes, and never
trusted over the store (a stale cache whose counts still match is caught by the path check)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.api import HopGraph
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.types import Triple

MOVIES = """\
Heat|directed_by|Michael Mann
Heat|release_year|1995
Collateral|directed_by|Michael Mann
Collateral|starred_actors|Tom Cruise
Top Gun|starred_actors|Tom Cruise
Top Gun|directed_by|Tony Scott
"""
QUESTION = "who directed [Heat]"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    kb = tmp_path / "movies.txt"
    kb.write_text(MOVIES, encoding="utf-8")
    with HopGraph.open(tmp_path / "g") as hg:
        hg.import_triples(kb)
    return tmp_path / "g"


@pytest.fixture()
def store_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the reads of the whole graph from a store (cache misses)."""
    calls: list[int] = []
    original = KBGraph.from_store.__func__  # type: ignore[attr-defined]

    def counting(cls: type[KBGraph], store: object, page_size: int = 20_000) -> KBGraph:
        calls.append(1)
        return original(cls, store, page_size)  # type: ignore[no-any-return]

    monkeypatch.setattr(KBGraph, "from_store", classmethod(counting))
    return calls


def test_the_graph_is_read_once_then_loaded_from_the_cache(folder: Path, store_reads: list[int]) -> None:
    with HopGraph.open(folder) as hg:
        first = hg.ask(QUESTION)
    assert first.answerer == "kb" and first.text == "Michael Mann"
    assert str(first.paths[0]) == "Heat -[directed_by]-> Michael Mann"
    assert len(list((folder / "cache").glob("kb-graph-*.npz"))) == 1 and len(store_reads) == 1
    with HopGraph.open(folder) as hg:  # a new process would do the same
        again = hg.ask(QUESTION)
    assert again.text == first.text and len(store_reads) == 1


def test_a_write_through_hopgraph_that_keeps_every_count_still_invalidates(
    folder: Path, store_reads: list[int]
) -> None:
    with HopGraph.open(folder) as hg:
        assert hg.ask(QUESTION).text == "Michael Mann"
        hg.cypher(
            "MATCH (e:Entity {name: $old}) SET e.name = $new",
            {"old": "Michael Mann", "new": "M. Mann"},
            write=True,
        )
    with HopGraph.open(folder) as hg:
        assert hg.ask(QUESTION).text == "M. Mann"
    assert len(store_reads) == 2
    assert len(list((folder / "cache").glob("kb-graph-*.npz"))) == 1  # the stale file was replaced


def test_a_stale_cache_is_caught_by_the_path_check_in_the_store(
    folder: Path, store_reads: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    with HopGraph.open(folder) as hg:
        assert hg.ask(QUESTION).text == "Michael Mann"
        # a writer hopgraph does not see: one relation swapped for another, every count unchanged
        hg.store.cypher(
            "MATCH (:Entity {name: $m})-[r:DIRECTED_BY]->(:Entity {name: $d}) DELETE r",
            {"m": "Heat", "d": "Michael Mann"},
            write=True,
        )
        hg.store.upsert_triples([Triple("Heat", "directed_by", "Tony Scott", doc_id="edit")])
    with HopGraph.open(folder) as hg, caplog.at_level(logging.WARNING, logger="hopgraph.reason.kb.answerer"):
        answer = hg.ask(QUESTION)
    assert "not in the store" in caplog.text
    assert answer.text == "Tony Scott" and str(answer.paths[0]) == "Heat -[directed_by]-> Tony Scott"
    assert len(store_reads) == 2  # the cache was read, found stale, and the store read again
