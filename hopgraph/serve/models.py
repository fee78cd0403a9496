"""Request and response bodies of the HTTP API (pydantic models: they make the OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_QUESTION = 2000
MAX_QUERY = 20_000
MAX_DOCUMENTS = 1000
UPLOAD_FIELDS = frozenset({"files", "file"})
"""Form fields whose files ``POST /v1/documents`` takes (``files``, repeatable; ``file`` too)."""
MAX_TEXT = 5_000_000


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: dict[str, str] | None = Field(
        default=None, description='{"type": error class, "message": detail}: the shape OpenAI clients read'
    )


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(max_length=MAX_QUESTION * 2, description="the question (the graph's language)")
    method: Literal["dense", "fulltext", "hybrid", "ppr", "gnn_ppr", "full"] = "full"
    k: int | None = Field(default=None, ge=1, le=50, description="passages to return (default 5)")
    llm: str | None = Field(
        default=None, description="the answering LLM: only the server's configured [llm] spec is accepted"
    )
    extractive: bool = Field(default=False, description="answer extractively even if an LLM is configured")
    explain: bool = Field(default=False, description="add scores, seeds and per-stage timings")


class Hop(BaseModel):
    source: str
    predicate: str
    target: str
    inverse: bool
    chunk_ids: list[str]
    doc_ids: list[str]


class PathOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    label: str
    text: str
    answer: str
    cited: bool
    hops: list[Hop]
    chunk_ids: list[str]
    doc_ids: list[str]
    chunk_labels: list[str]


class ChunkOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    label: str
    id: str
    doc_id: str
    title: str
    ord: int
    text: str
    cited: bool


class AnswerOut(BaseModel):
    """The ``hopgraph.answer/1`` document (``hopgraph ask --json``; hopgraph/render/text.py)."""

    model_config = ConfigDict(extra="allow")
    schema_: str = Field(alias="schema")
    question: str
    answer: str
    answerer: str
    citations: list[str]
    unknown_citations: list[str]
    paths: list[PathOut]
    chunks: list[ChunkOut]


class CypherRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(max_length=MAX_QUERY, description="a read-only Cypher query; values as $parameters")
    params: dict[str, Any] = Field(default_factory=dict)


class CypherOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(description="more rows matched than row_cap; the first row_cap are returned")
    row_cap: int


class StatsOut(BaseModel):
    documents: int
    chunks: int
    entities: int
    relations: int
    relation_types: dict[str, int]


class EntityHit(BaseModel):
    id: str
    name: str
    type: str
    aliases: list[str]
    score: float


class EntitiesOut(BaseModel):
    entities: list[EntityHit]


class EntityNode(BaseModel):
    id: str
    name: str
    type: str


class RelationEdge(BaseModel):
    source: str
    target: str
    type: str
    predicate: str
    chunk_ids: list[str]
    doc_ids: list[str]


class NeighbourhoodOut(BaseModel):
    center: str
    hops: int
    entities: list[EntityNode]
    relations: list[RelationEdge]
    truncated: bool


class PassageOut(BaseModel):
    id: str
    doc_id: str
    title: str
    source: str
    ord: int
    text: str


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(
        default=None, max_length=500, description="your id; posting it again replaces the document"
    )
    title: str = Field(default="", max_length=1000)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class DocumentsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS)


class UploadedDocument(BaseModel):
    id: str = Field(description="the graph's document id (DELETE /v1/documents/{id})")
    key: str = Field(description="the posted document's id, or the uploaded file's name")
    title: str
    source: str = Field(description="the file under DIR/uploads/ the job reads it from")


class JobStarted(BaseModel):
    job_id: int
    status: str
    documents: list[UploadedDocument]


class Progress(BaseModel):
    done: int
    failed: int
    total: int
    fraction: float
    line: str


class JobOut(BaseModel):
    id: int
    status: str = Field(description="running | done | failed | interrupted")
    started: float
    finished: float | None
    sources: list[str]
    chunks: dict[str, int]
    progress: Progress
    summary: dict[str, Any]
    problems: list[dict[str, str]]
    failures: list[dict[str, str]]


class JobBrief(BaseModel):
    id: int
    status: str
    started: float
    finished: float | None


class JobsOut(BaseModel):
    jobs: list[JobBrief]


class DeletedOut(BaseModel):
    id: str
    deleted: dict[str, int]


class Health(BaseModel):
    status: Literal["ok"]
    graph: str
    uptime_s: float
    warm_ms: float


# -- OpenAI-compatible chat -------------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """What OpenAI clients send; sampling settings (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = "hopgraph"
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = False


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int
    message: ChatChoiceMessage
    finish_reason: str


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """An OpenAI chat completion; ``hopgraph`` carries the structured answer (``hopgraph.answer/1``)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    hopgraph: AnswerOut
