"""The transformers backend end to end on a tiny GPT-2 built in the test (random weights, no download).

Random weights write random bytes, so the JSON path is exercised by forcing the tokens of a
scripted reply through a logits processor: loading, chat template, greedy generate, decoding,
usage counting and lenient JSON parsing are all real.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from helpers.tiny_lm import build_tiny_causal_lm  # noqa: E402
from transformers import LogitsProcessor, LogitsProcessorList  # noqa: E402

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.extract.extractors.llm import LLMExtractor  # noqa: E402
from hopgraph.llm import Message, TransformersLLM, make_llm  # noqa: E402
from hopgraph.types import Chunk  # noqa: E402

SCRIPTED = 'Here it is: {"triples": [["Marie Curie", "born in", "Warsaw"],]} done'


class ForceReply(LogitsProcessor):
    """Makes greedy decoding write ``ids`` after the prompt, then end of text."""

    def __init__(self, ids: list[int], eos: int) -> None:
        self.ids, self.eos = ids, eos
        self.start = self.last = -1

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        length = input_ids.shape[1]
        if length != self.last + 1:  # a new generate call: the prompt ends here
            self.start = length
        self.last = length
        step = length - self.start
        forced = self.ids[step] if step < len(self.ids) else self.eos
        out = torch.full_like(scores, float("-inf"))
        out[:, forced] = 0.0
        return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny-lm"))


@pytest.fixture(scope="module")
def plain_llm(tiny_model: Path) -> TransformersLLM:
    return TransformersLLM(str(tiny_model), max_new_tokens=12)


@pytest.fixture(scope="module")
def forced(tiny_model: Path) -> TransformersLLM:
    return forced_llm(tiny_model, SCRIPTED)


def forced_llm(folder: Path, reply: str) -> TransformersLLM:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids = tokenizer(reply)["input_ids"]
    processor = ForceReply(ids, tokenizer.eos_token_id)
    return TransformersLLM(
        str(folder),
        max_new_tokens=len(ids) + 5,
        generate_kwargs={"logits_processor": LogitsProcessorList([processor])},
    )


def test_plain_generation_returns_text_and_counts_tokens(plain_llm: TransformersLLM) -> None:
    completion = plain_llm.complete(
        [Message("system", "Be brief."), Message("user", "Where was Marie Curie born?")]
    )
    assert completion.text  # random weights: some text, greedy so repeatable
    assert completion.usage.completion_tokens == 12  # never hits end of text within 12 tokens
    tokenizer = plain_llm._load()[0]
    chat = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Where was Marie Curie born?"},
    ]
    rendered = tokenizer.apply_chat_template(
        chat, add_generation_prompt=True, tokenize=True, return_dict=True
    )
    rendered = rendered["input_ids"]
    assert completion.usage.prompt_tokens == len(rendered)
    again = plain_llm.complete(
        [Message("system", "Be brief."), Message("user", "Where was Marie Curie born?")]
    )
    assert again.text == completion.text


def test_schema_request_appends_the_schema_and_returns_canonical_json(
    tiny_model: Path, forced: TransformersLLM
) -> None:
    llm = forced
    schema = {"title": "t", "type": "object", "properties": {"triples": {"type": "array"}}}
    plain = TransformersLLM(str(tiny_model), max_new_tokens=1).complete([Message("user", "hi")])
    completion = llm.complete([Message("user", "hi")], schema=schema)
    assert json.loads(completion.text) == {"triples": [["Marie Curie", "born in", "Warsaw"]]}
    assert completion.usage.prompt_tokens > plain.usage.prompt_tokens + 20  # the JSON instruction + schema
    assert completion.usage.completion_tokens > 10


def test_llm_extractor_on_the_local_model(forced: TransformersLLM) -> None:
    llm = forced
    chunk = Chunk("doc", 0, "Marie Curie was born in Warsaw in 1867.")
    result = LLMExtractor(llm).extract(chunk)
    assert result.ok, result.error
    assert [(t.subject, t.predicate, t.object, t.chunk_id) for t in result.triples] == [
        ("Marie Curie", "born in", "Warsaw", chunk.id)
    ]
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert asyncio.run(LLMExtractor(llm).aextract(chunk)).triples == result.triples


def test_spec_and_missing_model_errors(tmp_path: Path) -> None:
    llm = make_llm(f"transformers:{tmp_path / 'nothing-here'}")
    assert isinstance(llm, TransformersLLM)
    with pytest.raises(ConfigError, match="cannot load local model"):
        llm.complete([Message("user", "hi")])
