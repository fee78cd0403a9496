"""``hopgraph serve`` latency and throughput beside the in-process ``ask``, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_serve.py [--graph DIR] [--questions FILE]
        [--single 30] [--clients 8] [--per-client 10]

1. ``hopgraph serve --graph DIR`` started as a real process on a free port of 127.0.0.1: the time
   from the start of the process to the first answered ``POST /v1/ask`` (what the README quotes).
2. In-process beside it: ``HopGraph.open(url=unix://DIR/falkordb/redis.sock)`` (the server's own
   FalkorDB, shared through its socket), warmed with one question; then ``--single`` rounds, each
   one ``hg.ask`` and one ``POST /v1/ask`` (one client, one keep-alive connection) of the same
   question, interleaved so that both see the same machine load: p50/p95 of each and the median
   of the per-round differences.
3. ``--clients`` concurrent clients, ``--per-client`` questions each: throughput (answers/s),
   p50/p95 ms, errors (any non-200).
Then SIGTERM and the server's exit code. Without ``--graph`` the demo documents are ingested into a
temporary folder first. Questions: the demo questions, or one per line of ``--questions`` (a
JSONL file with a ``question`` field, or a JSON list of such records, also works, e.g. MuSiQue's
``questions.json``). On the MuSiQue-100 graph (a copy: the server owns the folder while it runs)::

    cp -r benchmarks/.work/musique /tmp/musique
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_serve.py --graph /tmp/musique \
        --questions ../shared/data/musique100/questions.json --out benchmarks/results/serve_musique.json
 The load average before and after
is printed too (the machine is shared). Writes benchmarks/results/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO_QUESTIONS = [
    "Where was the teacher of Werner Heisenberg born?",
    "Where was the teacher of Lise Meitner born?",
    "Niels Bohr was born in the capital of which country?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 95), 1)}


def load_questions(path: str | None, limit: int) -> list[str]:
    if not path:
        return DEMO_QUESTIONS
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):  # a JSON list (MuSiQue's questions.json): its question fields
        items = json.loads(text)
        return [str(q["question"] if isinstance(q, dict) else q) for q in items][:limit]
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        out.append(json.loads(line)["question"] if line.startswith("{") else line)
        if len(out) >= limit:
            break
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_in_process(folder: Path, question: str) -> Any:
    import torch

    from hopgraph.api import HopGraph

    class SameCaches(HopGraph):
        """Opened through the server's socket, with the server's graph caches (index, passage
        entities): a store opened by URL has no folder, hence no caches, and would answer slower."""

        @property
        def cache_dir(self) -> Path:
            return folder / "cache"

    torch.set_num_threads(1)  # as `hopgraph ask` and `hopgraph serve` (--threads 1)
    hg = SameCaches.open(url=f"unix://{folder.resolve()}/falkordb/redis.sock")
    started = time.perf_counter()
    hg.ask(question)
    return hg, time.perf_counter() - started


def interleaved(url: str, hg: Any, questions: list[str], n: int) -> dict[str, Any]:
    local, remote, errors = [], [], 0
    with httpx.Client(base_url=url, timeout=120) as client:
        for i in range(n):
            q = questions[i % len(questions)]
            t = time.perf_counter()
            hg.ask(q)
            local.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            r = client.post("/v1/ask", json={"question": q})
            remote.append((time.perf_counter() - t) * 1000)
            errors += r.status_code != 200
    diffs = [b - a for a, b in zip(local, remote, strict=True)]
    return {
        "in_process": summary(local),
        "one_client": {"errors": errors, **summary(remote)},
        "median_round_difference_ms": round(statistics.median(diffs), 1),
    }


def many_clients(url: str, questions: list[str], clients: int, per_client: int) -> dict[str, Any]:
    ms: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker(k: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            client.get("/healthz")  # connect before the clock starts
            barrier.wait()
            for i in range(per_client):
                t = time.perf_counter()
                r = client.post("/v1/ask", json={"question": questions[(k + i) % len(questions)]})
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    ms.append(elapsed)
                    errors[0] += r.status_code != 200

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "errors": errors[0],
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(ms) / wall, 2),
        **summary(ms),
    }


def serve(folder: Path, questions: list[str], args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", str(ROOT)))
    # the server's stderr: its ready line says where start-up went
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - read after the server stops, closed there
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hopgraph", "serve", "--graph", str(folder), "--port", str(port)],
        env=env,
        stderr=log,
        text=True,
    )
    try:
        first = None
        with httpx.Client(base_url=url, timeout=120) as client:
            while first is None:
                if proc.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"hopgraph serve exited with {proc.returncode}: {log.read()}")
                try:
                    r = client.post("/v1/ask", json={"question": questions[0]})
                    if r.status_code == 200:
                        first = time.perf_counter() - started
                except httpx.TransportError:
                    time.sleep(0.1)
        hg, warm_s = open_in_process(folder, questions[0])
        try:
            rounds = interleaved(url, hg, questions, args.single)
        finally:
            hg.close()
        concurrent = many_clients(url, questions, args.clients, args.per_client)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    log.seek(0)
    ready = re.search(r"ready in ([\d.]+) s; models warmed in ([\d.]+) s", log.read())
    log.close()
    return {
        "start_to_first_answer_s": round(first, 2),
        # the server's own account: ready (listening) after X s, of which Y s warming the models;
        # the rest is imports and opening the store (the embedded server loading the graph)
        "server_ready_s": float(ready.group(1)) if ready else None,
        "models_warmed_s": float(ready.group(2)) if ready else None,
        "in_process_warm_s": round(warm_s, 2),
        **rounds,
        "concurrent": concurrent,
        "sigterm_exit": code,
    }


def build_demo(folder: Path) -> None:
    from hopgraph.api import HopGraph

    with HopGraph.open(folder) as hg:
        hg.ingest(str(ROOT / "data" / "demo" / "docs"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", help="graph folder (default: the demo documents, ingested first)")
    parser.add_argument("--questions", help="questions: one per line, or JSONL with a question field")
    parser.add_argument("--limit", type=int, default=100, help="questions read from --questions")
    parser.add_argument("--single", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "serve.json"))
    args = parser.parse_args()
    questions = load_questions(args.questions, args.limit)
    tmp = None
    if args.graph:
        folder = Path(args.graph)
    else:
        tmp = tempfile.mkdtemp(prefix="bs")
        folder = Path(tmp) / "g"
        print("ingesting the demo documents ...", file=sys.stderr)
        build_demo(folder)
    load_before = os.getloadavg()
    result: dict[str, Any] = {
        "graph": str(folder) if args.graph else "demo (data/demo/docs)",
        "questions": len(questions),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_before": [round(x, 2) for x in load_before],
    }
    result.update(serve(folder, questions, args))
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result["http_minus_in_process_p50_ms"] = round(
        result["one_client"]["p50_ms"] - result["in_process"]["p50_ms"], 1
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
