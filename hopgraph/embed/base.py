"""The Embedder seam: texts in, unit-length vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors (rows of a float32 matrix)."""

    model_name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...

    @property
    def tokenizer(self) -> Any:
        """The model's Hugging Face tokenizer (chunking counts tokens with it)."""
        ...


def embed_groups(embedder: Embedder, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """``[embedder.embed(g) for g in groups]``, in one call when the embedder has ``embed_groups``
    (the fast BERT encoder runs them in one pass over its weights); an empty group gets ``[0, d]``."""
    grouped = getattr(embedder, "embed_groups", None)
    if grouped is not None:
        return list(grouped(groups))
    return [embedder.embed(g) if g else np.zeros((0, embedder.dimension), dtype=np.float32) for g in groups]
