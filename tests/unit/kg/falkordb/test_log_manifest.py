"""The manifest edit behind the fallback to the previous log generation (no server needed; the
real server's side is in tests/e2e/test_log_generations.py)."""

from __future__ import annotations

from pathlib import Path

from hopgraph.kg.falkordb.server import EmbeddedFalkorDB

REWRITTEN = """file appendonly.aof.3.base.rdb seq 3 type b
file appendonly.aof.2.incr.aof seq 2 type h startoffset 6
file appendonly.aof.2.base.rdb seq 2 type h
file appendonly.aof.1.incr.aof seq 1 type h startoffset 0
file appendonly.aof.1.base.rdb seq 1 type h
file appendonly.aof.3.incr.aof seq 3 type i startoffset 8 endoffset 9
"""


def _server(tmp_path: Path, manifest: str) -> tuple[EmbeddedFalkorDB, Path]:
    server = EmbeddedFalkorDB(tmp_path / "g")
    logs = server.data_dir / "appendonlydir"
    logs.mkdir(parents=True)
    for line in manifest.splitlines():
        (logs / line.split()[1]).write_bytes(b"x")
    (logs / "appendonly.aof.manifest").write_text(manifest)
    return server, logs


def test_the_fallback_is_the_oldest_kept_base_and_every_log_in_order(tmp_path: Path) -> None:
    server, logs = _server(tmp_path, REWRITTEN)
    assert server._fall_back_to_previous_log()
    assert (logs / "appendonly.aof.manifest").read_text().splitlines() == [
        "file appendonly.aof.1.base.rdb seq 1 type b",
        "file appendonly.aof.1.incr.aof seq 1 type i startoffset 0",
        "file appendonly.aof.2.incr.aof seq 2 type i startoffset 6",
        "file appendonly.aof.3.incr.aof seq 3 type i startoffset 8 endoffset 9",
    ]
    assert (logs / "appendonly.aof.3.base.rdb.unloadable").is_file()
    assert not server._fall_back_to_previous_log()  # no previous generation left: nothing to do


def test_no_fallback_without_a_previous_generation_or_with_a_file_missing(tmp_path: Path) -> None:
    plain = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    server, logs = _server(tmp_path / "a", plain)
    assert not server._fall_back_to_previous_log()
    assert (logs / "appendonly.aof.manifest").read_text() == plain
    server, logs = _server(tmp_path / "b", REWRITTEN)
    (logs / "appendonly.aof.1.incr.aof").unlink()
    assert not server._fall_back_to_previous_log()
    assert (logs / "appendonly.aof.manifest").read_text() == REWRITTEN  # left as it was
