"""One embedder for every place hopgraph would load its own (model loads cost seconds per test)."""

from __future__ import annotations

from typing import Any

import pytest

from hopgraph import embed


class _SharedEmbedderClass:
    """Stands in for :class:`~hopgraph.embed.SentenceTransformerEmbedder`: built directly or
    from settings, it is always the one embedder given."""

    embedder: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.embedder

    @classmethod
    def from_settings(cls, settings: Any) -> Any:
        return cls.embedder


def share_embedder(mp: pytest.MonkeyPatch, embedder: Any) -> None:
    """Make every ``SentenceTransformerEmbedder(...)`` and ``.from_settings(...)`` hopgraph runs
    (imported from :mod:`hopgraph.embed` when it runs) return ``embedder``."""
    stand_in = type("SharedEmbedder", (_SharedEmbedderClass,), {"embedder": embedder})
    mp.setattr(embed, "SentenceTransformerEmbedder", stand_in)
