"""A resumed ingest equals an uninterrupted one: the issue-12 reproduction on 2WikiMultihopQA.

Ingests the first RECORDS records of ``../shared/data/2wiki/corpus.json`` cleanly with the real
``hopgraph ingest`` command (offline spaCy extractor, MiniLM name vectors, batches of 64), then,
for each fault and each interruption point, starts the same command in a fresh folder, injects the
fault once ``done`` chunks are committed (kill -9 of hopgraph, kill -9 of its redis-server, Ctrl-C),
runs the command again and compares the two graphs in canonical form (hopgraph.kg.canonical).

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/bench_resume.py [--records 300]
        [--at 128 192] [--faults kill kill-redis int]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.faults import canonical, child_env, command, done_chunks, run_until  # noqa: E402

from hopgraph.kg.canonical import counts, graph_diff  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "2wiki" / "corpus.json"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--at", type=int, nargs="+", default=[128, 192], help="done chunks at the fault")
    parser.add_argument("--faults", nargs="+", default=["kill", "kill-redis", "int"])
    parser.add_argument("--keep", action="store_true", help="keep the graph folders")
    args = parser.parse_args()
    import subprocess

    work = Path(tempfile.mkdtemp(prefix="hgres"))
    corpus = work / "corpus.json"
    corpus.write_text(json.dumps(json.loads(CORPUS.read_text())[: args.records]))
    started = time.monotonic()
    clean_dir = work / "clean"
    subprocess.run([*command(), "ingest", str(corpus), "--graph", str(clean_dir)], check=True,
                   env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    clean = canonical(clean_dir)
    print(f"clean run: {counts(clean)} ({time.monotonic() - started:.0f} s)", flush=True)
    rows = []
    for fault in args.faults:
        for at in args.at:
            folder = work / f"{fault}-{at}"
            state = folder / "jobs.sqlite"
            status = run_until(
                ["ingest", str(corpus), "--graph", str(folder)],
                ready=lambda state=state, at=at: done_chunks(state) >= at,
                fault=fault,
                delay=1.0,
            )
            done = done_chunks(state)
            subprocess.run([*command(), "ingest", str(corpus), "--graph", str(folder)], check=True,
                           env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            diff = graph_diff(clean, canonical(folder))
            rows.append({"fault": fault, "at": done, "exit": status, "same": not diff})
            print(f"{fault} at {done} chunks (exit {status}): {'same graph' if not diff else 'DIFFERENT'}",
                  flush=True)  # fmt: skip
            for line in diff[:12]:
                print("   " + line[:300])
    different = sum(1 for r in rows if not r["same"])
    print(f"{len(rows)} interrupted runs, {different} resumed graph(s) different from the clean one "
          f"({time.monotonic() - started:.0f} s)")  # fmt: skip
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
