"""Start-up stress of the embedded FalkorDB server (issue 12, item 7).

    nice -n 10 .venv/bin/python benchmarks/stress_server_startup.py --cycles 300 --load 2 \
        [--attempts 1 --stall 60] [--json benchmarks/results/server_startup.json]

Each cycle opens one of ``--graphs`` graph folders (a new server that replays its append-only
file and rebuilds its vector and full-text indexes), checks that every write acknowledged in
earlier cycles is there, writes a batch of triples, chunk text and embeddings, and closes it (a
saving shutdown). Every ``--kill-every``-th cycle ends with ``kill -9`` of the server instead, so
the next start-up replays an unsaved log. ``--load N`` runs N busy processes beside it (the
start-up races under CPU contention were what the issue saw).

A cycle fails when the store does not open (``StoreUnavailableError``) or an acknowledged write
is missing. ``restarts`` counts start-ups the watchdog killed and started again.

``--costly N`` adds, before each ``kill -9``, one costly write (a cartesian product over N nodes):
the next start-up replays it from the log and answers nothing meanwhile, the silence the issue's
"did not start in 60s" came from. ``--startup-timeout S`` sets the server's limit on that
silence. To run the code before the watchdog, put its tree first on PYTHONPATH (the harness passes
only the options that tree's ``EmbeddedFalkorDB`` takes):

    git archive d43dd9c | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base nice -n 10 .venv/bin/python benchmarks/stress_server_startup.py ...
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import multiprocessing
import os
import platform
import shutil
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from hopgraph.errors import StoreUnavailableError
from hopgraph.kg.falkordb import server as server_module
from hopgraph.kg.falkordb import store as store_module
from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.types import Chunk, Document, Triple

ROOT = Path(__file__).resolve().parents[1]
DIMENSION = 32


def _busy(stop_at: float) -> None:
    os.nice(5)
    x = 0
    while time.monotonic() < stop_at:
        x = (x * 31 + 7) % 1_000_003


def _vector(seed: int) -> list[float]:
    return [((seed * 7919 + i * 104729) % 1000) / 1000.0 + 0.001 for i in range(DIMENSION)]


def _write_batch(store: FalkorDBStore, graph: int, cycle: int, size: int) -> int:
    doc = Document(source=f"g{graph}-c{cycle}", title=f"cycle {cycle}")
    chunk = Chunk(doc_id=doc.id, ord=0, text=f"graph {graph} cycle {cycle} " + "word " * 50)
    store.upsert_documents([doc])
    store.upsert_chunks([chunk])
    triples = [
        Triple(
            f"g{graph} c{cycle} s{i}",
            "relates to",
            f"g{graph} c{cycle} o{i}",
            doc_id=doc.id,
            chunk_id=chunk.id,
        )
        for i in range(size)
    ]
    store.upsert_triples(triples)
    store.set_embeddings("Entity", {t.subject_id: _vector(cycle * size + i) for i, t in enumerate(triples)})
    store.set_embeddings("Chunk", {chunk.id: _vector(cycle)})
    return len(triples)


def _check(store: FalkorDBStore, expected_relations: int, expected_chunks: int) -> str:
    relations = store.cypher("MATCH (:Entity)-[r:RELATES_TO]->(:Entity) RETURN count(r) AS n")[0]["n"]
    chunks = store.cypher("MATCH (c:Chunk) WHERE c.embedding IS NOT NULL RETURN count(c) AS n")[0]["n"]
    if relations < expected_relations or chunks < expected_chunks:
        return f"lost writes: {relations}/{expected_relations} relations, {chunks}/{expected_chunks} chunks"
    return ""


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The watchdog's settings for this run (the store builds its server with the defaults).
    options: dict[str, Any] = {"stall_timeout": args.stall, "start_attempts": args.attempts}
    if args.startup_timeout:
        options["startup_timeout"] = args.startup_timeout
    accepted = inspect.signature(server_module.EmbeddedFalkorDB.__init__).parameters
    options = {k: v for k, v in options.items() if k in accepted}
    store_module.EmbeddedFalkorDB = functools.partial(  # type: ignore[misc,assignment]
        server_module.EmbeddedFalkorDB, **options
    )
    acked = [[0, 0] for _ in range(args.graphs)]  # relations, chunks acknowledged per graph
    loaders = [
        multiprocessing.Process(target=_busy, args=(time.monotonic() + 24 * 3600,), daemon=True)
        for _ in range(args.load)
    ]
    for p in loaders:
        p.start()
    open_times: list[float] = []
    failures: list[str] = []
    restarts = 0
    started = time.monotonic()
    try:
        for cycle in range(args.cycles):
            graph = cycle % args.graphs
            folder = work / f"g{graph}"
            t0 = time.monotonic()
            try:
                store = FalkorDBStore(folder)
            except StoreUnavailableError as exc:
                failures.append(f"cycle {cycle}: {str(exc).splitlines()[0]}")
                print(f"cycle {cycle}: FAILED to open: {str(exc).splitlines()[0]}", flush=True)
                continue
            open_times.append(time.monotonic() - t0)
            assert store.server is not None
            restarts += getattr(store.server, "restarts", 0)
            problem = _check(store, *acked[graph])
            if problem:
                failures.append(f"cycle {cycle}: {problem}")
                print(f"cycle {cycle}: {problem}", flush=True)
            acked[graph][0] += _write_batch(store, graph, cycle, args.batch)
            acked[graph][1] += 1
            if args.kill_every and cycle % args.kill_every == args.kill_every - 1:
                if args.costly:
                    store.cypher(f"UNWIND range(1, {args.costly}) AS i CREATE (:Costly {{i: i}})", write=True)
                    store.cypher(
                        "MATCH (a:Costly), (b:Costly), (c:Costly) WITH count(*) AS n "
                        "MATCH (x:Costly) DELETE x",
                        write=True,
                    )
                pid = store.server.pid
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                store.server._wait_exit(pid, timeout=10)  # reap it
                store.server.pid = None
            store.close()
            if cycle % 25 == 24:
                print(
                    f"{cycle + 1} cycles, {len(failures)} failures, {restarts} restarts, "
                    f"open p50 {statistics.median(open_times):.2f}s max {max(open_times):.2f}s",
                    flush=True,
                )
    finally:
        for p in loaders:
            p.terminate()
    return {
        "cycles": args.cycles,
        "graphs": args.graphs,
        "load_processes": args.load,
        "attempts": args.attempts,
        "stall_timeout_s": args.stall,
        "kill_every": args.kill_every,
        "costly_nodes": args.costly,
        "startup_timeout_s": args.startup_timeout or "default",
        "server_options": sorted(options),
        "failures": len(failures),
        "failure_details": failures[:20],
        "restarts": restarts,
        "open_s_p50": round(statistics.median(open_times), 3) if open_times else None,
        "open_s_max": round(max(open_times), 3) if open_times else None,
        "wall_s": round(time.monotonic() - started, 1),
        "relations_acknowledged": sum(r for r, _ in acked),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--graphs", type=int, default=3, help="graph folders opened in turn")
    parser.add_argument("--batch", type=int, default=200, help="triples written per cycle")
    parser.add_argument("--load", type=int, default=2, help="busy processes running beside")
    parser.add_argument(
        "--kill-every", type=int, default=5, help="kill -9 the server every N cycles (0: never)"
    )
    parser.add_argument("--attempts", type=int, default=3, help="start-up attempts (1: no watchdog restart)")
    parser.add_argument("--stall", type=float, default=20.0, help="seconds without progress before a restart")
    parser.add_argument("--costly", type=int, default=0, help="costly write over N nodes before each kill")
    parser.add_argument("--startup-timeout", type=float, default=0.0, help="server's limit on a silent start")
    parser.add_argument("--work", default=str(Path("/tmp") / f"hopgraph-stress-{os.getpid()}"))
    parser.add_argument("--json", help="write the result here")
    args = parser.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(args.work, ignore_errors=True)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
