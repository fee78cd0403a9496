"""Typed settings, read from a TOML file and ``HOPGRAPH_<SECTION>_<KEY>`` environment variables.

Secrets are never stored in settings: a setting names the environment variable that holds
the secret (``password_env = "NEO4J_PASSWORD"``) and the value is read when it is needed.

Precedence, lowest first: defaults, the file, the environment, explicit overrides.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_type_hints

from hopgraph.errors import ConfigError

CONFIG_FILE_NAME = "hopgraph.toml"
StoreBackend = Literal["falkordb", "neo4j"]
QueryPrecision = Literal["auto", "float32", "bfloat16"]
QUERY_PRECISIONS: tuple[str, ...] = get_args(QueryPrecision)


@dataclass(frozen=True)
class StoreSettings:
    backend: StoreBackend = "falkordb"
    """``falkordb``: embedded server in the graph folder, or a remote one when ``url`` is set;
    ``neo4j``: a Neo4j 5 server at ``uri``."""
    url: str = ""
    """Remote FalkorDB: ``redis://host:port``, ``rediss://...`` or ``unix:///path/to.sock``."""
    graph_name: str = "hopgraph"
    uri: str = ""
    """Neo4j: ``neo4j://`` or ``bolt://`` URI."""
    database: str = "neo4j"
    user_env: str = "NEO4J_USER"
    password_env: str = "NEO4J_PASSWORD"  # noqa: S105 - the variable's name, not a secret
    batch_size: int = 2000
    """Rows per UNWIND write; the Bolt protocol of small servers may need less."""
    query_timeout_ms: int = 0
    """Time limit of hopgraph's own queries, in milliseconds; 0: no timeout."""
    query_timeout_s: float = 30.0
    """Time limit of read-only exploration queries (``hopgraph cypher``, ``hopgraph shell``,
    ``HopGraph.cypher``), in seconds, enforced by the database; 0: no limit. Writes run unlimited."""


@dataclass(frozen=True)
class LLMSettings:
    spec: str = ""
    """``openai:MODEL``, ``openai:MODEL@http://host:port/v1`` or ``transformers:MODEL_OR_PATH``;
    empty: no LLM configured (extraction falls back to the offline extractor)."""
    base_url: str = ""
    """Default server for ``openai:`` specs without ``@URL`` (env ``HOPGRAPH_LLM_BASE_URL``)."""
    api_key_env: str = "OPENAI_API_KEY"
    """Name of the environment variable holding the API key (local servers need none)."""
    cache: bool = True
    """Cache responses in SQLite under the graph folder, so a rerun pays nothing twice."""
    concurrency: int = 8
    timeout_s: float = 60.0
    max_retries: int = 4


@dataclass(frozen=True)
class EmbedSettings:
    model: str = ""
    """Sentence-transformers model for chunks, entities and questions (empty: the bundled
    all-MiniLM-L6-v2, English-only); e.g. a multilingual model for questions in other languages.
    A graph must be built and asked with the same model."""
    query_precision: QueryPrecision = "auto"
    """How a question and its mentions are embedded by the built-in BERT encoder: ``auto``
    multiplies its linear layers in bfloat16 where the CPU has bfloat16 instructions (about half
    the time of those layers, a fifth less per question; cosine above 0.9999 to float32),
    ``float32`` always exactly; stored vectors are always float32."""


@dataclass(frozen=True)
class ServeSettings:
    """``hopgraph serve`` / ``hopgraph mcp`` (:mod:`hopgraph.serve`)."""

    token_env: str = ""
    """Name of the environment variable holding the bearer token every request must carry;
    empty: no token is asked for (the server binds 127.0.0.1 by default)."""
    cypher_timeout_s: float = 10.0
    """Time limit of a client's read-only Cypher query (enforced by the database where the store
    supports per-query limits)."""
    cypher_max_rows: int = 1000
    """Rows a client's Cypher query returns at most (``truncated`` says when more were cut)."""
    max_body_bytes: int = 10_000_000
    """Largest request body accepted (413 beyond); uploads have their own limit."""
    max_upload_bytes: int = 100_000_000
    """Largest file upload accepted (``POST /v1/documents`` as multipart/form-data, all its files
    together; 413 beyond)."""
    ask_concurrency: int = 2
    """Questions answered at the same time; more wait their turn."""


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _coerce(cls: type, section: str, key: str, value: Any) -> Any:
    hint = get_type_hints(cls)[key]
    choices = get_args(hint)
    where = f"[{section}] {key}"
    if choices and all(isinstance(c, str) for c in choices):
        if value not in choices:
            raise ConfigError(f"{where} = {value!r} is not one of: {', '.join(choices)}")
        return value
    if hint is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be an integer, got {value!r}") from None
    if hint is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a number, got {value!r}") from None
    if hint is bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)
    return str(value)


def _from_mapping(data: dict[str, Any]) -> Settings:
    sections: dict[str, Any] = {}
    hints = get_type_hints(Settings)
    for name, values in data.items():
        if name not in hints:
            raise ConfigError(f"unknown settings section [{name}]; valid: {', '.join(sorted(hints))}")
        cls = hints[name]
        if not isinstance(values, dict):
            raise ConfigError(f"[{name}] must be a table of settings, got {values!r}")
        valid = {f.name for f in dataclasses.fields(cls)}
        for key in values:
            if key not in valid:
                raise ConfigError(f"unknown setting [{name}] {key}; valid: {', '.join(sorted(valid))}")
        sections[name] = cls(**{k: _coerce(cls, name, k, v) for k, v in values.items()})
    return Settings(**sections)


def _from_env(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in dataclasses.fields(Settings):
        cls = get_type_hints(Settings)[f.name]
        for sub in dataclasses.fields(cls):
            var = f"HOPGRAPH_{f.name}_{sub.name}".upper()
            if var in environ:
                out.setdefault(f.name, {})[sub.name] = environ[var]
    if "NEO4J_URI" in environ and "uri" not in out.get("store", {}):
        out.setdefault("store", {})["uri"] = environ["NEO4J_URI"]
    return out


def load_settings(
    path: str | Path | None = None,
    *,
    environ: dict[str, str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Settings:
    """Settings from ``path`` (a file, or a graph folder holding ``hopgraph.toml``), env, overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        if file.is_dir():
            file = file / CONFIG_FILE_NAME
        if file.is_file():
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot parse settings file {file}: {exc}") from None
        elif not Path(path).is_dir():
            raise ConfigError(f"settings file {file} does not exist")
    data = _merge(data, _from_env(dict(os.environ if environ is None else environ)))
    data = _merge(data, overrides or {})
    return _from_mapping(data)


def secret(env_name: str, *, required: bool = True) -> str:
    """Read a secret from the environment variable a setting names."""
    value = os.environ.get(env_name, "")
    if required and not value:
        raise ConfigError(f"environment variable {env_name} is not set; export it to provide the secret")
    return value
