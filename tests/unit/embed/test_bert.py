"""Which models the BERT encoder serves, and the fallback to sentence-transformers for the rest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.embed.bert import BertEncoder, unsupported_reason
from hopgraph.embed.sentence_transformers import resolve_model_path
from hopgraph.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]
POOLING = {
    "word_embedding_dimension": 384,
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
}


def _folder(tmp_path: Path, **changes: Any) -> Path:
    """A model folder's configuration files (weights and tokenizer are empty placeholders)."""
    root = tmp_path / "model"
    (root / "1_Pooling").mkdir(parents=True)
    files: dict[str, Any] = {
        "modules.json": MODULES,
        "config.json": {"model_type": "bert", "hidden_act": "gelu", "hidden_size": 384},
        "sentence_bert_config.json": {"max_seq_length": 256, "do_lower_case": False},
        "1_Pooling/config.json": POOLING,
    }
    files.update({name.replace("__", "/"): value for name, value in changes.items()})
    for name, value in files.items():
        if value is not None:
            (root / name).write_text(json.dumps(value))
    for name in ("model.safetensors", "tokenizer.json"):
        (root / name).write_text("")
    return root


def test_the_bundled_model_is_served() -> None:
    assert unsupported_reason(resolve_model_path("all-MiniLM-L6-v2")) is None


def test_a_bert_mean_pooling_folder_is_served(tmp_path: Path) -> None:
    assert unsupported_reason(_folder(tmp_path)) is None
    without_normalize = _folder(tmp_path / "b", **{"modules.json": MODULES[:2]})
    assert unsupported_reason(without_normalize) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"config.json": {"model_type": "roberta"}}, "model_type 'roberta'"),
        ({"config.json": {"model_type": "bert", "hidden_act": "gelu_new"}}, "hidden_act"),
        (
            {"config.json": {"model_type": "bert", "position_embedding_type": "relative_key"}},
            "position_embedding_type",
        ),
        (
            {
                "modules.json": [
                    *MODULES[:2],
                    {"path": "2_Dense", "type": "sentence_transformers.models.Dense"},
                ]
            },
            "modules",
        ),
        ({"1_Pooling__config.json": {**POOLING, "pooling_mode_max_tokens": True}}, "pooling"),
        (
            {"1_Pooling__config.json": {**POOLING, "pooling_mode_cls_token": True}},
            "exactly one of mean or CLS",
        ),
        ({"sentence_bert_config.json": {"do_lower_case": True}}, "lower-cases"),
        ({"config_sentence_transformers.json": {"prompts": {"query": "query: "}}}, "prompts"),
        ({"config.json": None}, "no config.json"),
        ({"modules.json": {"not": "a list"}}, "unreadable sentence-transformers configuration"),
    ],
)
def test_unsupported_models_name_the_reason(tmp_path: Path, changes: dict[str, Any], reason: str) -> None:
    found = unsupported_reason(_folder(tmp_path, **changes))
    assert found is not None and reason in found


def test_a_hub_name_is_not_a_folder() -> None:
    found = unsupported_reason("sentence-transformers/all-mpnet-base-v2")
    assert found is not None and "not a local model folder" in found


@pytest.fixture(scope="module")
def bundled_vectors() -> np.ndarray:
    return SentenceTransformerEmbedder().embed(["Wolfgang Pauli was born in Vienna.", "Königsberg"])


def _copy_model(tmp_path: Path) -> Path:
    """The bundled model's folder with its large weights linked, not copied."""
    source = Path(resolve_model_path("all-MiniLM-L6-v2"))
    target = tmp_path / "minilm"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    return target


def test_a_model_the_encoder_cannot_serve_goes_through_sentence_transformers(
    tmp_path: Path, bundled_vectors: np.ndarray
) -> None:
    pytest.importorskip("sentence_transformers")
    folder = _copy_model(tmp_path)
    # sentence-transformers lower-cases before the (already lower-casing) tokenizer: same vectors
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 256, "do_lower_case": True})
    )
    embedder = SentenceTransformerEmbedder(str(folder))
    assert embedder.backend == "sentence-transformers"
    assert embedder._encoder is None
    vectors = embedder.embed(["Wolfgang Pauli was born in Vienna.", "Königsberg"])
    assert float(np.abs(vectors - bundled_vectors).max()) <= 1e-5


def test_an_encoder_that_fails_to_load_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_vectors: np.ndarray
) -> None:
    pytest.importorskip("sentence_transformers")

    def broken(*args: Any, **kwargs: Any) -> BertEncoder:
        raise ValueError("model.safetensors lacks 2 BERT weight(s)")

    monkeypatch.setattr(BertEncoder, "load", broken)
    embedder = SentenceTransformerEmbedder()
    assert embedder.backend == "sentence-transformers"
    vectors = embedder.embed(["Wolfgang Pauli was born in Vienna.", "Königsberg"])
    assert float(np.abs(vectors - bundled_vectors).max()) <= 1e-5


def test_missing_weights_are_a_load_error(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    import torch
    from safetensors.torch import save_file

    folder = _copy_model(tmp_path)
    (folder / "model.safetensors").unlink()
    save_file({"embeddings.word_embeddings.weight": torch.zeros(4, 384)}, str(folder / "model.safetensors"))
    with pytest.raises(ValueError, match="lacks"):
        BertEncoder.load(folder)


def test_the_fast_path_imports_neither_sentence_transformers_nor_transformers() -> None:
    """A fresh process embedding with the default model (what a cold ``hopgraph ask`` does)."""
    code = (
        "import sys\n"
        "from hopgraph.embed import SentenceTransformerEmbedder\n"
        "e = SentenceTransformerEmbedder()\n"
        "print(e.embed(['Where was Pauli born?']).shape, e.backend)\n"
        "heavy = ('sentence_transformers', 'transformers', 'huggingface_hub')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["(1, 384) bert", "[]"]


@pytest.fixture(scope="module")
def bundled() -> BertEncoder:
    """The bundled all-MiniLM-L6-v2 in hopgraph's encoder (skips when it is not installed)."""
    path = resolve_model_path("all-MiniLM-L6-v2")
    if unsupported_reason(path) is not None:
        pytest.skip("the bundled all-MiniLM-L6-v2 is not installed")
    return BertEncoder.load(path)


def test_encode_groups_gives_each_groups_encode_vectors(bundled: BertEncoder) -> None:
    """One pass over the weights for several batches: every group's vectors equal encode()'s of
    that group alone, bit for bit (a question with its mentions, a lone one-word text, long and
    padded groups, an empty group)."""
    encoder = bundled
    groups = [
        ["Who directed the film in which the composer of Blue Horizon starred?"],
        ["Blue Horizon", "the composer", "Paris"],
        ["Paris"],
        [],
        ["Arnold Sommerfeld was born in Königsberg and taught at Munich. " * 30, "x", "Ünïcödé café"],
    ]
    together = encoder.encode_groups(groups)
    assert len(together) == len(groups)
    for group, vectors in zip(groups, together, strict=True):
        alone = encoder.encode(group)
        assert vectors.shape == alone.shape == (len(group), 384) and vectors.dtype == np.float32
        np.testing.assert_array_equal(vectors, alone)
    embedder = SentenceTransformerEmbedder(query_precision="float32")
    from hopgraph.embed.base import embed_groups

    for got, alone in zip(embed_groups(embedder, groups), groups, strict=True):
        np.testing.assert_array_equal(got, embedder.embed(alone))


def test_bf16_groups_are_close_to_float32_and_to_bf16_encode(bundled: BertEncoder) -> None:
    """The question-time pass in bfloat16: each group's vectors stay within cosine 0.9999 of the
    float32 ones, and equal a bfloat16 encode() of the group alone (the shared pass changes
    nothing but the precision)."""
    encoder = bundled
    groups = [
        ["Who directed the film in which the composer of Blue Horizon starred?"],
        ["Blue Horizon", "the composer", "Paris"],
        ["Arnold Sommerfeld was born in Königsberg and taught at Munich. " * 30, "Ünïcödé café"],
    ]
    low = encoder.encode_groups(groups, bf16=True)
    for group, vectors in zip(groups, low, strict=True):
        exact = encoder.encode(group)
        assert vectors.dtype == np.float32 and vectors.shape == exact.shape
        assert not np.array_equal(vectors, exact)  # the bfloat16 pass did run
        assert float((vectors * exact).sum(axis=1).min()) >= 0.9999
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        np.testing.assert_array_equal(vectors, encoder.encode(group, bf16=True))


@pytest.mark.parametrize(
    ("precision", "native", "expected"),
    [("float32", True, False), ("bfloat16", False, True), ("auto", True, True), ("auto", False, False)],
)
def test_query_precision_decides_the_question_pass(
    monkeypatch: pytest.MonkeyPatch, precision: str, native: bool, expected: bool
) -> None:
    """``auto`` multiplies in bfloat16 only where the CPU has bfloat16 instructions."""
    if unsupported_reason(resolve_model_path("all-MiniLM-L6-v2")) is not None:
        pytest.skip("the bundled all-MiniLM-L6-v2 is not installed")
    import hopgraph.embed.bert as bert

    monkeypatch.setattr(bert, "native_bf16", lambda: native)
    assert SentenceTransformerEmbedder(query_precision=precision).query_bf16 is expected


def test_an_unknown_query_precision_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="query precision 'fp8' is not one of: auto, float32, bfloat16"):
        SentenceTransformerEmbedder(query_precision="fp8")


def test_the_embedder_follows_the_embed_settings() -> None:
    from hopgraph.config import load_settings

    settings = load_settings(environ={"HOPGRAPH_EMBED_QUERY_PRECISION": "float32"}).embed
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    assert (embedder.model_name, embedder.query_precision) == ("all-MiniLM-L6-v2", "float32")
    named_settings = load_settings(environ={"HOPGRAPH_EMBED_MODEL": "/m"}).embed
    named = SentenceTransformerEmbedder.from_settings(named_settings)
    assert (named.model_name, named.query_precision) == ("/m", "auto")
