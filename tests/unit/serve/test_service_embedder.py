"""The server embeds with the graph's ``[embed]`` settings (a graph built with another model must
be asked with that model; the server used to load the bundled one whatever the settings said)."""

from __future__ import annotations

import pytest

from hopgraph import embed
from hopgraph.api import HopGraph
from hopgraph.config import load_settings
from hopgraph.embed.sentence_transformers import SentenceTransformerEmbedder
from hopgraph.serve.service import GraphService


def test_the_server_loads_the_configured_embedding_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # the real class, even where a session fixture of tests/serve shares one embedder
    monkeypatch.setattr(embed, "SentenceTransformerEmbedder", SentenceTransformerEmbedder)
    settings = load_settings(
        environ={"HOPGRAPH_EMBED_MODEL": "/models/multilingual", "HOPGRAPH_EMBED_QUERY_PRECISION": "float32"}
    )
    service = GraphService(HopGraph(object(), settings, None))  # type: ignore[arg-type]
    embedder = service._embedder()  # built, not loaded: the model loads on first use
    assert (embedder.model_name, embedder.query_precision) == ("/models/multilingual", "float32")
