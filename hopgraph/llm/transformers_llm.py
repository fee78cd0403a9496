"""Local chat model through Hugging Face ``transformers``: chat template, greedy decoding.

JSON output is asked for by prompt (the schema is appended to the system message); the
reply is parsed leniently and, when it parses, returned as canonical JSON text so callers
get the same shape as from a server with schema-constrained decoding. The model is loaded
on first use; generation is serialised by a lock (one model, one forward pass at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Sequence
from typing import Any

from hopgraph.errors import ConfigError, LLMError, LLMOutputError
from hopgraph.llm.base import Completion, Message, Usage
from hopgraph.llm.json_mode import with_json_instruction
from hopgraph.llm.json_repair import parse_json_lenient


class TransformersLLM:
    """A causal LM from a hub name or a local folder. ``generate_kwargs`` go to ``model.generate``."""

    def __init__(
        self,
        model_name_or_path: str,
        *,
        device: str = "cpu",
        max_new_tokens: int = 512,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if not model_name_or_path:
            raise ConfigError(
                "the transformers backend needs a model name or path, "
                "e.g. transformers:Qwen/Qwen2.5-0.5B-Instruct"
            )
        self.model = model_name_or_path
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.generate_kwargs = dict(generate_kwargs or {})
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None

    def __repr__(self) -> str:
        return f"TransformersLLM(model={self.model!r}, device={self.device!r})"

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer
            except ImportError:
                raise ConfigError(
                    "the transformers backend needs transformers: pip install 'hopgraph[local]'"
                ) from None
            try:
                tokenizer: Any = AutoTokenizer.from_pretrained(self.model)
                model: Any = AutoModelForCausalLM.from_pretrained(self.model)
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"cannot load local model {self.model!r}: {exc}. Name a local folder, or a hub model "
                    "while the hub is reachable (HF_HUB_OFFLINE unset)"
                ) from None
            model.to(self.device)
            model.eval()
            self._tokenizer, self._model = tokenizer, model
        return self._tokenizer, self._model

    def _encode(self, tokenizer: Any, messages: Sequence[Message]) -> Any:
        chat = [{"role": m.role, "content": m.content} for m in messages]
        if getattr(tokenizer, "chat_template", None):
            ids = tokenizer.apply_chat_template(
                chat, add_generation_prompt=True, tokenize=True, return_dict=True
            )
            ids = ids["input_ids"]
        else:  # a base model without a template: a plain transcript
            prompt = "".join(f"{m['role']}: {m['content']}\n" for m in chat) + "assistant:"
            ids = tokenizer(prompt)["input_ids"]
        return ids

    def _generate(
        self, messages: Sequence[Message], temperature: float, max_tokens: int | None
    ) -> tuple[str, Usage]:
        import torch

        with self._lock:
            tokenizer, model = self._load()
            ids = self._encode(tokenizer, messages)
            input_ids = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
            kwargs: dict[str, Any] = {
                "max_new_tokens": max_tokens or self.max_new_tokens,
                "do_sample": temperature > 0,
                "attention_mask": torch.ones_like(input_ids),
                "pad_token_id": tokenizer.pad_token_id
                if tokenizer.pad_token_id is not None
                else tokenizer.eos_token_id,
            }
            if temperature > 0:
                kwargs["temperature"] = temperature
            kwargs.update(self.generate_kwargs)
            try:
                with torch.inference_mode():
                    output = model.generate(input_ids, **kwargs)
            except (RuntimeError, ValueError) as exc:
                raise LLMError(f"local model {self.model!r} failed to generate: {exc}") from exc
            new = output[0, input_ids.shape[1] :]
            text = tokenizer.decode(new, skip_special_tokens=True)
        return text.strip(), Usage(int(input_ids.shape[1]), int(new.shape[0]))

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        if schema is not None:
            messages = with_json_instruction(messages, schema)
        text, usage = self._generate(messages, temperature, max_tokens)
        if schema is not None:
            # unparsable: the caller sees the raw text and decides (the extractor retries once)
            with contextlib.suppress(LLMOutputError):
                text = json.dumps(parse_json_lenient(text), ensure_ascii=False)
        return Completion(text=text, model=self.model, usage=usage)

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        return await asyncio.to_thread(
            self.complete, messages, schema=schema, temperature=temperature, max_tokens=max_tokens
        )
