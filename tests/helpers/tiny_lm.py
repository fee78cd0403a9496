"""A tiny causal LM (2-layer GPT-2, byte-level BPE tokenizer) built locally, no download.

Random weights: it exercises loading, chat templates, generation and decoding, not quality.
"""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
CORPUS = [
    '{"triples": [{"subject": "Marie Curie", "predicate": "born in", "object": "Warsaw"}]}',
    "Marie Curie was born in Warsaw. Reply with a single JSON value and nothing else.",
    "system user assistant The quick brown fox jumps over the lazy dog 0123456789",
]


def _corpus() -> list[str]:
    """The fixed corpus plus hopgraph's prompt files, so prompts tokenise into few tokens (fast tests)."""
    from importlib import resources

    prompts = resources.files("hopgraph.extract.extractors.prompts")
    texts = [f.read_text(encoding="utf-8") for f in prompts.iterdir() if f.name.endswith((".txt", ".json"))]
    return CORPUS + texts


def build_tiny_causal_lm(folder: Path, *, vocab_size: int = 2000) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>", bos_token="<|endoftext|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    config = GPT2Config(
        vocab_size=len(fast), n_positions=2048, n_embd=32, n_layer=2, n_head=2,
        bos_token_id=fast.eos_token_id, eos_token_id=fast.eos_token_id,
    )  # fmt: skip
    import torch

    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    folder.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder
