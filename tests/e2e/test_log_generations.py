"""Log rewrites keep the previous generation (BENCHMARKS.md: FalkorDB 4.16.3 wrote snapshots it could
not load back): a rewritten log whose snapshot base does not load falls back to the previous base
and every log after it, with nothing lost; one that loads drops the previous generation."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.types import Triple


def _write(store: FalkorDBStore, tag: str, n: int = 300) -> None:
    store.upsert_triples([Triple(f"{tag} s{i}", "links to", f"{tag} o{i}", doc_id="d") for i in range(n)])


def _names(store: FalkorDBStore) -> set[str]:
    return {r["n"] for r in store.cypher("MATCH (e:Entity) RETURN e.name AS n")}


def _manifest(folder: Path) -> list[dict[str, str]]:
    text = (folder / "falkordb" / "appendonlydir" / "appendonly.aof.manifest").read_text()
    return [dict(zip(line.split()[::2], line.split()[1::2], strict=True)) for line in text.splitlines()]


def _rewritten(folder: Path, rewrites: int = 1) -> set[str]:
    """A graph written, its log rewritten (a snapshot base) and written again, ``rewrites`` times;
    its entity names."""
    with FalkorDBStore(folder) as store:
        _write(store, "before")
        assert store.server is not None
        for n in range(rewrites):
            store.server.compact()
            _write(store, f"after {n}")
        names = _names(store)
    assert len(names) == 600 * (rewrites + 1)
    entries = _manifest(folder)
    assert any(e["type"] == "h" for e in entries), entries  # the previous generation is kept
    return names


@pytest.mark.parametrize("rewrites", [1, 3])
def test_a_rewritten_log_whose_snapshot_does_not_load_falls_back_to_the_previous_generation(
    rewrites: int, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    names = _rewritten(short_tmp, rewrites)
    logs = short_tmp / "falkordb" / "appendonlydir"
    (base,) = [logs / e["file"] for e in _manifest(short_tmp) if e["type"] == "b"]
    assert base.suffix == ".rdb"
    base.write_bytes(base.read_bytes()[: base.stat().st_size // 2])  # a snapshot the server cannot load
    with (
        caplog.at_level(logging.WARNING, logger="hopgraph.kg.falkordb.server"),
        FalkorDBStore(short_tmp) as store,
    ):
        assert _names(store) == names  # nothing lost
        _write(store, "later", 10)
    assert "previous generation" in caplog.text
    assert base.with_name(base.name + ".unloadable").is_file()
    with FalkorDBStore(short_tmp) as store:  # and it stays good
        assert len(_names(store)) == len(names) + 20


def test_a_rewritten_log_that_loads_drops_the_previous_generation(short_tmp: Path) -> None:
    names = _rewritten(short_tmp)
    history = [e["file"] for e in _manifest(short_tmp) if e["type"] == "h"]
    with FalkorDBStore(short_tmp) as store:
        assert _names(store) == names
    assert [e for e in _manifest(short_tmp) if e["type"] == "h"] == []
    logs = short_tmp / "falkordb" / "appendonlydir"
    assert not any((logs / name).exists() for name in history)
