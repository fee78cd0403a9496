"""Where a cold ``hopgraph ask`` spends its time: wall and CPU time of each phase, in a fresh process.

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/bench_ask_phases.py --graph DIR [--repeats 3]

Each repeat starts a new Python process that goes through what ``hopgraph ask`` does, one phase
at a time: import the CLI, import torch (the command sets its threads), start the graph's store,
load the embedder and the pipeline (graph index, scorer; the pipeline modules import scipy),
load spaCy (import and pipeline), answer the question, close the store. The process's own start
(interpreter, site) is what ``bench_ask_cold.py``'s wall time adds. Prints one table per repeat
and the median of each phase.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Where was the teacher of Werner Heisenberg born?"

CHILD = """
import json, sys, time
phases = []
last = [time.perf_counter(), time.process_time()]
def lap(name):
    now = [time.perf_counter(), time.process_time()]
    phases.append((name, now[0] - last[0], now[1] - last[1]))
    last[:] = now
import hopgraph.cli.app
lap("import the CLI (numpy, argparse, hopgraph.api)")
from hopgraph.cli.common import set_torch_threads
set_torch_threads(1)
lap("import torch")
from hopgraph.api import HopGraph
hg = HopGraph.open(sys.argv[1])
lap("start the store (embedded FalkorDB)")
from hopgraph.embed import SentenceTransformerEmbedder
embedder = SentenceTransformerEmbedder()
embedder.dimension
lap("load the embedder (" + embedder.backend + ")")
from hopgraph.reason.doc.pipeline import GraphQA
qa = GraphQA.load(hg.store, embedder=embedder, cache_dir=hg.cache_dir)
lap("load the pipeline (modules, graph index)")
qa.nlp
lap("load spaCy (import, pipeline)")
answer = qa.ask(sys.argv[2])
lap("answer")
hg.close()
lap("close the store")
print(json.dumps({"phases": phases, "answer": answer.best_guess or answer.text}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, metavar="DIR")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs: list[list[tuple[str, float, float]]] = []
    for i in range(args.repeats + 1):  # the first, untimed: bytecode and page caches
        load = float(Path("/proc/loadavg").read_text().split()[0])
        cmd = [sys.executable, "-c", CHILD, args.graph, args.question]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if i == 0:
            continue
        runs.append([tuple(p) for p in result["phases"]])
        print(f"run {i} (load {load:.2f}, answer {result['answer']!r}):")
        for name, wall, cpu in result["phases"]:
            print(f"  {name:48s} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU")
    print("median:")
    for j, (name, _, _) in enumerate(runs[0]):
        wall = statistics.median(r[j][1] for r in runs)
        cpu = statistics.median(r[j][2] for r in runs)
        print(f"  {name:48s} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU")
    total_wall = statistics.median(sum(p[1] for p in r) for r in runs)
    total_cpu = statistics.median(sum(p[2] for p in r) for r in runs)
    print(f"  {'total (after the interpreter started)':48s} {total_wall * 1000:7.0f} ms wall "
          f"{total_cpu * 1000:7.0f} ms CPU")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
