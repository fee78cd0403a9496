"""One embedder for every place hopgraph would load its own (model loads cost seconds per test)."""

from __future__ import annotations

from typing import Any

import pytest

from hopgraph import embed


class SharedEmbedderClass:
    """Stands in for :class:`~hopgraph.embed.SentenceTransformerEmbedder`: built directly or
    from settings, it is always the one embedder given; ``built_from`` keeps the settings each
    :meth:`from_settings` call got (None for a direct build)."""

    embedder: Any = None
    built_from: list[Any]

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        cls.built_from.append(None)
        return cls.embedder

    @classmethod
    def from_settings(cls, settings: Any) -> Any:
        cls.built_from.append(settings)
        return cls.embedder


def share_embedder(mp: pytest.MonkeyPatch, embedder: Any) -> type[SharedEmbedderClass]:
    """Make every ``SentenceTransformerEmbedder(...)`` and ``.from_settings(...)`` hopgraph runs
    (imported from :mod:`hopgraph.embed` when it runs) return ``embedder``; returns the stand-in."""
    stand_in = type("SharedEmbedder", (SharedEmbedderClass,), {"embedder": embedder, "built_from": []})
    mp.setattr(embed, "SentenceTransformerEmbedder", stand_in)
    return stand_in
