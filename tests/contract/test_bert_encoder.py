"""Contract: hopgraph's BERT encoder gives sentence-transformers' vectors for the bundled model.

The fast path (:class:`hopgraph.embed.bert.BertEncoder`) must be interchangeable with
sentence-transformers: a graph embedded by one is searched with vectors from the other.
"""

from __future__ import annotations

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.embed.bert import BertEncoder, unsupported_reason
from hopgraph.embed.sentence_transformers import resolve_model_path

pytest.importorskip("sentence_transformers")

TEXTS = [
    "Where was the teacher of Wolfgang Pauli born?",
    "",
    " ",
    "\n\t",
    "?",
    "  leading and trailing whitespace  ",
    "Königsberg – Ünïcödé naïve café, 東京大学, Ελληνικά, русский, عربي, emoji 🤖🧪",
    "Arnold Sommerfeld was born in Königsberg and taught at Munich. " * 40,  # far past 256 tokens
    "word " * 600,
    "x" * 3000,  # one long word: many word pieces
    "Short.",
    '1900-04-25 | 3.14159 | $1,000 | e=mc^2 | <html> & "quotes"',
]


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder(fast=False)
    assert embedder.backend == "sentence-transformers"
    return embedder


@pytest.fixture(scope="module")
def fast() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    assert embedder.backend == "bert", unsupported_reason(resolve_model_path(embedder.model_name))
    return embedder


def _close(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype == np.float32
    assert float(np.abs(a - b).max()) <= 1e-5
    assert float((a * b).sum(axis=1).min()) >= 0.99999


@pytest.mark.parametrize("batch_size", [1, 5, 64])
def test_vectors_equal_sentence_transformers(
    reference: SentenceTransformerEmbedder, fast: SentenceTransformerEmbedder, batch_size: int
) -> None:
    """Varied texts, one at a time and in batches of mixed lengths (padding must not leak)."""
    expected = reference.embed(TEXTS)
    encoder = fast._encoder
    assert isinstance(encoder, BertEncoder)
    _close(np.asarray(encoder.encode(TEXTS, batch_size=batch_size)), expected)


def test_bf16_vectors_stay_close_to_sentence_transformers(
    reference: SentenceTransformerEmbedder, fast: SentenceTransformerEmbedder
) -> None:
    """The question-time bfloat16 pass (``query_precision``) on the same varied texts: a cosine
    of at least 0.9999 to sentence-transformers' float32 vectors, so it searches their index."""
    expected = reference.embed(TEXTS)
    encoder = fast._encoder
    assert isinstance(encoder, BertEncoder)
    for batch_size in (1, 64):
        got = np.asarray(encoder.encode(TEXTS, batch_size=batch_size, bf16=True))
        assert got.shape == expected.shape and got.dtype == np.float32
        assert float((got * expected).sum(axis=1).min()) >= 0.9999


def test_embedder_surface_matches(
    reference: SentenceTransformerEmbedder, fast: SentenceTransformerEmbedder
) -> None:
    assert fast.dimension == reference.dimension == 384
    assert fast.max_tokens == reference.max_tokens == 256
    _close(fast.embed(TEXTS[:3]), reference.embed(TEXTS[:3]))
    assert fast.embed([]).shape == (0, 384)


def test_token_ids_equal_sentence_transformers(
    reference: SentenceTransformerEmbedder, fast: SentenceTransformerEmbedder
) -> None:
    """Same word pieces, the same truncation to max_seq_length (256 with [CLS] and [SEP])."""
    model = reference._load()
    tokenize = getattr(model, "preprocess", None) or model.tokenize
    batch = tokenize(TEXTS)
    ours = fast._encoder.tokenizer.encode_batch(TEXTS)
    for i, encoding in enumerate(ours):
        expected = batch["input_ids"][i][batch["attention_mask"][i].bool()].tolist()
        assert [t for t, m in zip(encoding.ids, encoding.attention_mask, strict=True) if m] == expected
    assert max(len(e.ids) for e in ours) == 256


def test_token_counts_equal_sentence_transformers_without_importing_transformers() -> None:
    """Chunks are cut by ``count_tokens``: read from ``tokenizer.json`` alone (no transformers
    import, seconds at ingest) it must count what transformers' tokenizer counts, untruncated."""
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from hopgraph.embed import SentenceTransformerEmbedder\n"
        "e = SentenceTransformerEmbedder()\n"
        "counts = [e.count_tokens(t) for t in json.loads(sys.stdin.read())]\n"
        "print(json.dumps({'counts': counts, 'transformers': 'transformers' in sys.modules}))\n"
    )
    import json

    run = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(TEXTS), capture_output=True, text=True, check=True
    )
    got = json.loads(run.stdout)
    assert got["transformers"] is False
    model = SentenceTransformerEmbedder(fast=False)._load()
    expected = [len(model.tokenizer.encode(t, add_special_tokens=False)) for t in TEXTS]
    assert got["counts"] == expected
    assert max(expected) > 256  # untruncated
