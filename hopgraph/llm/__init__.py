"""LLM seam: protocol, OpenAI-compatible client, local transformers backend, response cache.

Importing this package imports neither ``openai`` nor ``transformers``; each backend loads
its library on first use.
"""

from hopgraph.llm.base import LLM, Completion, Message, Usage
from hopgraph.llm.cache import CachedLLM
from hopgraph.llm.factory import make_llm, split_spec
from hopgraph.llm.openai_llm import OpenAICompatibleLLM
from hopgraph.llm.transformers_llm import TransformersLLM

__all__ = [
    "LLM",
    "CachedLLM",
    "Completion",
    "Message",
    "OpenAICompatibleLLM",
    "TransformersLLM",
    "Usage",
    "make_llm",
    "split_spec",
]
