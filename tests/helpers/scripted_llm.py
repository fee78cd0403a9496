"""An in-memory LLM for unit tests of plumbing: replies come from a script, requests are kept.

    llm = ScriptedLLM('{"answer": "Chicago"}', RuntimeError("boom"))

A reply is returned as its text (a string as is, anything else as JSON), or raised when it is
an exception; each request's messages and schema are recorded in ``requests``. The completion
names ``served_model`` as the model that answered, as a server reports a versioned name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hopgraph.llm import Completion, Message, Usage


class ScriptedLLM:
    model = "scripted"
    served_model = "scripted-1"

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[list[Message], dict[str, Any] | None]] = []

    def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        self.requests.append((list(messages), schema))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        text = reply if isinstance(reply, str) else json.dumps(reply)
        return Completion(text, self.served_model, Usage(10, 2))

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> Completion:
        return self.complete(messages, schema=schema, max_tokens=max_tokens)
