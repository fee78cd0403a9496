"""The start-up stress harness (benchmarks/stress_server_startup.py) as a test: a short run in the
default suite, hundreds of cycles under ``make stress``. Every cycle reopens a graph with vector
and full-text indexes, checks every write acknowledged before (some cycles end in ``kill -9``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "stress_server_startup", ROOT / "benchmarks" / "stress_server_startup.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(short_tmp: Path, *args: str) -> dict[str, object]:
    harness = _harness()
    out = short_tmp / "result.json"
    code = harness.main([*args, "--work", str(short_tmp / "w"), "--json", str(out)])
    result: dict[str, object] = json.loads(out.read_text())
    assert code == 0 and result["failures"] == 0, result["failure_details"]
    return result


def test_short_start_stop_cycles_lose_nothing(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hopgraph.kg.falkordb import store

    monkeypatch.setattr(store, "EmbeddedFalkorDB", store.EmbeddedFalkorDB)  # the harness swaps it
    result = _run(
        short_tmp, "--cycles", "6", "--graphs", "2", "--batch", "50", "--load", "0", "--kill-every", "3"
    )
    assert result["relations_acknowledged"] == 6 * 50


@pytest.mark.stress
def test_hundreds_of_start_stop_cycles_under_load(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hopgraph.kg.falkordb import store

    monkeypatch.setattr(store, "EmbeddedFalkorDB", store.EmbeddedFalkorDB)
    _run(short_tmp, "--cycles", "200", "--graphs", "3", "--batch", "100", "--load", "2", "--kill-every", "5")
