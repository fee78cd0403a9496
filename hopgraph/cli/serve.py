"""``hopgraph serve`` (HTTP API, OpenAI-compatible chat, MCP over HTTP) and ``hopgraph mcp`` (MCP over
stdio): one process that owns the graph and keeps the models warm.

    hopgraph serve --graph DIR [--host 127.0.0.1] [--port 8000]
    hopgraph mcp --graph DIR
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from hopgraph.cli.common import EXIT_OK, add_threads_option, open_graph, positive_int, set_torch_threads
from hopgraph.config import secret
from hopgraph.errors import ConfigError

log = logging.getLogger("hopgraph.cli.serve")

SERVE_DESCRIPTION = """Serve a graph over HTTP until stopped (Ctrl-C or SIGTERM: the store is saved and a
running ingest job stops between batches, resumable).

    hopgraph serve --graph DIR [--host 127.0.0.1] [--port 8000]

REST under /v1 (OpenAPI at /openapi.json, docs at /docs): POST /v1/ask, POST /v1/cypher
(read-only), GET /v1/stats, GET /v1/entities?q=, GET /v1/entities/{id}/neighbourhood,
GET /v1/passages/{id}, POST /v1/documents (background ingest), GET /v1/jobs/{id}[/events],
DELETE /v1/documents/{id}, GET /healthz. OpenAI-compatible: GET /v1/models,
POST /v1/chat/completions. MCP (streamable HTTP): /mcp. A bearer token is required when
[serve] token_env names a set environment variable."""

MCP_DESCRIPTION = """Serve a graph's MCP tools over stdio (for Claude Desktop, IDEs, agent frameworks):
ask, cypher (read-only), search_entities, neighbourhood, get_passage, graph_schema.

    hopgraph mcp --graph DIR"""


def _missing_extra(exc: ImportError) -> ConfigError:
    return ConfigError(
        f"the server needs the serve extra ({exc.name} is missing): pip install 'hopgraph[serve]'"
    )


def _service(args: argparse.Namespace) -> Any:
    try:
        from hopgraph.serve.service import GraphService
    except ImportError as exc:
        raise _missing_extra(exc) from None
    set_torch_threads(args.threads)
    hg = open_graph(args)
    try:
        service = GraphService(hg)
        service.warm_up()
    except BaseException:
        hg.close()
        raise
    return service


def cmd_serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        from hopgraph.serve.app import create_app, run_server
    except ImportError as exc:
        raise _missing_extra(exc) from None
    token = ""
    hg_settings_token_env = None
    service = _service(args)
    try:
        hg_settings_token_env = service.hg.settings.serve.token_env
        if hg_settings_token_env:
            token = secret(hg_settings_token_env)
        elif args.host not in {"127.0.0.1", "localhost", "::1"}:
            log.warning("serving on %s with no token: anyone who can reach it can read the graph", args.host)
        resumed = service.resume_interrupted()
        app = create_app(service, token=token, host=args.host)
    except BaseException:
        service.close()
        raise
    where = f"http://{args.host}:{args.port}"

    def ready() -> None:
        print(
            f"hopgraph serving {args.graph or args.url or 'the graph'} on {where} "
            f"(ready in {time.perf_counter() - started:.1f} s; "
            f"models warmed in {service.warm_ms / 1000:.1f} s"
            + (f"; resumed interrupted ingest as job {resumed}" if resumed else "")
            + f"). API docs: {where}/docs; Ctrl-C stops.",
            file=sys.stderr,
            flush=True,
        )

    try:
        run_server(app, args.host, args.port, ready=ready)
    finally:
        service.close()
    return EXIT_OK


def cmd_mcp(args: argparse.Namespace) -> int:
    try:
        from hopgraph.serve.mcp_tools import build_mcp
    except ImportError as exc:
        raise _missing_extra(exc) from None
    service = _service(args)
    try:
        build_mcp(service).run("stdio")
    finally:
        service.close()
    return EXIT_OK


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``serve`` and ``mcp`` to the ``hopgraph`` command (imports nothing heavy)."""
    p = sub.add_parser(
        "serve",
        parents=common,
        help="serve the graph: HTTP API, OpenAI-compatible chat, MCP",
        description=SERVE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=positive_int, default=8000, help="port (default 8000)")
    add_threads_option(p)
    p.set_defaults(func=cmd_serve)
    m = sub.add_parser(
        "mcp",
        parents=common,
        help="serve the graph's MCP tools over stdio",
        description=MCP_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_threads_option(m)
    m.set_defaults(func=cmd_mcp)


__all__ = ["register"]
