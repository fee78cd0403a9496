"""llm components."""
