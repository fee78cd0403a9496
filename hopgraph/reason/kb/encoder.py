"""Question text to token ids, and the small trainable question encoder (embedding + BiGRU).

The topic entity's mention is replaced by the token ``<e>`` before tokenising, so the encoder
learns the question's relational wording, not entity names. Tokens are lower-cased word pieces
(``\\w+`` runs); a token unseen in training maps to ``<unk>``, which training exposes the model to
by word dropout.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

PAD, UNK, ENTITY = "<pad>", "<unk>", "<e>"
_TOKEN = re.compile(r"<e>|\w+")
_BRACKETS = re.compile(r"\[[^\]]*\]")


def mask_topic(question: str, mention: str = "") -> str:
    """The question with its topic mention replaced by ``<e>``.

    ``[...]`` brackets (MetaQA's topic marker) are replaced; otherwise the first case-insensitive
    occurrence of ``mention`` is. A question with neither is returned unchanged.
    """
    if _BRACKETS.search(question):
        return _BRACKETS.sub(f" {ENTITY} ", question, count=1)
    if mention:
        found = re.search(re.escape(mention), question, flags=re.IGNORECASE)
        if found:
            return question[: found.start()] + f" {ENTITY} " + question[found.end() :]
    return question


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; ``<e>`` survives as one token."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocab:
    """Token strings by id: 0 is ``<pad>``, 1 is ``<unk>``, 2 is ``<e>``."""

    tokens: tuple[str, ...]

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> Vocab:
        counts = Counter(tok for text in texts for tok in tokenize(text))
        words = sorted(t for t, n in counts.items() if n >= min_count and t not in (PAD, UNK, ENTITY))
        return cls((PAD, UNK, ENTITY, *words))

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        index = self._index
        return [index.get(tok, 1) for tok in tokenize(text)] or [1]

    @property
    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = {tok: i for i, tok in enumerate(self.tokens)}
            object.__setattr__(self, "_cache", cached)
        return cached

    def batch(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(ids [B, L], lengths [B])`` padded with 0."""
        encoded = [self.encode(t) for t in texts]
        lengths = torch.tensor([len(e) for e in encoded], dtype=torch.long)
        ids = torch.zeros(len(encoded), int(lengths.max()) if encoded else 1, dtype=torch.long)
        for i, e in enumerate(encoded):
            ids[i, : len(e)] = torch.tensor(e, dtype=torch.long)
        return ids, lengths


class QuestionEncoder(nn.Module):
    """Token ids -> per-token states ``[B, L, 2H]``, a question vector ``[B, 2H]`` and the pad mask."""

    def __init__(self, vocab_size: int, dim: int = 128, hidden: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.gru = nn.GRU(dim, hidden, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.out_dim = 2 * hidden

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.drop(self.embed(ids))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, last = self.gru(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        question = torch.cat([last[0], last[1]], dim=-1)
        mask = ids != 0
        return self.drop(states), question, mask
