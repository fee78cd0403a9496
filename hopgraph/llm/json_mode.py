"""Asking for JSON by prompt, for backends (or servers) without schema-constrained decoding."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from hopgraph.llm.base import Message

_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def json_instruction(schema: dict[str, Any]) -> str:
    return (
        "Reply with a single JSON value and nothing else (no prose, no code fences). "
        "It must match this JSON Schema:\n" + json.dumps(schema, separators=(",", ":"))
    )


def with_json_instruction(messages: Sequence[Message], schema: dict[str, Any]) -> list[Message]:
    """``messages`` with the JSON instruction appended to the system message (added if absent)."""
    out = list(messages)
    instruction = json_instruction(schema)
    for i, message in enumerate(out):
        if message.role == "system":
            out[i] = Message("system", f"{message.content}\n\n{instruction}")
            return out
    return [Message("system", instruction), *out]


def schema_name(schema: dict[str, Any]) -> str:
    """A ``response_format`` name (``^[A-Za-z0-9_-]{1,64}$``) from the schema's title."""
    name = _NAME_CHARS.sub("_", str(schema.get("title") or "output")).strip("_")
    return (name or "output")[:64]
