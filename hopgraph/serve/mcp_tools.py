"""The graph as MCP tools (official ``mcp`` Python SDK): ``hopgraph mcp`` serves them over stdio,
``hopgraph serve`` over streamable HTTP at ``/mcp``.

Tools: ``ask`` (a question -> the ``hopgraph.answer/1`` document), ``cypher`` (read-only, enforced
by the database; time-limited, row-capped), ``search_entities`` (name search), ``neighbourhood``
(bounded k-hop subgraph of an entity), ``get_passage`` (a chunk's text and source) and
``graph_schema`` (labels and relationship types with counts, properties: what an agent needs to
write Cypher). A hopgraph error comes back as a tool error carrying the CLI's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from hopgraph import __version__
from hopgraph.errors import HopGraphError, ReadOnlyError
from hopgraph.serve.problems import read_only_detail
from hopgraph.serve.service import GraphService

T = TypeVar("T")

INSTRUCTIONS = """A knowledge graph built from documents:
(:Document)-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(:Entity), and
(:Entity)-[:TYPE {predicate, chunk_ids, doc_ids}]->(:Entity) relations.
Use `ask` for a question answered with checkable reasoning paths and cited passages;
`graph_schema` before writing Cypher; `search_entities` to find entity ids, `neighbourhood`
to see what surrounds one, `get_passage` to read a chunk a path or answer cites.
`cypher` is read-only."""


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except HopGraphError as exc:
        message = read_only_detail(exc) if isinstance(exc, ReadOnlyError) else str(exc)
        raise ToolError(message) from None


def build_mcp(service: GraphService) -> MCPServer[Any]:
    """An MCP server whose tools answer from ``service``."""
    server: MCPServer[Any] = MCPServer("hopgraph", version=__version__, instructions=INSTRUCTIONS)

    @server.tool()
    def ask(question: str, method: str = "full", k: int = 5) -> dict[str, Any]:
        """Answer a question from the graph: the answer, numbered reasoning paths (each hop a stored
        relation with the chunks it was read from) and the cited passages (hopgraph.answer/1).
        method: dense | fulltext | hybrid | ppr | gnn_ppr | full (default)."""
        return _call(lambda: service.answer_dict(service.ask(question, method=method, k=k)))

    @server.tool()
    def cypher(query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a read-only Cypher query (the database refuses writes); pass values as $parameters.
        Returns columns, rows (capped) and whether rows were cut."""
        return _call(lambda: service.cypher(query, params or {}))

    @server.tool()
    def search_entities(q: str, limit: int = 10) -> dict[str, Any]:
        """Find entities by name (full-text): ids, names, types, aliases, scores."""
        return {"entities": _call(lambda: service.search_entities(q, min(max(limit, 1), 100)))}

    @server.tool()
    def neighbourhood(entity_id: str, hops: int = 1, max_nodes: int = 100) -> dict[str, Any]:
        """The entities and relations within `hops` (1-3) of an entity, at most `max_nodes` nodes."""
        return _call(lambda: service.neighbourhood(entity_id, hops, max_nodes))

    @server.tool()
    def get_passage(chunk_id: str) -> dict[str, Any]:
        """A passage (chunk) by id: its text, document id, title and source."""
        return _call(lambda: service.passage(chunk_id))

    @server.tool()
    def graph_schema() -> dict[str, Any]:
        """Node labels and relationship types with their counts, and the properties they carry."""
        return _call(service.schema)

    return server


__all__ = ["INSTRUCTIONS", "build_mcp"]
