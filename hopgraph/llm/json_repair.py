"""Tolerant JSON parsing of model output.

``parse_json_lenient`` accepts what small and un-constrained models actually write: code
fences, prose before and after the JSON, trailing commas, single-quoted strings, Python
literals (``True``/``False``/``None``) and output cut off by the token limit. Truncated output
is cut back to the last complete element of its innermost container (a half-written triple
is dropped, never guessed) and the open brackets are closed. Anything else raises
:class:`~hopgraph.errors.LLMOutputError` with a message fit to feed back to the model:
:func:`repair_request` is that message (``json_repair.txt`` beside this module), which the
extractor and the answer generator both send.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hopgraph.errors import LLMOutputError
from hopgraph.llm.prompt_files import PromptFiles

_PROMPTS = PromptFiles("hopgraph.llm", ".txt")


def repair_request(error: str) -> str:
    """The user message asking a model to answer again with only valid JSON, naming ``error``."""
    return _PROMPTS.prompt("json_repair").safe_substitute(error=error)


_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
_BARE = {"True": "true", "False": "false", "None": "null", "true": "true", "false": "false", "null": "null"}
_CLOSER = {"{": "}", "[": "]"}
_VALUE_END = set(",:}]")
_DECODER = json.JSONDecoder(strict=False)  # tolerate raw newlines and tabs inside strings


def parse_json_lenient(text: str) -> Any:
    """The JSON value in ``text``, repaired where needed; raises ``LLMOutputError`` if there is none."""
    if not isinstance(text, str) or not text.strip():
        raise LLMOutputError("the reply was empty; expected a JSON value")
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    first_error = ""
    for candidate in candidates:
        start = _json_start(candidate)
        if start < 0:
            continue
        try:
            return _DECODER.raw_decode(candidate, start)[0]
        except json.JSONDecodeError:
            pass
        try:
            return _DECODER.decode(_repair(candidate[start:]))
        except (json.JSONDecodeError, LLMOutputError) as exc:
            first_error = first_error or str(exc)
    if not first_error:
        raise LLMOutputError("the reply holds no JSON object or array")
    raise LLMOutputError(f"the reply is not valid JSON ({first_error})")


def _json_start(text: str) -> int:
    positions = [p for p in (text.find("{"), text.find("[")) if p >= 0]
    return min(positions) if positions else -1


def _read_string(text: str, i: int) -> tuple[str, int]:
    """The string starting at ``text[i]`` (a quote) as a JSON literal, and the index after it."""
    quote, chars, j, n = text[i], [], i + 1, len(text)
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n:
            nxt = text[j + 1]
            chars.append("'" if nxt == "'" else c + nxt)
            j += 2
            continue
        if c == quote:
            rest = text[j + 1 :].lstrip()
            # A single quote ends the string only where a JSON token may follow (Ada's stays inside).
            if quote == '"' or not rest or rest[0] in _VALUE_END:
                return '"' + "".join(chars) + '"', j + 1
        if c == '"' and quote == "'":
            chars.append('\\"')
        elif c == "\n":
            chars.append("\\n")
        else:
            chars.append(c)
        j += 1
    raise _Truncated('"' + "".join(chars) + '"')


class _Truncated(Exception):
    def __init__(self, partial: str) -> None:
        self.partial = partial


def _repair(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    safe: tuple[int, tuple[str, ...]] | None = None  # (len(out), stack) after a complete element
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            try:
                literal, i = _read_string(text, i)
            except _Truncated:
                break
            out.append(literal)
            if not stack:
                return "".join(out)
            if stack[-1] == "[":
                safe = (len(out), tuple(stack))
            continue
        if c in "{[":
            stack.append(c)
            out.append(c)
        elif c in "}]":
            while out and out[-1] in (",", " "):
                out.pop()  # trailing comma
            if not stack or _CLOSER[stack[-1]] != c:
                raise LLMOutputError(f"unbalanced {c!r} at character {i}")
            stack.pop()
            out.append(c)
            if not stack:
                return "".join(out)  # text after the value is ignored
            safe = (len(out), tuple(stack))
        elif c in ",:":
            out.append(c)
        elif c.isspace():
            pass
        else:
            m = re.match(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_]+", text[i:])
            if not m:
                raise LLMOutputError(f"unexpected {c!r} at character {i}")
            word = m.group(0)
            token = _BARE.get(word, word if word[0] in "-0123456789" else json.dumps(word))
            out.append(token)
            i += len(word)
            if stack and stack[-1] == "[" and (i >= n or text[i:].lstrip()[:1] in (",", "]")):
                safe = (len(out), tuple(stack))
            continue
        i += 1
    if safe is None:
        raise LLMOutputError("the reply was cut off before its first complete element")
    end, open_brackets = safe
    kept = out[:end]
    while kept and kept[-1] == ",":
        kept.pop()
    return "".join(kept) + "".join(_CLOSER[b] for b in reversed(open_brackets))
