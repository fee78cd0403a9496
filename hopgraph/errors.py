"""One root error, typed subclasses. Every message says what went wrong and what to do."""

from __future__ import annotations


class HopGraphError(Exception):
    """Root of every error hopgraph raises on purpose."""


class ConfigError(HopGraphError):
    """A setting is missing, malformed or names an unknown choice."""


class InvalidNameError(HopGraphError, ValueError):
    """A label or relationship-type name failed the allow-list pattern."""


class StoreError(HopGraphError):
    """The graph store could not do what was asked."""


class StoreUnavailableError(StoreError):
    """The graph store could not be started or reached."""


class GraphNotFoundError(StoreError):
    """The graph folder named does not exist, and the command does not create graphs."""


class StoreLockedError(StoreError):
    """Another live process holds the graph folder open."""


class RestoreCutOffError(StoreError):
    """A write was asked of a graph that holds part of a restore that was cut off."""


class CypherError(StoreError):
    """The database rejected a Cypher query; carries the query that failed."""

    def __init__(self, message: str, query: str = "", params: dict[str, object] | None = None):
        self.query = query
        self.params = dict(params or {})
        detail = f"{message}\n  query: {query.strip()}" if query else message
        super().__init__(detail)


READ_ONLY_HINT = (
    "this query writes to the graph, and exploration is read-only by default. "
    "Pass write=True (CLI: --write) to allow writes."
)


class ReadOnlyError(CypherError):
    """A write was attempted through a read-only query."""


class QueryTimeoutError(CypherError):
    """The database stopped a query that ran past its time limit."""

    def __init__(self, limit_s: float, query: str = "", params: dict[str, object] | None = None):
        self.limit_s = limit_s
        super().__init__(
            f"the query ran past its time limit of {limit_s:g} s and was stopped. Narrow it (a label, "
            "a LIMIT, fewer unconnected patterns) or raise the limit: --timeout SECONDS "
            "(0: none), [store] query_timeout_s, or HopGraph.cypher(timeout_s=...)",
            query,
            params,
        )


class ImportFormatError(HopGraphError, ValueError):
    """An input file could not be parsed; names the file and line."""


class LLMError(HopGraphError):
    """A language-model call failed."""


class LLMAuthError(LLMError):
    """The API key is missing or the server rejected it (401/403). Every later call would fail too."""


class LLMRequestError(LLMError):
    """The server rejected the request itself (a 4xx other than auth or rate limit); retrying won't help."""

    def __init__(self, message: str, status: int = 0):
        self.status = status
        super().__init__(message)


class LLMRetriesExhaustedError(LLMError):
    """Rate limits, server errors, timeouts or connection errors outlasted every retry."""

    def __init__(self, message: str, attempts: int = 0, status: int = 0):
        self.attempts = attempts
        self.status = status
        super().__init__(message)


class LLMOutputError(LLMError, ValueError):
    """The model's reply could not be parsed into the structure that was asked for."""


class QuestionError(HopGraphError, ValueError):
    """A question cannot be asked as given (empty, too long, not text); says how to fix it."""


class EmptyGraphError(HopGraphError):
    """The graph holds nothing to answer from; ingest documents or import triples first."""


class DocumentNotFoundError(HopGraphError, KeyError):
    """No document with that id or source path in the graph or its job state."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class JobStateError(HopGraphError):
    """The job-state database (``jobs.sqlite``) cannot be read; says which file and what to do."""


class DiskFullError(HopGraphError):
    """No space left where the graph or its job state is written; says where, and how to resume."""


class TrainingRefusedError(HopGraphError):
    """Trained weights were not written: they lost to the zero-shot scorer on held-out questions
    (or nothing could be held out to check them)."""
