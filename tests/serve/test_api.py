"""The REST API (httpx through Starlette's TestClient) against a real demo graph: answers as
``hopgraph ask --json`` prints them, read-only Cypher, exploration routes, problem details with
the CLI's messages, the bearer token and the body limit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers.serve_app import BOHR, HEISENBERG

from hopgraph.render.text import answer_to_dict
from hopgraph.serve.app import create_app
from hopgraph.serve.problems import PROBLEM_JSON
from hopgraph.serve.service import GraphService


def assert_problem(response: Any, status: int, *needles: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    for needle in needles:
        assert needle in body["detail"], body
    assert "Traceback" not in response.text
    return body


def test_ask_returns_the_answer_document_the_cli_prints(client: TestClient, service: GraphService) -> None:
    response = client.post("/v1/ask", json={"question": HEISENBERG})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["schema"] == "hopgraph.answer/1"
    assert body["answer"] == "Königsberg"
    top = body["paths"][0]
    assert top["text"] == "Werner Heisenberg <-[teacher of]- Arnold Sommerfeld -[born in]-> Königsberg"
    assert top["cited"] and top["hops"][0]["chunk_ids"]
    # the same document `hopgraph ask --json` prints for the same graph and question
    answer = service.ask(HEISENBERG)
    assert body == answer_to_dict(answer, titles=service.titles(answer))


def test_ask_explain_and_method(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": BOHR, "explain": True, "method": "ppr", "k": 2}).json()
    assert body["question"] == BOHR and body["answer"]
    assert body["explain"]["timings"] and len(body["chunks"]) <= 2
    assert all("score" in c for c in body["chunks"])


@pytest.mark.parametrize(
    ("payload", "status", "needle"),
    [
        ({"question": ""}, 422, "the question is empty"),
        ({"question": "x" * 2500}, 422, "2,000"),
        ({"question": "Who?", "method": "magic"}, 422, "method"),
        ({"question": "Who?", "llm": "openai:gpt-4o@http://169.254.169.254/v1"}, 422, "not served here"),
        ({"nothing": 1}, 422, "question"),
    ],
)
def test_bad_questions_are_problems_with_the_cli_message(
    client: TestClient, payload: dict[str, Any], status: int, needle: str
) -> None:
    assert_problem(client.post("/v1/ask", json=payload), status, needle)


def test_bad_json_is_a_problem(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert_problem(response, 422, "invalid request")


def test_cypher_reads_with_parameters_and_caps_rows(client: TestClient, service: GraphService) -> None:
    query = (
        "MATCH (p:Entity {name: $who})-[:STUDY_UNDER]->(t)-[:BORN_IN]->(c) "
        "RETURN t.name AS teacher, c.name AS city"
    )
    body = client.post("/v1/cypher", json={"query": query, "params": {"who": "Lise Meitner"}}).json()
    assert body["columns"] == ["teacher", "city"]
    assert {"teacher": "Ludwig Boltzmann", "city": "Vienna"} in body["rows"]
    cap = service.settings.cypher_max_rows
    rows = client.post("/v1/cypher", json={"query": f"UNWIND range(1, {cap + 5}) AS i RETURN i"}).json()
    assert len(rows["rows"]) == cap and rows["truncated"] is True


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n:Entity {name: 'intruder'}) RETURN n",
        "MATCH (e:Entity) SET e.name = 'x'",
        "MATCH (e:Entity) DETACH DELETE e",
        "MERGE (n:Entity {name: 'intruder'})",
    ],
)
def test_cypher_refuses_writes_by_the_database(client: TestClient, query: str) -> None:
    before = client.get("/v1/stats").json()
    assert_problem(client.post("/v1/cypher", json={"query": query}), 403, "read-only", query)
    assert client.get("/v1/stats").json() == before


def test_cypher_syntax_error_names_the_query(client: TestClient) -> None:
    body = assert_problem(
        client.post("/v1/cypher", json={"query": "MATCH (n RETURN n"}), 422, "MATCH (n RETURN n"
    )
    assert body["error"] == {"type": "CypherError", "message": body["detail"]}


def test_stats_schema_entities_neighbourhood_passage(client: TestClient) -> None:
    stats = client.get("/v1/stats").json()
    assert stats["documents"] == 10 and stats["entities"] > 0 and stats["relation_types"]
    schema = client.get("/v1/schema").json()
    assert schema["labels"]["Document"] == 10
    assert schema["relationship_types"] == stats["relation_types"]
    hits = client.get("/v1/entities", params={"q": "Heisenberg"}).json()["entities"]
    heisenberg = next(h for h in hits if h["name"] == "Werner Heisenberg")
    hood = client.get(f"/v1/entities/{heisenberg['id']}/neighbourhood", params={"hops": 2}).json()
    names = {e["name"] for e in hood["entities"]}
    assert {"Werner Heisenberg", "Arnold Sommerfeld", "Königsberg"} <= names
    ids = {e["id"] for e in hood["entities"]}
    assert all(r["source"] in ids and r["target"] in ids for r in hood["relations"])
    small = client.get(
        f"/v1/entities/{heisenberg['id']}/neighbourhood", params={"hops": 3, "max_nodes": 3}
    ).json()
    assert len(small["entities"]) <= 3 and small["truncated"]
    chunk_id = hood["relations"][0]["chunk_ids"][0]
    passage = client.get(f"/v1/passages/{chunk_id}").json()
    assert passage["id"] == chunk_id and passage["text"] and passage["title"]


def test_unknown_things_are_404_problems(client: TestClient) -> None:
    assert_problem(client.get("/v1/entities/nope/neighbourhood"), 404, "no entity")
    assert_problem(client.get("/v1/passages/nope"), 404, "no passage")
    assert_problem(client.get("/v1/jobs/999"), 404, "999")
    assert_problem(client.delete("/v1/documents/nope"), 404, "nope")
    assert_problem(client.get("/v1/nowhere"), 404)
    assert_problem(client.get("/v1/entities/x/neighbourhood", params={"hops": 9}), 422, "hops")


def test_openapi_and_health(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/ask",
        "/v1/cypher",
        "/v1/stats",
        "/v1/entities",
        "/v1/documents",
        "/v1/jobs/{job_id}",
        "/v1/chat/completions",
        "/v1/models",
        "/healthz",
    ):
        assert path in spec["paths"], path
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["warm_ms"] > 0


def test_bearer_token_and_body_limit(service: GraphService) -> None:
    app = create_app(service, token="s3cret", close_on_shutdown=False, mcp=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/healthz").status_code == 200  # health checks need no token
        response = c.get("/v1/stats")
        assert_problem(response, 401, "bearer token")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert_problem(c.get("/v1/stats", headers={"Authorization": "Bearer wrong"}), 401)
        assert_problem(c.get("/v1/stats", headers={"Authorization": "Basic s3cret"}), 401)
        assert c.get("/v1/stats", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        big = {"question": "x" * (service.settings.max_body_bytes + 10)}
        headers = {"Authorization": "Bearer s3cret"}
        assert_problem(c.post("/v1/ask", json=big, headers=headers), 413, "over the limit")


@pytest.mark.parametrize("params", [{"": 1}, {"a b": 1}, {"1x": 2}])
def test_cypher_parameter_names_are_checked(client: TestClient, params: dict[str, Any]) -> None:
    """Found by the schemathesis run: a parameter name the store cannot send was a 500."""
    assert_problem(
        client.post("/v1/cypher", json={"query": "RETURN 1 AS one", "params": params}), 422, "parameter"
    )
