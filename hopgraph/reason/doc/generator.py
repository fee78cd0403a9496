"""The LLM answer generator: reasoning paths and passages in, a short answer with checked citations out.

    generation = generate_answer(llm, question, paths, chunks)       # an LLM writes the answer

The answer without an LLM is :func:`hopgraph.reason.doc.extractive.extractive_answer`; it gives the
same :class:`Generation`, cites with the same labels and falls back to :data:`NO_ANSWER`.

Labels: ``P1`` is ``paths[0]``, ``C2`` is ``chunks[1]`` (the same labels :class:`~hopgraph.types.Answer`
uses). The prompt (``reason/prompts/answer.md``) shows at most ``PromptLimits.max_paths`` paths and
``max_chunks`` passages, long passages cut, the whole kept within ``max_tokens`` (estimated at four
characters a token); only the labels it shows can be cited. The model answers
``{"answer": str, "citations": [str]}`` (JSON schema, falling back to JSON mode or a prompt
instruction where the backend lacks it; parsed leniently). Citations are the labels of the
``citations`` field followed by those written inline as ``[P1]`` or ``[C2, P3]``, each once, in
order of first appearance. A label that names nothing shown is dropped from ``citations`` (and
its inline marker from the text) and reported in ``unknown_citations``. A reply that holds no
JSON at all but some prose is taken as the answer text; unusable JSON is asked for once more with
the parse error, then raises :class:`~hopgraph.errors.LLMOutputError`. Other failures of the model
raise an :class:`~hopgraph.errors.LLMError`.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hopgraph.errors import HopGraphError, LLMError, LLMOutputError
from hopgraph.llm.base import LLM, Completion, Message, Usage
from hopgraph.llm.json_repair import parse_json_lenient, repair_request
from hopgraph.reason.base import chunk_label, path_label
from hopgraph.reason.doc import prompts
from hopgraph.types import Chunk, ReasoningPath
from hopgraph.util.text import excerpt, one_line, unique

NO_ANSWER = (
    "No answer could be derived from the graph: no reasoning path from the question's entities "
    "reaches an answer."
)
_LABEL = re.compile(r"^\s*\[?\s*([PC])\s*(\d{1,4})\s*\]?\s*$", re.IGNORECASE)
_INLINE = re.compile(r"\[\s*([PC]\s*\d{1,4}(?:\s*[,;]\s*[PC]\s*\d{1,4})*)\s*\]", re.IGNORECASE)
_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*|\s*```$")


@dataclass(frozen=True, slots=True)
class Generation:
    """An answer text, its valid citation labels, the labels it cited that name nothing, who wrote it,
    and how confident it is."""

    text: str
    citations: tuple[str, ...] = ()
    unknown_citations: tuple[str, ...] = ()
    answerer: str = ""
    usage: Usage = field(default_factory=Usage)
    confidence: float | None = None
    """How sure the answerer is, 0..1 (the extractive answerer; None: not estimated)."""
    answer_type: str = ""
    """The answer's type (extractive answers; :mod:`hopgraph.reason.doc.answer_types`)."""


@dataclass(frozen=True, slots=True)
class PromptLimits:
    """How much evidence the prompt holds; ``max_tokens`` bounds paths + passages (4 chars a token)."""

    max_paths: int = 10
    max_chunks: int = 8
    max_chunk_chars: int = 1200
    max_tokens: int = 3000
    max_question_chars: int = 2000


@dataclass(frozen=True, slots=True)
class AnswerPrompt:
    """The filled-in prompt and the labels it shows (``P1``.., ``C1``..)."""

    text: str
    labels: tuple[str, ...]


def build_prompt(
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    *,
    limits: PromptLimits = PromptLimits(),
    titles: Mapping[str, str] | None = None,
) -> AnswerPrompt:
    """The answer prompt: numbered paths with their source labels, then numbered (cut) passages."""
    budget = limits.max_tokens * 4
    shown_chunks = list(chunks[: max(limits.max_chunks, 0)])
    label_of = {c.id: chunk_label(i) for i, c in enumerate(shown_chunks, 1)}
    path_lines: list[str] = []
    for i, path in enumerate(paths[: max(limits.max_paths, 0)], 1):
        sources = unique(label_of[c] for hop in path.hops for c in hop.chunk_ids if c in label_of)
        line = f"{path_label(i)}: {path}" + (f" (sources: {', '.join(sources)})" if sources else "")
        if path_lines and len(line) > budget:
            break
        path_lines.append(line)
        budget -= len(line) + 1
    chunk_lines: list[str] = []
    for i, chunk in enumerate(shown_chunks, 1):
        title = (titles or {}).get(chunk.doc_id, "")
        head = chunk_label(i) + (f" ({one_line(title)})" if title else "") + ": "
        room = min(limits.max_chunk_chars, budget - len(head) - 1)
        if room < 80 and chunk_lines:
            break
        line = head + excerpt(chunk.text, max(room, 80), ellipsis=" …")
        chunk_lines.append(line)
        budget -= len(line) + 1
    labels = tuple(path_label(i) for i in range(1, len(path_lines) + 1)) + tuple(
        chunk_label(i) for i in range(1, len(chunk_lines) + 1)
    )
    text = prompts.prompt("answer").safe_substitute(
        question=excerpt(question, limits.max_question_chars, ellipsis=" …"),
        paths="\n".join(path_lines) or "(none found)",
        chunks="\n".join(chunk_lines) or "(none found)",
    )
    return AnswerPrompt(text, labels)


def validate_citations(
    text: str, cited: Iterable[str], valid: Iterable[str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(text, citations, unknown)``: the valid labels of ``cited`` then of inline markers, each once;
    the others as ``unknown``; ``text`` without the markers' unknown labels."""
    allowed = set(valid)
    kept: list[str] = []
    unknown: list[str] = []

    def note(raw: str) -> str | None:
        label = _label(raw)
        if label is not None and label in allowed:
            if label not in kept:
                kept.append(label)
            return label
        shown = label or " ".join(str(raw).split())[:40]
        if shown and shown not in unknown:
            unknown.append(shown)
        return None

    for raw in cited:
        note(raw)

    def rewrite(match: re.Match[str]) -> str:
        labels = [note(part) for part in re.split(r"\s*[,;]\s*", match.group(1))]
        good = [label for label in labels if label is not None]
        return f"[{', '.join(good)}]" if good else ""

    clean = _INLINE.sub(rewrite, text)
    if clean != text:  # a marker went: close the gap it left
        clean = re.sub(r"[ \t]{2,}", " ", re.sub(r"[ \t]+([.,;:!?])", r"\1", clean))
    return clean.strip(), tuple(kept), tuple(unknown)


def generate_answer(
    llm: LLM,
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    *,
    limits: PromptLimits = PromptLimits(),
    titles: Mapping[str, str] | None = None,
    max_tokens: int | None = 512,
) -> Generation:
    """Ask ``llm`` for a short answer citing the labelled evidence (see the module docstring)."""
    plan = _plan(llm, question, paths, chunks, limits, titles)
    try:
        call = next(plan)
        while True:
            call = plan.send(_complete(llm, call, max_tokens))
    except StopIteration as stop:
        result: Generation = stop.value
        return result
    finally:
        plan.close()


def _complete(llm: LLM, messages: list[Message], max_tokens: int | None) -> Completion:
    try:
        return llm.complete(messages, schema=prompts.schema("answer"), max_tokens=max_tokens)
    except HopGraphError:
        raise
    except Exception as exc:
        raise _wrap(exc) from exc


def _wrap(exc: Exception) -> LLMError:
    return LLMError(
        f"the language model failed while writing the answer ({type(exc).__name__}: {exc}); "
        "check the model settings, or answer without an LLM (extractive answers)"
    )


def _plan(
    llm: LLM,
    question: str,
    paths: Sequence[ReasoningPath],
    chunks: Sequence[Chunk],
    limits: PromptLimits,
    titles: Mapping[str, str] | None,
) -> Generator[list[Message], Completion, Generation]:
    prompt = build_prompt(question, paths, chunks, limits=limits, titles=titles)
    messages = [Message("user", prompt.text)]
    usage = Usage()
    for attempt in range(2):
        completion = yield messages
        usage = usage + completion.usage
        try:
            answer, cited = _read_reply(completion.text)
        except LLMOutputError as exc:
            if attempt:
                raise LLMOutputError(
                    f"the model's answer could not be used, also after one retry: {exc}"
                ) from exc
            repair = repair_request(str(exc))
            messages = [*messages, Message("assistant", completion.text), Message("user", repair)]
            continue
        text, citations, unknown = validate_citations(answer, cited, prompt.labels)
        return Generation(text, citations, unknown, f"llm:{completion.model or llm.model}", usage)
    raise AssertionError("unreachable")  # pragma: no cover


def _read_reply(reply: str) -> tuple[str, list[str]]:
    """The answer text and cited labels of a reply; prose without any JSON is taken as the answer."""
    try:
        value: Any = parse_json_lenient(reply)
    except LLMOutputError:
        prose = _FENCE.sub("", reply.strip()).strip()
        if prose and "{" not in prose:
            return prose, []
        raise
    if isinstance(value, str):
        value = {"answer": value}
    if not isinstance(value, dict):
        raise LLMOutputError('expected one JSON object {"answer": "...", "citations": [...]}')
    answer = value.get("answer")
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        answer = str(answer)
    if not isinstance(answer, str) or not answer.strip():
        raise LLMOutputError('the JSON object has no non-empty "answer" string')
    cited = value.get("citations") or []
    if isinstance(cited, str):
        cited = re.split(r"\s*[,;]\s*|\s+", cited.strip())
    if not isinstance(cited, list):
        cited = []
    return answer.strip(), [str(c) for c in cited if str(c).strip()]


def _label(raw: str) -> str | None:
    match = _LABEL.match(str(raw))
    return f"{match.group(1).upper()}{int(match.group(2))}" if match else None
