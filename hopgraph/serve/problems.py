"""Errors as RFC 9457 problem details (``application/problem+json``), with the CLI's messages.

Every error hopgraph raises on purpose (:class:`~hopgraph.errors.HopGraphError`) becomes a problem
whose ``detail`` is the message ``hopgraph`` prints after ``error:``; its HTTP status comes from the
error's class (:data:`STATUS_BY_ERROR`, looked up along its class hierarchy, so an error class
added later maps by its nearest listed ancestor). The extension member ``error`` (``{"type": class name,
"message": detail}``) is the shape OpenAI clients read. Anything else is a 500 whose detail says
only that the server logged it: no traceback, no exception text leaves the server.
"""

from __future__ import annotations

import re
from typing import Any

from hopgraph.errors import (
    ConfigError,
    CypherError,
    DocumentNotFoundError,
    EmptyGraphError,
    HopGraphError,
    ImportFormatError,
    InvalidNameError,
    LLMError,
    QueryTimeoutError,
    QuestionError,
    ReadOnlyError,
    RestoreCutOffError,
    StoreError,
    StoreLockedError,
    StoreUnavailableError,
)
from hopgraph.serve.service import BusyError, NotFoundError, ShuttingDownError, UnsupportedUploadError

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: dict[type[HopGraphError], int] = {
    NotFoundError: 404,
    DocumentNotFoundError: 404,
    BusyError: 409,
    ShuttingDownError: 503,
    UnsupportedUploadError: 415,
    ReadOnlyError: 403,
    QueryTimeoutError: 422,
    CypherError: 422,
    InvalidNameError: 422,
    QuestionError: 422,
    ImportFormatError: 422,
    ConfigError: 422,
    EmptyGraphError: 409,
    RestoreCutOffError: 409,
    StoreLockedError: 503,
    StoreUnavailableError: 503,
    StoreError: 500,
    LLMError: 502,
    HopGraphError: 400,
}
"""HTTP status by error class; an error takes the status of its nearest class listed here."""

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def status_of(exc: HopGraphError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def read_only_detail(exc: HopGraphError) -> str:
    query = getattr(exc, "query", "")
    return (
        "this query writes to the graph, which is read-only here; the HTTP API and MCP tools run "
        "client queries read-only (writes: POST /v1/documents, DELETE /v1/documents/{id})"
        + (f"\n  query: {query.strip()}" if query else "")
    )


def problem(status: int, detail: str, *, type_: str = "about:blank", error: str = "") -> dict[str, Any]:
    """A problem document. ``error`` (an extension member) repeats the detail the way OpenAI's API
    shapes errors (``{"type", "message"}``), so OpenAI clients show the message too."""
    return {
        "type": type_,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "error": {"type": error or _kebab(TITLES.get(status, "Error").replace(" ", "")), "message": detail},
    }


def error_problem(exc: HopGraphError) -> dict[str, Any]:
    """The problem document of a hopgraph error."""
    status = status_of(exc)
    name = type(exc).__name__
    detail = read_only_detail(exc) if name == "ReadOnlyError" else str(exc)
    return problem(status, detail, type_=f"urn:hopgraph:problem:{_kebab(name)}", error=name)


__all__ = ["PROBLEM_JSON", "STATUS_BY_ERROR", "error_problem", "problem", "status_of"]
