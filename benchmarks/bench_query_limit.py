"""The runaway exploration query stopped at its time limit (issue 12, item 6).

    .venv/bin/hopgraph ingest data/demo/docs --graph /tmp/demo
    .venv/bin/python benchmarks/bench_query_limit.py --graph /tmp/demo --limits 1 5 30 \
        [--json benchmarks/results/query_limit.json]

Runs ``MATCH (a),(b),(c),(d) RETURN count(*) AS n`` (a four-way cartesian product: 22 s on the
110-node demo graph with no limit) through ``HopGraph.cypher`` with each time limit and reports
when the database stopped it, next to the limit (target: within limit + 1 s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from hopgraph import HopGraph
from hopgraph.errors import QueryTimeoutError

RUNAWAY = "MATCH (a),(b),(c),(d) RETURN count(*) AS n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", required=True)
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 5.0, 30.0])
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rows = []
    with HopGraph.open(args.graph) as hg:
        nodes = hg.cypher("MATCH (n) RETURN count(n) AS n")[0]["n"]
        for limit in args.limits:
            started = time.monotonic()
            try:
                hg.cypher(RUNAWAY, timeout_s=limit)
                outcome = "finished"
            except QueryTimeoutError:
                outcome = "stopped"
            elapsed = time.monotonic() - started
            rows.append({"limit_s": limit, "outcome": outcome, "seconds": round(elapsed, 3)})
            print(f"limit {limit:g} s: {outcome} after {elapsed:.3f} s", flush=True)
    result = {"graph_nodes": nodes, "query": RUNAWAY, "runs": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["outcome"] == "stopped" and r["seconds"] <= r["limit_s"] + 1 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
