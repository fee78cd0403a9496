"""OpenAI-compatible chat over the graph: ``GET /v1/models``, ``POST /v1/chat/completions``.

The last user message is the question (earlier turns are not used: each answer stands on the
graph alone). The reply's ``content`` is the answer, then its numbered reasoning paths and the
passages they cite, as Markdown; the structured answer (``hopgraph.answer/1``, the document
``POST /v1/ask`` returns) rides along in the extra top-level field ``hopgraph`` of the completion,
and of the last chunk of a stream. The model name picks the retrieval method: ``hopgraph`` (the
full pipeline) or ``hopgraph-<method>`` (``hopgraph-dense``, ``hopgraph-ppr``, ...). With an LLM
configured (``[llm] spec``) the answer is the generator's; without one, the extractive answer.

Streaming sends the reply in server-sent events as OpenAI does (a role delta, content deltas, a
final chunk with ``finish_reason`` and ``hopgraph``, then ``data: [DONE]``); the answer is computed
whole first, then sent in pieces.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from hopgraph.errors import QuestionError
from hopgraph.reason.doc.options import METHODS
from hopgraph.util.text import excerpt, one_line

MODEL = "hopgraph"
PASSAGE_CHARS = 300


def model_ids() -> list[str]:
    return [MODEL] + [f"{MODEL}-{m}" for m in METHODS if m != "full"]


def method_of(model: str) -> str:
    if model == MODEL:
        return "full"
    if model.startswith(MODEL + "-") and model[len(MODEL) + 1 :] in METHODS:
        return model[len(MODEL) + 1 :]
    raise QuestionError(f"unknown model {model!r}; this server's models: {', '.join(model_ids())}")


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return " ".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


def question_of(messages: list[Any]) -> str:
    """The text of the last user message (``QuestionError`` when there is none)."""
    for message in reversed(messages):
        if message.role == "user":
            text = _text(message.content)
            if text.strip():
                return text
            break
    raise QuestionError("no question: the last user message is missing or empty")


def reply_text(answer: dict[str, Any]) -> str:
    """The answer, its numbered reasoning paths and the cited passages, as Markdown."""
    lines = [answer["answer"]]
    if answer["paths"]:
        lines += ["", "**Reasoning paths**"]
        for i, path in enumerate(answer["paths"], 1):
            star = " (cited)" if path["cited"] else ""
            sources = ", ".join(path["chunk_labels"])
            lines.append(
                f"{i}. [{path['label']}] {path['text']}{star}" + (f" — sources: {sources}" if sources else "")
            )
    chunks = [c for c in answer["chunks"] if c["cited"]] or answer["chunks"][:3]
    if chunks:
        lines += ["", "**Passages**"]
        for chunk in chunks:
            title = f' "{chunk["title"]}"' if chunk["title"] else ""
            lines.append(f"- [{chunk['label']}]{title}: {one_line(excerpt(chunk['text'], PASSAGE_CHARS))}")
    return "\n".join(lines)


def completion(model: str, answer: dict[str, Any], question: str) -> dict[str, Any]:
    content = reply_text(answer)
    prompt_tokens, completion_tokens = len(question.split()), len(content.split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "hopgraph": answer,
    }


def stream_events(model: str, answer: dict[str, Any]) -> Iterator[str]:
    """The completion as OpenAI's server-sent events (``data: {chunk}`` ... ``data: [DONE]``)."""
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for line in reply_text(answer).splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", hopgraph=answer)
    yield "data: [DONE]\n\n"


__all__ = ["MODEL", "completion", "method_of", "model_ids", "question_of", "reply_text", "stream_events"]
