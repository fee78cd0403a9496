"""What HopGraph tells its user: the first question on a graph without vectors says it embeds."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from hopgraph.api import HopGraph
from hopgraph.config import load_settings


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
