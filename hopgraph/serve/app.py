"""The HTTP server's ASGI app: REST under ``/v1`` (OpenAPI at ``/openapi.json``), the
OpenAI-compatible chat endpoint, MCP over streamable HTTP at ``/mcp``, ``/healthz``.

:func:`create_app` wires a :class:`~hopgraph.serve.service.GraphService` into FastAPI. Around every
route: an optional bearer token (constant-time compare; 401 problem otherwise; ``/healthz`` stays
open), a request-body size limit (413), and errors as RFC 9457 problem details
(:mod:`hopgraph.serve.problems`). Handlers are plain functions, so FastAPI runs them on worker
threads: a long question never blocks the event loop, and asks keep being answered while an
ingest job runs on its own thread.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hopgraph import __version__
from hopgraph.errors import HopGraphError, QuestionError
from hopgraph.serve import chat
from hopgraph.serve.models import (
    MAX_DOCUMENTS,
    UPLOAD_FIELDS,
    AnswerOut,
    AskRequest,
    ChatCompletion,
    ChatRequest,
    CypherOut,
    CypherRequest,
    DeletedOut,
    DocumentsRequest,
    EntitiesOut,
    Health,
    JobOut,
    JobsOut,
    JobStarted,
    ModelList,
    NeighbourhoodOut,
    PassageOut,
    Problem,
    StatsOut,
)
from hopgraph.serve.problems import PROBLEM_JSON, error_problem, problem
from hopgraph.serve.service import GraphService, UnsupportedUploadError

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/healthz"})


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM_JSON, headers=headers)


async def _send_problem(send: Send, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": body["status"], "headers": raw})
    await send({"type": "http.response.body", "body": data})


class GuardMiddleware:
    """Bearer token (when ``token`` is set) and request-body size limit, for every HTTP route: a
    multipart/form-data body (file uploads) has its own limit ``max_upload`` (default: ``max_body``)."""

    def __init__(self, app: ASGIApp, *, token: str, max_body: int, max_upload: int | None = None) -> None:
        self.app, self.token, self.max_body = app, token.encode(), max_body
        self.max_upload = max_body if max_upload is None else max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.token and scope["path"] not in OPEN_PATHS:
            given = headers.get("authorization", "")
            scheme, _, credential = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(credential.strip().encode(), self.token):
                body = problem(401, "this server needs a bearer token: send 'Authorization: Bearer TOKEN'")
                await _send_problem(send, body, {"WWW-Authenticate": 'Bearer realm="hopgraph"'})
                return
        upload = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.max_upload if upload else self.max_body
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _send_problem(send, self._too_large(upload))
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _send_problem(send, self._too_large(upload))

    def _too_large(self, upload: bool) -> dict[str, Any]:
        if upload:
            return problem(
                413,
                f"the upload is over the limit of {self.max_upload:,} bytes, all files together "
                "([serve] max_upload_bytes)",
            )
        return problem(
            413, f"the request body is over the limit of {self.max_body:,} bytes ([serve] max_body_bytes)"
        )


class _TooLarge(BaseException):
    """Raised from ``receive`` past the size limit; a BaseException, so that no body parser on the
    way (FastAPI turns the errors of reading a body into a 400) catches it before the guard."""


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 502, 503)
}


DOCUMENTS_UPLOAD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "files": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": "document files (.txt .md .markdown .html .htm .xhtml .pdf .json .jsonl)",
        }
    },
    "required": ["files"],
}
DOCUMENTS_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/DocumentsRequest"}},
        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/DocumentsUpload"}},
    },
}


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: PROBLEMS[s] for s in (401, 413, 422, *statuses)}


def create_app(
    service: GraphService,
    *,
    token: str = "",
    host: str = "127.0.0.1",
    close_on_shutdown: bool = True,
    mcp: bool = True,
) -> FastAPI:
    """The ASGI app serving ``service``. ``token``: the bearer token clients must send (empty:
    none). ``close_on_shutdown``: close the service (store saved, running job stopped between
    batches) when the app stops."""
    mcp_server = None
    mcp_routes: list[Any] = []
    if mcp:
        from hopgraph.serve.mcp_tools import build_mcp

        mcp_server = build_mcp(service)
        mcp_app = mcp_server.streamable_http_app(streamable_http_path="/mcp", host=host)
        mcp_routes = list(mcp_app.routes)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if mcp_server is not None:
                await stack.enter_async_context(mcp_server.session_manager.run())
            try:
                yield
            finally:
                if close_on_shutdown:
                    log.info("shutting down: closing the graph")
                    service.close()

    app = FastAPI(
        title="hopgraph",
        version=__version__,
        description="Multi-hop questions over a knowledge graph, answered with checkable reasoning paths. "
        "Errors are RFC 9457 problem details (application/problem+json). The OpenAI-compatible "
        "chat completion carries the structured answer in its extra field `hopgraph`.",
        lifespan=lifespan,
    )
    app.add_middleware(
        GuardMiddleware,
        token=token,
        max_body=service.settings.max_body_bytes,
        max_upload=service.settings.max_upload_bytes,
    )

    @app.exception_handler(HopGraphError)
    async def hopgraph_error(_: Request, exc: HopGraphError) -> JSONResponse:
        body = error_problem(exc)
        if body["status"] >= 500:
            log.warning("%s: %s", type(exc).__name__, exc)
        return _problem_response(body)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return _problem_response(problem(422, "invalid request: " + "; ".join(parts)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _problem_response(problem(exc.status_code, str(exc.detail)), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("internal error", exc_info=exc)
        return _problem_response(problem(500, "internal error; the server logged it"))

    # -- REST ---------------------------------------------------------------------------------
    @app.get("/healthz", response_model=Health, tags=["server"])
    def healthz() -> dict[str, Any]:
        folder = service.hg.folder
        return {
            "status": "ok",
            "graph": str(folder) if folder is not None else service.hg.store.name,
            "uptime_s": round(time.time() - service.started, 3),
            "warm_ms": round(service.warm_ms, 1),
        }

    # The answer routes return their JSON directly (documented, not re-validated): the document
    # is built by answer_to_dict, and checking it again would add milliseconds to every question.
    @app.post(
        "/v1/ask",
        response_model=None,
        responses={200: {"model": AnswerOut}, **_responses(409, 502, 503)},
        tags=["ask"],
    )
    def ask(body: AskRequest) -> JSONResponse:
        """Answer a question: the ``hopgraph.answer/1`` document ``hopgraph ask --json`` prints."""
        answer = service.ask(
            body.question, method=body.method, k=body.k, llm=body.llm, extractive=body.extractive
        )
        return JSONResponse(service.answer_dict(answer, body.explain))

    @app.post("/v1/cypher", response_model=CypherOut, responses=_responses(403, 503), tags=["explore"])
    def cypher(body: CypherRequest) -> dict[str, Any]:
        """A read-only Cypher query (the database refuses writes), time-limited, row-capped."""
        return service.cypher(body.query, body.params)

    @app.get("/v1/stats", response_model=StatsOut, responses=_responses(503), tags=["explore"])
    def stats() -> dict[str, Any]:
        return service.stats()

    @app.get("/v1/schema", responses=_responses(503), tags=["explore"])
    def schema() -> dict[str, Any]:
        """Labels and relationship types with counts, and their properties."""
        return service.schema()

    @app.get("/v1/entities", response_model=EntitiesOut, responses=_responses(503), tags=["explore"])
    def entities(
        q: str = Query(min_length=1, max_length=500, description="name to search for"),
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        return {"entities": service.search_entities(q, limit)}

    @app.get(
        "/v1/entities/{entity_id}/neighbourhood",
        response_model=NeighbourhoodOut,
        responses=_responses(404, 503),
        tags=["explore"],
    )
    def neighbourhood(
        entity_id: str = Path(max_length=200),
        hops: int = Query(1, ge=1, le=3),
        max_nodes: int = Query(100, ge=1, le=500),
    ) -> dict[str, Any]:
        """The entities and relations within ``hops`` of an entity, cut at ``max_nodes``."""
        return service.neighbourhood(entity_id, hops, max_nodes)

    @app.get(
        "/v1/passages/{chunk_id}", response_model=PassageOut, responses=_responses(404, 503), tags=["explore"]
    )
    def passage(chunk_id: str = Path(max_length=200)) -> dict[str, Any]:
        return service.passage(chunk_id)

    @app.post(
        "/v1/documents",
        response_model=JobStarted,
        status_code=202,
        responses=_responses(400, 409, 415, 503),
        tags=["write"],
        openapi_extra={"requestBody": DOCUMENTS_BODY},
    )
    async def add_documents(request: Request) -> dict[str, Any]:
        """Start a background ingest job (resumable, as ``hopgraph ingest``); watch ``/v1/jobs/{id}``.
        Writes run one at a time: 409 while another runs.

        The documents come as JSON texts (``{"documents": [{id?, title?, text}]}``) or as uploaded
        files (multipart/form-data, form field ``files``, repeatable, or ``file``; a file in another
        field is refused), with the suffixes folder
        ingest takes (``.txt .md .markdown .html .htm .xhtml .pdf .json .jsonl``; 415 otherwise)
        and at most ``[serve] max_upload_bytes`` in all (413). A file is kept by its name:
        uploading a name again replaces it. If the server stops (SIGTERM, a crash, ``kill -9``)
        before the job is done, the next ``hopgraph serve`` on the folder resumes it on start-up."""
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind == "multipart/form-data":
            form = await request.form(max_files=MAX_DOCUMENTS, max_fields=MAX_DOCUMENTS)
            try:
                files: list[tuple[str, Any]] = []
                for key, value in form.multi_items():
                    if not isinstance(value, UploadFile):
                        raise QuestionError(
                            f"form field {key!r} is not a file: upload documents as files in field 'files'"
                        )
                    if key not in UPLOAD_FIELDS:
                        raise QuestionError(
                            f"file {value.filename or '(unnamed)'!r} came in form field {key!r}: upload "
                            "documents in field 'files'"
                        )
                    files.append((value.filename or "", value.file))
                return await run_in_threadpool(service.start_upload, files)
            finally:
                await form.close()
        if kind not in {"application/json", ""} and not kind.endswith("+json"):
            raise UnsupportedUploadError(
                f'POST /v1/documents takes application/json ({{"documents": [...]}}) or '
                f"multipart/form-data (files), not {kind}"
            )
        try:
            body = DocumentsRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        return await run_in_threadpool(service.start_ingest, [d.model_dump() for d in body.documents])

    @app.delete(
        "/v1/documents/{doc_id}",
        response_model=DeletedOut,
        responses=_responses(404, 409, 503),
        tags=["write"],
    )
    def delete_document(doc_id: str = Path(max_length=500)) -> dict[str, Any]:
        """Remove exactly one document's contribution to the graph."""
        return service.delete_document(doc_id)

    @app.get("/v1/jobs", response_model=JobsOut, tags=["write"])
    def jobs() -> dict[str, Any]:
        return {"jobs": service.jobs()}

    @app.get("/v1/jobs/{job_id}", response_model=JobOut, responses=_responses(404), tags=["write"])
    def job(job_id: int = Path(ge=0, le=2**62)) -> dict[str, Any]:
        """An ingest job: status, chunk counts, progress, summary, input problems, failed chunks."""
        return service.job(job_id)

    @app.get(
        "/v1/jobs/{job_id}/events",
        responses={
            200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
            **_responses(404),
        },
        response_class=StreamingResponse,
        tags=["write"],
    )
    def job_events(job_id: int = Path(ge=0, le=2**62)) -> StreamingResponse:
        """The job's state as server-sent events (``event: job``) while it runs, then its end."""
        first = service.job(job_id)  # 404 before the stream starts

        def events() -> Iterator[str]:
            yield f"event: job\ndata: {json.dumps(first)}\n\n"
            states = service.job_events(job_id)
            next(states, None)
            for state in states:
                yield f"event: job\ndata: {json.dumps(state)}\n\n"
            yield "event: end\ndata: {}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    # -- OpenAI-compatible chat ---------------------------------------------------------------
    @app.get("/v1/models", response_model=ModelList, tags=["chat"])
    def models() -> dict[str, Any]:
        created = int(service.started)
        return {
            "object": "list",
            "data": [{"id": m, "created": created, "owned_by": "hopgraph"} for m in chat.model_ids()],
        }

    @app.post(
        "/v1/chat/completions",
        response_model=None,
        responses={
            200: {"model": ChatCompletion, "content": {"text/event-stream": {"schema": {"type": "string"}}}},
            **_responses(409, 502, 503),
        },
        tags=["chat"],
    )
    def chat_completions(body: ChatRequest) -> JSONResponse | StreamingResponse:
        """OpenAI chat completion: the last user message is the question. ``stream: true`` answers
        in server-sent events. The structured answer is in the extra field ``hopgraph``."""
        method = chat.method_of(body.model)
        question = chat.question_of(body.messages)
        answer = service.answer_dict(service.ask(question, method=method))
        if body.stream:
            return StreamingResponse(chat.stream_events(body.model, answer), media_type="text/event-stream")
        return JSONResponse(chat.completion(body.model, answer, question))

    app.router.routes.extend(mcp_routes)
    openapi = app.openapi

    def openapi_with_bodies() -> dict[str, Any]:
        """The spec, with the schemas the hand-parsed request bodies name."""
        if app.openapi_schema is None:
            spec = openapi()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            request_schema = DocumentsRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(request_schema.pop("$defs", {}))
            schemas["DocumentsRequest"] = request_schema
            schemas["DocumentsUpload"] = DOCUMENTS_UPLOAD
        return app.openapi_schema or spec

    app.openapi = openapi_with_bodies  # type: ignore[method-assign]
    return app


def run_server(app: FastAPI, host: str, port: int, *, ready: Callable[[], None] | None = None) -> None:
    """Serve ``app`` with uvicorn until SIGINT/SIGTERM (graceful: the app's shutdown closes the graph)."""
    import signal

    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    # uvicorn handles SIGINT/SIGTERM (graceful shutdown: the app's lifespan closes the graph), then
    # raises the signal again to the handler found before it started: make that one a no-op, so
    # the command returns after a graceful stop (exit 0) instead of dying by the signal.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    if ready is not None:
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets=sockets)
            ready()

        server.startup = startup  # type: ignore[method-assign]
    try:
        server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["GuardMiddleware", "create_app", "run_server"]
