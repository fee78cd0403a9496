"""Store benchmark: MetaQA KB import, 2-hop bounded subgraph latency, peak memory.

    .venv/bin/python benchmarks/bench_store.py [--queries 1000] [--json benchmarks/results/store.json]

Imports ../shared/data/metaqa/kb.txt + kb_supplement.txt into a fresh embedded FalkorDB graph
through the TSV importer (the same path as `hopgraph import`), then times 2-hop bounded
subgraph queries around random entities (seeded), and reports peak memory of the server
(VmHWM of redis-server) and of this Python process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

from hopgraph.extract.importers.triples import import_triples
from hopgraph.kg.falkordb.store import FalkorDBStore

ROOT = Path(__file__).resolve().parents[1]
METAQA = ROOT.parent / "shared" / "data" / "metaqa"
WORK = ROOT / "benchmarks" / ".work"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--hops", type=int, default=2)
    parser.add_argument("--max-nodes", type=int, default=500)
    parser.add_argument("--max-edges", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    files = [METAQA / "kb.txt", METAQA / "kb_supplement.txt"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"missing benchmark data: {', '.join(missing)}", file=sys.stderr)
        return 2
    folder = WORK / "metaqa-graph"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    with FalkorDBStore(folder) as store:
        assert store.server is not None and store.server.pid is not None
        start = time.perf_counter()
        triples = 0
        for f in files:
            triples += import_triples(store, f, format="tsv").triples
        import_s = time.perf_counter() - start
        stats = store.stats()
        print(
            f"import: {triples} triple lines -> {stats.entities} entities, {stats.relations} relations "
            f"in {import_s:.2f} s ({triples / import_s:,.0f} triples/s)"
        )

        ids = [e.id for e in store.iter_entities()]
        rng = random.Random(args.seed)
        seeds = [rng.choice(ids) for _ in range(args.queries)]
        for seed in seeds[:20]:  # warm-up
            store.subgraph([seed], hops=args.hops, max_nodes=args.max_nodes, max_edges=args.max_edges)
        latencies, sizes, truncated = [], [], 0
        for seed in seeds:
            t0 = time.perf_counter()
            sub = store.subgraph([seed], hops=args.hops, max_nodes=args.max_nodes, max_edges=args.max_edges)
            latencies.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(sub.relations))
            truncated += sub.truncated
        p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
        print(
            f"{args.hops}-hop subgraph (max {args.max_nodes} nodes / {args.max_edges} edges), "
            f"{args.queries} random seeds: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
            f"mean edges {statistics.mean(sizes):.0f}, truncated {truncated}"
        )
        server_mb = _peak_rss_mb(store.server.pid)
        used_peak_mb = int(store._db.connection.info("memory")["used_memory_peak"]) / 2**20
    python_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory: server {server_mb:.0f} MiB RSS ({used_peak_mb:.0f} MiB allocated), "
        f"python {python_mb:.0f} MiB"
    )

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "machine": f"{platform.machine()} {platform.processor() or ''} cores={_cores()}".strip(),
                    "import": {
                        "triple_lines": triples,
                        "entities": stats.entities,
                        "relations": stats.relations,
                        "seconds": round(import_s, 3),
                    },
                    "subgraph": {
                        "hops": args.hops,
                        "queries": args.queries,
                        "max_nodes": args.max_nodes,
                        "max_edges": args.max_edges,
                        "p50_ms": round(p50, 3),
                        "p95_ms": round(p95, 3),
                        "mean_edges": round(statistics.mean(sizes), 1),
                        "truncated": truncated,
                    },
                    "peak_memory_mib": {
                        "server_rss": round(server_mb),
                        "server_allocated": round(used_peak_mb),
                        "python": round(python_mb),
                    },
                },
                indent=2,
            )
            + "\n"
        )
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
