"""What HopGraph tells its user: the first question on a graph without vectors says it embeds;
output files need an existing folder."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hopgraph.api import HopGraph
from hopgraph.config import load_settings
from hopgraph.errors import ConfigError


class _NoVectors:
    def missing_embeddings(self, label: str, limit: int = 0) -> list[str]:
        return ["x"]

    def cypher(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return []  # no chunk vectors at all, so none made without titles


def test_embedding_a_graph_without_vectors_is_announced(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []

    def fake_embed_graph(store: Any, embedder: Any) -> SimpleNamespace:
        calls.append(store)
        return SimpleNamespace(chunks=3, entities=7)

    monkeypatch.setattr("hopgraph.extract.embed_graph.embed_graph", fake_embed_graph)
    hg = HopGraph(_NoVectors(), load_settings(None))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="hopgraph"):
        hg._embed_missing(object())  # type: ignore[arg-type]
    assert calls
    text = caplog.text
    assert "no vector yet" in text and "embedding them now" in text
    assert "embedded 3 chunks and 7 entities" in text


class _Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the store was used ({name}) before the output path was checked")


@pytest.mark.parametrize("name", ["out.ttl", "out.graphml", "graph.jsonl.gz"])
def test_export_and_dump_create_no_folders(tmp_path: Path, name: str) -> None:
    hg = HopGraph(_Untouchable(), load_settings(None))  # type: ignore[arg-type]
    write = hg.dump if name.endswith(".gz") else hg.export
    with pytest.raises(ConfigError, match=r"no folder .*missing.*create it first"):
        write(tmp_path / "missing" / name)
    with pytest.raises(ConfigError, match="is a folder"):
        write(tmp_path)
    assert list(tmp_path.iterdir()) == []
