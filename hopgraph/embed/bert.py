"""A BERT sentence encoder in plain torch: the configured model's vectors without importing
sentence-transformers or transformers (their imports cost about 6 s of a cold ``hopgraph ask``).

Why this and not a cached TorchScript / ``torch.export`` artifact of the real module: both give
the same vectors, but an artifact must first be written by a process that loads the full
sentence-transformers model (at ingest or on first use), needs a cache keyed by model files and
torch version, and goes stale or missing on another machine, a read-only graph or a new torch;
``torch.export.load`` also imports torch's export and dynamo machinery, a large part of the cost
this module avoids. A BERT encoder is about sixty lines of standard operations (embeddings, six
self-attention blocks, mean pooling) reading the model's own ``model.safetensors`` and
``tokenizer.json``: nothing to cache, nothing to invalidate, nothing heavier than ``torch``,
``tokenizers`` and ``safetensors`` to import. It serves only what it can reproduce exactly, read
from the model's sentence-transformers files (:func:`unsupported_reason`): a local folder whose
modules are Transformer (a ``bert`` model, absolute positions, exact GELU) + mean or CLS Pooling
(+ Normalize). Anything else (other architectures, Dense layers, prompts, lower-casing by
sentence-transformers, a hub name) is left to sentence-transformers.
``tests/contract/test_bert_encoder.py`` checks its vectors equal sentence-transformers' for the
bundled all-MiniLM-L6-v2 on varied texts (long, unicode, near-empty, mixed-length batches).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

BATCH_SIZE = 64
"""Texts per batch of :meth:`BertEncoder.encode` (by default) and per group that
:meth:`BertEncoder.encode_groups` runs in its shared pass."""
SHARED_ROWS = 4
"""Fewest token rows (texts x padded length) a batch needs to share :meth:`BertEncoder.encode_groups`'s
pass with other batches and keep :meth:`BertEncoder.encode`'s exact vectors (MKL's sgemm computes
1-3 rows another way than the rows of a larger product)."""
TRANSFORMER = "Transformer"
POOLING = "Pooling"
NORMALIZE = "Normalize"
_POOLING_MODES = ("pooling_mode_cls_token", "pooling_mode_mean_tokens")
_POOLING_OFF = (
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _module_kind(entry: dict[str, Any]) -> str:
    """``sentence_transformers.models.Pooling`` (or the newer module paths) -> ``Pooling``."""
    return str(entry.get("type", "")).rsplit(".", 1)[-1]


def unsupported_reason(folder: str | Path) -> str | None:
    """Why :class:`BertEncoder` cannot reproduce the sentence-transformers model in ``folder``
    (None when it can). Reads only small JSON files."""
    root = Path(folder)
    if not root.is_dir():
        return f"{folder} is not a local model folder"
    for name in ("modules.json", "config.json", "model.safetensors", "tokenizer.json"):
        if not (root / name).is_file():
            return f"no {name}"
    try:
        modules = _read_json(root / "modules.json")
        kinds = [_module_kind(m) for m in modules]
        if kinds not in ([TRANSFORMER, POOLING], [TRANSFORMER, POOLING, NORMALIZE]):
            return f"modules {kinds} (supported: Transformer, Pooling[, Normalize])"
        if modules[0].get("path", "") not in ("", "."):
            return "the Transformer module is not at the folder's root"
        config = _read_json(root / "config.json")
        if config.get("model_type") != "bert":
            return f"model_type {config.get('model_type')!r} (supported: bert)"
        if config.get("position_embedding_type", "absolute") != "absolute":
            return f"position_embedding_type {config.get('position_embedding_type')!r}"
        if config.get("hidden_act", "gelu") != "gelu":
            return f"hidden_act {config.get('hidden_act')!r} (supported: gelu)"
        st_config = root / "sentence_bert_config.json"
        settings = _read_json(st_config) if st_config.is_file() else {}
        if settings.get("do_lower_case"):
            return "sentence-transformers lower-cases the input"
        extra = sorted(set(settings) - {"max_seq_length", "do_lower_case"})
        if extra:
            return f"sentence_bert_config.json options {extra}"
        prompts = root / "config_sentence_transformers.json"
        if prompts.is_file() and (_read_json(prompts).get("prompts") or {}):
            return "the model defines prompts"
        pooling = _read_json(root / modules[1]["path"] / "config.json")
        if any(pooling.get(key) for key in _POOLING_OFF) or pooling.get("include_prompt") is False:
            return "pooling other than mean or CLS"
        if sum(bool(pooling.get(key)) for key in _POOLING_MODES) != 1:
            return "pooling other than exactly one of mean or CLS"
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"unreadable sentence-transformers configuration ({exc})"
    return None


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX): there
    :meth:`BertEncoder.encode`'s ``bf16`` halves the time of the linear layers; elsewhere it is
    emulated and slower than float32. Imports torch."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(bool(getattr(torch.cpu, name)()) for name in probes if hasattr(torch.cpu, name))
    except RuntimeError:
        return False


def _required_weights(layers: int) -> list[str]:
    names = [f"embeddings.{n}_embeddings.weight" for n in ("word", "position", "token_type")]
    names += ["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
    for i in range(layers):
        for part in (
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
            "attention.output.LayerNorm",
            "intermediate.dense",
            "output.dense",
            "output.LayerNorm",
        ):
            names += [f"encoder.layer.{i}.{part}.weight", f"encoder.layer.{i}.{part}.bias"]
    return names


class BertEncoder:
    """Sentence vectors of a BERT sentence-transformers model folder, unit length, float32.

    Build it with :meth:`load` (after :func:`unsupported_reason` said None). Texts are tokenized
    by the model's ``tokenizer.json`` (truncated to ``max_seq_length``, as sentence-transformers
    does), encoded in batches of similar length, pooled and normalised.
    """

    def __init__(
        self,
        weights: dict[str, Any],
        tokenizer: Any,
        config: dict[str, Any],
        *,
        max_seq_length: int,
        pooling: str,
        device: str = "cpu",
    ) -> None:
        self.weights, self.tokenizer, self.config = weights, tokenizer, config
        self.max_seq_length, self.pooling, self.device = max_seq_length, pooling, device
        self.dimension = int(config["hidden_size"])
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self._bf16: dict[str, Any] | None = None

    @classmethod
    def load(cls, folder: str | Path, *, device: str = "cpu") -> BertEncoder:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        root = Path(folder)
        config = _read_json(root / "config.json")
        st_config = root / "sentence_bert_config.json"
        settings = _read_json(st_config) if st_config.is_file() else {}
        modules = _read_json(root / "modules.json")
        pooling = _read_json(root / modules[1]["path"] / "config.json")
        # sentence-transformers: its max_seq_length, else the tokenizer's, capped by the positions
        limits = [int(config.get("max_position_embeddings", 512))]
        tok_config = root / "tokenizer_config.json"
        model_max = _read_json(tok_config).get("model_max_length") if tok_config.is_file() else None
        if settings.get("max_seq_length") is not None:
            limits.append(int(settings["max_seq_length"]))
        elif isinstance(model_max, int):
            limits.append(model_max)
        max_seq_length = min(limits)
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_seq_length)
        pad_id = int(config.get("pad_token_id", 0) or 0)
        pad_token = tokenizer.id_to_token(pad_id) or "[PAD]"
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
        weights = {
            name.removeprefix("bert."): tensor.to(device=device, dtype=torch.float32)
            for name, tensor in load_file(str(root / "model.safetensors")).items()
            if tensor.is_floating_point()
        }
        missing = [
            name for name in _required_weights(int(config["num_hidden_layers"])) if name not in weights
        ]
        if missing:
            raise ValueError(f"model.safetensors lacks {len(missing)} BERT weight(s), e.g. {missing[0]}")
        mode = "cls" if pooling.get("pooling_mode_cls_token") else "mean"
        return cls(weights, tokenizer, config, max_seq_length=max_seq_length, pooling=mode, device=device)

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE, *, bf16: bool = False) -> np.ndarray:
        """Unit-length vectors of ``texts``: one float32 row each, in order. ``bf16``: the linear
        layers multiply in bfloat16 (:meth:`_forward`)."""
        import torch

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        # batches of similar lengths pad less (sentence-transformers sorts the same way)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
                ids = torch.tensor([e.ids for e in encodings], dtype=torch.long, device=self.device)
                mask = torch.tensor([e.attention_mask for e in encodings], device=self.device)
                vectors = self._forward([(ids, mask)], bf16=bf16)[0]
                out[rows] = vectors.cpu().numpy()
        return out

    def encode_groups(self, groups: Sequence[Sequence[str]], *, bf16: bool = False) -> list[np.ndarray]:
        """``[encode(g) for g in groups]`` in one pass over the weights: each group is tokenized,
        padded and attended to as :meth:`encode` does it (one batch of at most :data:`BATCH_SIZE`
        texts, longest first), while every linear layer runs once over all groups' tokens. A
        short input costs a pass mostly for reading the weights (a one-word text about half a
        question's time), so a question and its mentions together cost little more than the
        question. The vectors equal :meth:`encode`'s bit for bit: a matrix product gives a row the
        same bits inside a larger product once the smaller one has :data:`SHARED_ROWS` rows (MKL
        takes another path below that), so a group of fewer tokens (one one-word text: [CLS] word
        [SEP]), like a group of more than :data:`BATCH_SIZE` texts, is encoded alone
        (``tests/unit/embed/test_bert.py``). ``bf16`` as in :meth:`encode`."""
        import torch

        out = [np.zeros((len(g), self.dimension), dtype=np.float32) for g in groups]
        inputs: list[tuple[Any, Any]] = []
        placed: list[tuple[int, list[int]]] = []
        with torch.inference_mode():
            for number, texts in enumerate(groups):
                if not texts:
                    continue
                if len(texts) > BATCH_SIZE:
                    out[number] = self.encode(texts, bf16=bf16)
                    continue
                rows = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
                encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
                if len(encodings) * len(encodings[0].ids) < SHARED_ROWS:
                    out[number] = self.encode(texts, bf16=bf16)
                    continue
                ids = torch.tensor([e.ids for e in encodings], dtype=torch.long, device=self.device)
                mask = torch.tensor([e.attention_mask for e in encodings], device=self.device)
                inputs.append((ids, mask))
                placed.append((number, rows))
            if inputs:
                for (number, rows), vectors in zip(placed, self._forward(inputs, bf16=bf16), strict=True):
                    out[number][rows] = vectors.cpu().numpy()
        return out

    def _linear_bf16(self) -> dict[str, Any]:
        """bfloat16 copies of the linear layers' weights and biases, made on first use."""
        if self._bf16 is None:
            import torch

            self._bf16 = {
                name: tensor.to(torch.bfloat16)
                for name, tensor in self.weights.items()
                if name.startswith("encoder.layer.") and "LayerNorm" not in name
            }
        return self._bf16

    def _forward(self, batches: Sequence[tuple[Any, Any]], *, bf16: bool = False) -> list[Any]:
        """Pooled unit vectors of each ``(ids, mask)`` batch: the attention runs per batch, the
        linear layers over all batches' tokens at once (one read of each weight matrix).

        ``bf16``: the linear layers (five sixths of the time) multiply in bfloat16 and return
        float32; embeddings, attention, layer norms and pooling stay float32. Where the CPU has
        bfloat16 instructions (AVX512-BF16, AMX) that halves their time; the vectors keep a
        cosine above 0.9999 to the float32 ones (``tests/contract/test_bert_encoder.py``)."""
        import torch
        import torch.nn.functional as F

        w, eps = self.weights, self.eps
        lw = self._linear_bf16() if bf16 else w
        size = (self.dimension,)
        head_dim = self.dimension // self.heads

        def norm(x: Any, name: str) -> Any:
            return F.layer_norm(x, size, w[name + ".LayerNorm.weight"], w[name + ".LayerNorm.bias"], eps)

        shapes = [tuple(ids.shape) for ids, _ in batches]
        sizes = [b * n for b, n in shapes]
        keeps = [mask.bool()[:, None, None, :] for _, mask in batches]  # padded keys take no attention
        parts = []
        for ids, _ in batches:
            positions = torch.arange(ids.shape[1], device=ids.device)
            embedded = (
                w["embeddings.word_embeddings.weight"][ids]
                + w["embeddings.position_embeddings.weight"][positions][None]
                + w["embeddings.token_type_embeddings.weight"][0]
            )
            parts.append(embedded.reshape(-1, self.dimension))
        h = norm(parts[0] if len(parts) == 1 else torch.cat(parts), "embeddings")  # [tokens, dim]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(x: Any, name: str, p: str = p) -> Any:
                weight, bias = lw[p + name + ".weight"], lw[p + name + ".bias"]
                if bf16:
                    return F.linear(x.to(torch.bfloat16), weight, bias).float()
                return F.linear(x, weight, bias)

            q, k, v = (linear(h, f"attention.self.{n}") for n in ("query", "key", "value"))
            contexts = []
            for (batch, length), keep, qs, ks, vs in zip(
                shapes, keeps, q.split(sizes), k.split(sizes), v.split(sizes), strict=True
            ):

                def heads(x: Any, batch: int = batch, length: int = length) -> Any:
                    return x.view(batch, length, self.heads, head_dim).transpose(1, 2)

                context = F.scaled_dot_product_attention(
                    heads(qs), heads(ks), heads(vs), attn_mask=keep, scale=1 / math.sqrt(head_dim)
                )
                contexts.append(context.transpose(1, 2).reshape(batch * length, self.dimension))
            context = contexts[0] if len(contexts) == 1 else torch.cat(contexts)
            h = norm(linear(context, "attention.output.dense") + h, p + "attention.output")
            hidden = F.gelu(linear(h, "intermediate.dense"))
            h = norm(linear(hidden, "output.dense") + h, p + "output")
        pooled = []
        for (batch, length), (_, mask), hs in zip(shapes, batches, h.split(sizes), strict=True):
            hs = hs.view(batch, length, self.dimension)
            if self.pooling == "cls":
                pooled.append(F.normalize(hs[:, 0], p=2.0, dim=1))
            else:
                weights = mask.unsqueeze(-1).to(hs.dtype)
                mean = (hs * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled.append(F.normalize(mean, p=2.0, dim=1))
        return pooled


__all__ = ["BertEncoder", "native_bf16", "unsupported_reason"]
