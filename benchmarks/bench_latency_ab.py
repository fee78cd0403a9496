"""Question latency of two versions of hopgraph, alternated in one run: the ratio, not one figure.

    .venv/bin/python benchmarks/bench_latency_ab.py --base 3d3d651 --graph COPY --rounds 5 \\
        --json benchmarks/results/latency_ab.json

This machine's speed drifts by a fifth or more within minutes (other tenants of the host), so
one ``bench_qa_stages.py`` run says little about a change worth a few milliseconds. Here the
``--base`` revision's ``hopgraph`` package (``git archive``, into a temporary folder) and the
working tree's are timed in turns, each round a fresh process per version running
``bench_qa_stages.py`` over all the questions (one warm-up question, one torch thread), so both
see the same drift. It prints each round's p50 / p95 of the whole question and of the embed stage,
and the median over rounds of each version's p50 and of the per-round ratio (working tree / base).
``--graph`` should be a copy: both versions read its cache folder (a base that needs another
graph-index format rebuilds it there in its first round).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ROOT / "benchmarks" / "bench_qa_stages.py"


def _export(revision: str, into: Path) -> None:
    """``revision``'s ``hopgraph`` package, written under ``into``."""
    archive = subprocess.run(
        ["git", "archive", revision, "hopgraph"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _round(code: Path, graph: str, questions: str | None, out: Path) -> dict[str, dict[str, float]]:
    """One ``bench_qa_stages.py`` run with ``code`` first on the import path: its stage figures."""
    command = [sys.executable, str(STAGES), "--graph", graph, "--json", str(out)]
    if questions:
        command += ["--questions", questions]
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_NUM_THREADS": "1"}
    subprocess.run(command, env=env, check=True, capture_output=True)
    stages: dict[str, dict[str, float]] = json.loads(out.read_text())["stages_ms"]
    return stages


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--graph", required=True, help="a copy of a built graph folder")
    parser.add_argument("--questions", help="as bench_qa_stages.py (default MuSiQue-100)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", metavar="OUT", help="write every round's figures as JSON")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    versions = {"base": Path(), "new": ROOT}
    rounds: list[dict[str, dict[str, dict[str, float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        versions["base"] = Path(tmp) / "base"
        _export(args.base, versions["base"])
        print("round  base p50 / p95 (embed)   new p50 / p95 (embed)   new / base")
        for number in range(1, args.rounds + 1):
            figures = {
                name: _round(code, args.graph, args.questions, Path(tmp) / f"{name}.json")
                for name, code in versions.items()
            }
            rounds.append(figures)
            base, new = figures["base"], figures["new"]
            print(
                f"{number:5d}  {base['total']['p50']:5.1f} / {base['total']['p95']:5.1f} "
                f"({base['embed']['p50']:4.1f})      {new['total']['p50']:5.1f} / {new['total']['p95']:5.1f} "
                f"({new['embed']['p50']:4.1f})     {new['total']['p50'] / base['total']['p50']:.3f}"
            )
    summary = {
        name: {
            "p50_median": statistics.median(r[name]["total"]["p50"] for r in rounds),
            "p95_median": statistics.median(r[name]["total"]["p95"] for r in rounds),
            "p50_range": [
                min(r[name]["total"]["p50"] for r in rounds),
                max(r[name]["total"]["p50"] for r in rounds),
            ],
        }
        for name in versions
    }
    ratio = statistics.median(r["new"]["total"]["p50"] / r["base"]["total"]["p50"] for r in rounds)
    for name, row in summary.items():
        low, high = row["p50_range"]
        print(
            f"{name}: median p50 {row['p50_median']:.1f} ms (rounds {low:.1f}-{high:.1f}), "
            f"median p95 {row['p95_median']:.1f} ms"
        )
    print(f"median per-round ratio new / base: {ratio:.3f}")
    if args.json:
        result = {"base": args.base, "graph": args.graph, "rounds": rounds, "summary": summary}
        Path(args.json).write_text(json.dumps({**result, "ratio": ratio}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
