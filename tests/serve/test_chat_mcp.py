"""The OpenAI-compatible chat endpoint through the ``openai`` client, and the MCP tools through the
``mcp`` client: over streamable HTTP on a real uvicorn server, and over stdio against a real
``hopgraph mcp`` process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.serve_app import BOHR, HEISENBERG, LiveServer, copy_graph
from mcp import Client, StdioServerParameters

from hopgraph.serve.service import GraphService

openai = pytest.importorskip("openai")

TOOLS = {"ask", "cypher", "search_entities", "neighbourhood", "get_passage", "graph_schema"}
ROOT = Path(__file__).resolve().parents[2]


def test_models_and_plain_chat_completion(live: LiveServer) -> None:
    client = openai.OpenAI(base_url=live.url + "/v1", api_key="unused")
    assert "hopgraph" in {m.id for m in client.models.list()}
    reply = client.chat.completions.create(
        model="hopgraph",
        messages=[
            {"role": "system", "content": "You answer from the graph."},
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Ask me."},
            {"role": "user", "content": HEISENBERG},
        ],
    )
    content = reply.choices[0].message.content or ""
    assert content.startswith("Königsberg\n")
    assert "1. [P1] Werner Heisenberg <-[teacher of]- Arnold Sommerfeld -[born in]-> Königsberg" in content
    extra = reply.model_extra or {}
    cited = [c["label"] for c in extra["hopgraph"]["chunks"] if c["cited"]]
    assert cited and "**Passages**" in content and all(f"[{label}]" in content for label in cited)
    assert extra["hopgraph"]["schema"] == "hopgraph.answer/1"
    assert extra["hopgraph"]["answer"] == "Königsberg"
    assert reply.choices[0].finish_reason == "stop"


def test_streaming_chat_completion(live: LiveServer) -> None:
    client = openai.OpenAI(base_url=live.url + "/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="hopgraph", messages=[{"role": "user", "content": BOHR}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert (
        text.startswith("Denmark\n") and "Niels Bohr -[born in]-> Copenhagen -[capital of]-> Denmark" in text
    )
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert (chunks[-1].model_extra or {})["hopgraph"]["answer"] == "Denmark"


def test_chat_errors_reach_the_openai_client(live: LiveServer) -> None:
    client = openai.OpenAI(base_url=live.url + "/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.UnprocessableEntityError, match="unknown model"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": BOHR}])
    with pytest.raises(openai.UnprocessableEntityError, match="no question"):
        client.chat.completions.create(model="hopgraph", messages=[{"role": "system", "content": "hi"}])


async def _exercise_tools(client: Client) -> dict[str, Any]:
    """List the tools and call every one; returns the structured results by tool name."""
    tools = {t.name for t in (await client.list_tools()).tools}
    assert tools == TOOLS
    out: dict[str, Any] = {}
    out["ask"] = (await client.call_tool("ask", {"question": HEISENBERG})).structured_content
    out["graph_schema"] = (await client.call_tool("graph_schema", {})).structured_content
    hits = (await client.call_tool("search_entities", {"q": "Sommerfeld"})).structured_content
    out["search_entities"] = hits
    sommerfeld = next(e for e in hits["entities"] if e["name"] == "Arnold Sommerfeld")
    hood = (
        await client.call_tool("neighbourhood", {"entity_id": sommerfeld["id"], "hops": 1})
    ).structured_content
    out["neighbourhood"] = hood
    chunk_id = out["ask"]["paths"][0]["chunk_ids"][0]
    out["get_passage"] = (await client.call_tool("get_passage", {"chunk_id": chunk_id})).structured_content
    query = "MATCH (e:Entity {name: $n})-[r]->(o) RETURN type(r) AS rel, o.name AS obj"
    out["cypher"] = (
        await client.call_tool("cypher", {"query": query, "params": {"n": "Arnold Sommerfeld"}})
    ).structured_content
    refused = await client.call_tool("cypher", {"query": "CREATE (n:Entity {name: 'x'})"})
    assert refused.is_error and "read-only" in refused.content[0].text  # type: ignore[union-attr]
    missing = await client.call_tool("get_passage", {"chunk_id": "nope"})
    assert missing.is_error and "no passage" in missing.content[0].text  # type: ignore[union-attr]
    return out


def _check_tool_results(out: dict[str, Any]) -> None:
    assert out["ask"]["answer"] == "Königsberg"
    assert out["graph_schema"]["labels"]["Document"] == 10 and out["graph_schema"]["relationship_types"]
    assert "Königsberg" in {e["name"] for e in out["neighbourhood"]["entities"]}
    assert out["get_passage"]["text"] and out["get_passage"]["title"]
    assert {"rel": "BORN_IN", "obj": "Königsberg"} in out["cypher"]["rows"]


def test_mcp_tools_over_streamable_http(live: LiveServer) -> None:
    async def run() -> dict[str, Any]:
        async with Client(live.url + "/mcp") as client:
            return await _exercise_tools(client)

    _check_tool_results(asyncio.run(run()))


@pytest.mark.slow
def test_mcp_tools_over_stdio(
    demo_graph: Path, tmp_path_factory: pytest.TempPathFactory, service: GraphService
) -> None:
    """A real ``hopgraph mcp --graph DIR`` process (loads its own models)."""
    folder = copy_graph(demo_graph, tmp_path_factory)
    env = {
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "hopgraph", "mcp", "--graph", str(folder)], env=env
    )

    async def run() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=300) as client:
            return await _exercise_tools(client)

    _check_tool_results(asyncio.run(run()))
