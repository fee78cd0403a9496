"""The LLM extractor: a chunk in, grounded triples with provenance out.

One pass (default): one call asks for typed triples. Two pass (``one_pass=False``): entities
first, then triples among those entities. One pass is the default because it costs half the
calls and tokens; which gives better triples depends on the model and cannot be measured
without a live one (smaller models tend to profit from the entity list).

Output is JSON-schema constrained where the backend supports it and parsed leniently where it
does not. Unparsable output is retried once with the parse error fed back; a second failure,
or any LLM failure that is not a configuration problem, is recorded on the chunk's
:class:`Extraction` (``error``) and never raised. Configuration problems (no API key, key
rejected: every chunk would fail the same way) do raise, so a batch stops at once.

The conversation is written once, as a generator that yields the calls it needs; ``extract``
and ``aextract`` only differ in how they make those calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from hopgraph.errors import ConfigError, LLMAuthError, LLMOutputError
from hopgraph.extract.extractors import prompts
from hopgraph.extract.extractors.base import Extraction
from hopgraph.extract.extractors.validation import (
    Grounder,
    RawTriple,
    SchemaGuidance,
    raw_entities,
    raw_triples,
    validate_triples,
)
from hopgraph.ids import normalize_name
from hopgraph.llm.base import LLM, Completion, Message, Usage
from hopgraph.llm.json_repair import parse_json_lenient, repair_request
from hopgraph.types import Chunk, Entity, Triple

FATAL = (LLMAuthError, ConfigError)


@dataclass(frozen=True, slots=True)
class _Call:
    messages: tuple[Message, ...]
    schema: dict[str, Any]


Plan = Generator[_Call, Completion, Extraction]


class _Tally:
    def __init__(self) -> None:
        self.usage, self.calls, self.cached = Usage(), 0, 0

    def add(self, completion: Completion) -> None:
        self.calls += 1
        if completion.cached:
            self.cached += 1
        else:
            self.usage = self.usage + completion.usage

    def done(self, result: Extraction) -> Extraction:
        return Extraction(
            result.chunk_id, result.triples, result.entities, self.usage, result.error,
            self.calls, self.cached, result.dropped,
        )  # fmt: skip


class LLMExtractor:
    """Extractor over any :class:`~hopgraph.llm.base.LLM`; also usable concurrently via ``aextract``.

    ``gleaning``: extra "anything missed?" turns (each stops early when it adds nothing).
    ``grounding_threshold``: see :mod:`hopgraph.extract.extractors.validation`.
    """

    name = "llm"

    def __init__(
        self,
        llm: LLM,
        *,
        schema_guidance: SchemaGuidance | None = None,
        gleaning: int = 0,
        one_pass: bool = True,
        max_tokens: int | None = 2048,
        grounding_threshold: float = 0.5,
    ) -> None:
        if gleaning < 0:
            raise ConfigError(f"gleaning must be 0 or more passes, got {gleaning}")
        self.llm = llm
        self.guidance = schema_guidance
        self.gleaning = gleaning
        self.one_pass = one_pass
        self.max_tokens = max_tokens
        self.grounding_threshold = grounding_threshold

    def __repr__(self) -> str:
        return f"LLMExtractor({self.llm!r}, one_pass={self.one_pass}, gleaning={self.gleaning})"

    # -- drivers ---------------------------------------------------------------------------
    def extract(self, chunk: Chunk) -> Extraction:
        tally, plan, calls = _Tally(), self._plan(chunk), []
        try:
            call = next(plan)
            while True:
                calls.append(call)
                completion = self.llm.complete(call.messages, schema=call.schema, max_tokens=self.max_tokens)
                tally.add(completion)
                call = plan.send(completion)
        except StopIteration as stop:
            return tally.done(stop.value)
        except FATAL:
            raise
        except Exception as exc:  # noqa: BLE001 - one chunk's failure is recorded, never raised
            self._forget_unusable(exc, calls)
            return tally.done(_failure(chunk, exc))
        finally:
            plan.close()

    def _forget_unusable(self, exc: Exception, calls: list[_Call]) -> None:
        """Evict the cached replies of a chunk whose output could not be used, so that a retry
        (``--retry-failed``) asks the model again instead of replaying the same bad text."""
        forget = getattr(self.llm, "forget", None)
        if isinstance(exc, LLMOutputError) and forget is not None:
            for call in calls:
                forget(call.messages, schema=call.schema, max_tokens=self.max_tokens)

    async def aextract(self, chunk: Chunk) -> Extraction:
        tally, plan, calls = _Tally(), self._plan(chunk), []
        try:
            call = next(plan)
            while True:
                calls.append(call)
                completion = await self.llm.acomplete(
                    call.messages, schema=call.schema, max_tokens=self.max_tokens
                )
                tally.add(completion)
                call = plan.send(completion)
        except StopIteration as stop:
            return tally.done(stop.value)
        except FATAL:
            raise
        except Exception as exc:  # noqa: BLE001 - one chunk's failure is recorded, never raised
            await asyncio.to_thread(self._forget_unusable, exc, calls)
            return tally.done(_failure(chunk, exc))
        finally:
            plan.close()

    # -- the conversation ------------------------------------------------------------------
    def _user(self, name: str, **values: str) -> Message:
        guidance = self.guidance.prompt_text() if self.guidance else ""
        return Message("user", prompts.prompt(name).safe_substitute(guidance=guidance, **values))

    def _ask(
        self, messages: list[Message], name: str, parse: Callable[[Any], Any], retries: int = 1
    ) -> Generator[_Call, Completion, tuple[Any, list[Message]]]:
        """Ask, parse; on unparsable output feed the error back and ask again (``retries`` times)."""
        for attempt in range(retries + 1):
            completion = yield _Call(tuple(messages), prompts.schema(name))
            messages = [*messages, Message("assistant", completion.text)]
            try:
                return parse(parse_json_lenient(completion.text)), messages
            except LLMOutputError as exc:
                if attempt == retries:
                    raise
                messages = [
                    *messages,
                    Message("user", repair_request(str(exc))),
                ]
        raise AssertionError("unreachable")  # pragma: no cover

    def _plan(self, chunk: Chunk) -> Plan:
        if not chunk.text.strip():
            return Extraction(chunk.id)
        system = Message("system", prompts.prompt("system").template)
        grounder = Grounder(chunk.text, self.grounding_threshold)
        found: dict[str, Entity] = {}
        if self.one_pass:
            messages = [system, self._user("triples", text=chunk.text)]
            name = "triples"
        else:
            pairs, _ = yield from self._ask(
                [system, self._user("entities", text=chunk.text)], "entities", raw_entities
            )
            for entity_name, kind in pairs:
                if grounder.score(entity_name) > 0:
                    _add_entity(found, entity_name, kind)
            listing = "\n".join(f"- {e.name}" + (f" ({e.type})" if e.type else "") for e in found.values())
            messages = [
                system,
                self._user("triples_given_entities", text=chunk.text, entities=listing or "(none)"),
            ]
            name = "triples_given_entities"
        known = {e.name: e.type for e in found.values() if e.type}
        raw, messages = yield from self._ask(messages, name, raw_triples)
        triples, dropped = self._validate(raw, chunk, grounder, known)
        for _ in range(self.gleaning):
            messages = [*messages, self._user("gleaning")]
            try:
                more, messages = yield from self._ask(messages, "gleaning", raw_triples, retries=0)
            except LLMOutputError:
                break  # a failed follow-up costs nothing already found
            new, more_dropped = self._validate([*_as_raw(triples), *more], chunk, grounder, known)
            dropped += more_dropped
            if len(new) == len(triples):
                break
            triples = new
        for t in triples:
            _add_entity(found, t.subject, t.subject_type)
            _add_entity(found, t.object, t.object_type)
        return Extraction(chunk.id, tuple(triples), tuple(found.values()), dropped=dropped)

    def _validate(
        self, raw: list[RawTriple | None], chunk: Chunk, grounder: Grounder, known: dict[str, str]
    ) -> tuple[list[Triple], int]:
        return validate_triples(raw, chunk, grounder, self.guidance, known)


def _as_raw(triples: list[Triple]) -> list[RawTriple | None]:
    return [RawTriple(t.subject, t.predicate, t.object, t.subject_type, t.object_type) for t in triples]


def _add_entity(found: dict[str, Entity], name: str, kind: str) -> None:
    key = normalize_name(name).casefold()
    current = found.get(key)
    if current is None:
        found[key] = Entity(normalize_name(name), kind)
    elif kind and not current.type:
        found[key] = Entity(current.name, kind)


def _failure(chunk: Chunk, exc: Exception) -> Extraction:
    if isinstance(exc, LLMOutputError):
        return Extraction(chunk.id, error=f"malformed model output, also after one retry: {exc}")
    return Extraction.failed(chunk.id, exc)
