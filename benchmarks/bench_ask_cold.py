"""Cold ``hopgraph ask``: wall time, CPU time and peak memory of a fresh process answering one question.

    .venv/bin/python benchmarks/bench_ask_cold.py --graph /tmp/m/demo --repeats 3 \
        --json benchmarks/results/ask_cold.json [--compare-pythonpath /path/to/older/checkout]

Each repeat runs ``hopgraph ask --graph DIR QUESTION`` in a new process (``/usr/bin/time`` gives
the wall time, the user+sys CPU time and the peak RSS) with ``OMP_NUM_THREADS=1``; the 1-minute
load average before each run is recorded, since the machine may be shared: on a loaded machine
the CPU time moves much less than the wall time. With ``--compare-pythonpath`` every repeat also
runs the same command with that checkout first on ``PYTHONPATH`` (alternating, so both see the
same load), the answer lines printed by the two are compared, and the ratios of the medians
(this / compared) are reported. Each version asks its own copy of the graph folder: the versions'
graph caches differ (index format, passage entities) and one version's cache would replace the
other's, so every run would rebuild it. One untimed run of each version comes first: it writes the
bytecode caches (the child processes may write them, as an installed package has them; a
``PYTHONDONTWRITEBYTECODE`` in the caller's environment is dropped) and fills the page cache,
so every timed run starts Python, not the disk, cold. Build the demo graph first:
``hopgraph ingest data/demo/docs --graph DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Where was the teacher of Werner Heisenberg born?"


def run_once(graph: str, question: str, pythonpath: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=pythonpath, OMP_NUM_THREADS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    load = float(Path("/proc/loadavg").read_text().split()[0])
    # each version's own console-script function (the installed script names only the newest)
    entry = "import sys\nfrom hopgraph.cli import app\nsys.exit(getattr(app, 'console_main', app.main)())\n"
    # -P: the current folder is not put on sys.path, so PYTHONPATH picks the version
    python = [sys.executable, "-P", "-c", entry]
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", *python, "ask", "--graph", graph, question]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hopgraph ask failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    wall, user, system, rss_kb = done.stderr.strip().splitlines()[-1].split()
    return {
        "wall_s": float(wall),
        "cpu_s": float(user) + float(system),
        "max_rss_mb": int(rss_kb) / 1024,
        "load_1min": load,
        "out": done.stdout,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, metavar="DIR")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare-pythonpath", metavar="DIR", help="an older checkout to time alongside")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    versions = {"this": str(ROOT)}
    if args.compare_pythonpath:
        versions["compared"] = args.compare_pythonpath
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    copies = Path(tempfile.mkdtemp(prefix="bench-ask-cold-"))
    graphs = {}
    for name in versions:
        graphs[name] = str(copies / name)
        shutil.copytree(args.graph, graphs[name], ignore=shutil.ignore_patterns("*.sock", "*.pid"))
    for name, path in versions.items():  # untimed: bytecode, page and graph caches
        run_once(graphs[name], args.question, path)
    for i in range(args.repeats):
        for name, path in versions.items():
            result = run_once(graphs[name], args.question, path)
            runs[name].append(result)
            line = f"{name} run {i + 1}: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU"
            print(f"{line}, {result['max_rss_mb']:.0f} MB, load {result['load_1min']:.2f}", file=sys.stderr)
    report: dict[str, Any] = {"question": args.question, "graph": args.graph, "cpus": os.cpu_count()}
    for name, results in runs.items():
        report[name] = {
            "pythonpath": versions[name],
            "wall_s": [r["wall_s"] for r in results],
            "median_wall_s": statistics.median(r["wall_s"] for r in results),
            "cpu_s": [r["cpu_s"] for r in results],
            "median_cpu_s": statistics.median(r["cpu_s"] for r in results),
            "median_max_rss_mb": statistics.median(r["max_rss_mb"] for r in results),
            "load_1min": [r["load_1min"] for r in results],
        }
        medians = report[name]
        print(f"{name}: median {medians['median_wall_s']:.2f} s wall, {medians['median_cpu_s']:.2f} s CPU, "
              f"{medians['median_max_rss_mb']:.0f} MB")  # fmt: skip
    if "compared" in runs:
        same = all(
            _answer_line(a["out"]) == _answer_line(b["out"])
            for a, b in zip(runs["this"], runs["compared"], strict=True)
        )
        report["same_answers"] = same
        for key in ("median_wall_s", "median_cpu_s", "median_max_rss_mb"):
            report[f"ratio_{key.removeprefix('median_')}"] = report["this"][key] / report["compared"][key]
        print(f"answer lines identical: {same}; this / compared: wall {report['ratio_wall_s']:.2f}, "
              f"CPU {report['ratio_cpu_s']:.2f}, memory {report['ratio_max_rss_mb']:.2f}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    shutil.rmtree(copies, ignore_errors=True)
    return 0


def _answer_line(out: str) -> str:
    return next((line for line in out.splitlines() if line.startswith("Answer:")), "")


if __name__ == "__main__":
    sys.exit(main())
