"""LLM seam: protocol, OpenAI-compatible client, local transformers backend, response cache."""
