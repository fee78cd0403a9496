"""``hopgraph serve`` as a real process: the bearer token named by ``[serve] token_env``, an answer,
and a graceful SIGTERM (exit 0, store saved and the folder free for the next owner)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from helpers.serve_app import HEISENBERG, copy_graph, free_port

from hopgraph.api import HopGraph
from hopgraph.cli.app import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_serve_and_mcp_are_commands() -> None:
    args = build_parser().parse_args(["serve", "--graph", "g"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert build_parser().parse_args(["mcp", "--graph", "g"]).command == "mcp"


@pytest.mark.slow
def test_serve_process_token_answer_and_sigterm(
    demo_graph: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = copy_graph(demo_graph, tmp_path_factory)
    (folder / "hopgraph.toml").write_text('[serve]\ntoken_env = "HG_TEST_TOKEN"\n', encoding="utf-8")
    port = free_port()
    env = dict(os.environ, HG_TEST_TOKEN="t0ken", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hopgraph", "serve", "--graph", str(folder), "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        refused = httpx.post(url + "/v1/ask", json={"question": HEISENBERG})
        assert refused.status_code == 401 and refused.headers["content-type"].startswith(
            "application/problem+json"
        )
        headers = {"Authorization": "Bearer t0ken"}
        answer = httpx.post(url + "/v1/ask", json={"question": HEISENBERG}, headers=headers, timeout=120)
        assert answer.status_code == 200 and answer.json()["answer"] == "Königsberg"
        assert httpx.post(url + "/mcp", json={}, headers={}).status_code == 401  # MCP needs it too
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr
    with HopGraph.open(folder) as hg:  # the folder is free again, the graph whole
        assert hg.stats().documents == 10
