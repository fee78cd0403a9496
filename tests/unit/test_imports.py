"""Start-up cost: what importing hopgraph, and the CLI before it runs a command, loads.

A cold ``hopgraph ask`` pays for every module imported on its way (BENCHMARKS.md, "Cold
``hopgraph ask``"): the heavy libraries load only where a command needs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "spacy", "sentence_transformers", "transformers", "torch_geometric", "sklearn")


def _loaded_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_import_hopgraph_loads_no_heavy_library() -> None:
    assert _loaded_after("import hopgraph, hopgraph.api") == []


def test_the_cli_parses_its_arguments_without_heavy_libraries() -> None:
    code = (
        "from hopgraph.cli.app import build_parser\n"
        "build_parser().parse_args(['ask', '--graph', 'g', 'Where was Pauli born?'])"
    )
    assert _loaded_after(code) == []
