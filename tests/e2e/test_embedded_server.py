"""The embedded FalkorDB server's lifecycle: crash recovery, folder locking, stale sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hopgraph.errors import StoreLockedError
from hopgraph.ids import entity_id
from hopgraph.kg.falkordb.server import STATE_FILE, EmbeddedFalkorDB
from hopgraph.kg.falkordb.store import FalkorDBStore

BATCH = 200

WRITER = textwrap.dedent(
    """
    import sys
    from hopgraph.kg.falkordb.store import FalkorDBStore
    from hopgraph.types import Document, Triple

    store = FalkorDBStore(sys.argv[1], batch_size=50)
    doc = Document(source="crash-test")
    store.upsert_documents([doc])
    for b in range(100_000):
        store.upsert_triples(
            [Triple(f"b{b} s{i}", "links to", f"b{b} o{i}", doc_id=doc.id) for i in range(BATCH)]
        )
        print(f"ack {b}", flush=True)
    """
).replace("BATCH", str(BATCH))


def _write_until_killed(folder: Path, acks_wanted: int) -> int:
    """Run a writer process, SIGKILL it mid-import; return the last acknowledged batch."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    last = -1
    deadline = time.monotonic() + 120
    while last < acks_wanted and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer died early: {proc.stderr.read() if proc.stderr else ''}")
        last = int(line.split()[1])
    os.kill(proc.pid, signal.SIGKILL)  # mid-import: the next batch is already on its way
    proc.wait()
    for line in proc.stdout:  # an ack printed before the kill landed still counts
        last = int(line.split()[1])
    return last


def _assert_batches_present(store: FalkorDBStore, last_acked: int) -> None:
    stored = {r["name"] for r in store.cypher("MATCH (e:Entity) RETURN e.name AS name")}
    for b in range(last_acked + 1):
        for i in range(BATCH):
            assert f"b{b} s{i}" in stored and f"b{b} o{i}" in stored, f"batch {b} triple {i} lost"
    rels = store.cypher("MATCH (:Entity)-[r:LINKS_TO]->(:Entity) RETURN count(r) AS n")[0]["n"]
    assert rels >= (last_acked + 1) * BATCH


def _server_state(folder: Path) -> dict[str, object]:
    state: dict[str, object] = json.loads((folder / "falkordb" / STATE_FILE).read_text())
    return state


def _check_store_works(store: FalkorDBStore) -> None:
    from hopgraph.types import Triple

    store.upsert_triples([Triple("after crash", "works", "yes")])
    assert store.neighbours(entity_id("after crash"))[0].target == entity_id("yes")


def test_kill_9_of_the_writer_keeps_every_acknowledged_batch(short_tmp: Path) -> None:
    last = _write_until_killed(short_tmp, acks_wanted=5)
    orphan = int(_server_state(short_tmp)["pid"])  # type: ignore[call-overload]
    with FalkorDBStore(short_tmp) as store:
        assert store.server is not None and store.server.pid == orphan  # adopted, not restarted
        _assert_batches_present(store, last)
        _check_store_works(store)
    assert not (short_tmp / "falkordb" / STATE_FILE).exists()
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(orphan, 0)


def test_kill_9_of_writer_and_server_replays_the_append_only_file(short_tmp: Path) -> None:
    last = _write_until_killed(short_tmp, acks_wanted=5)
    server_pid = int(_server_state(short_tmp)["pid"])  # type: ignore[call-overload]
    os.kill(server_pid, signal.SIGKILL)
    time.sleep(0.2)
    assert (short_tmp / "falkordb" / "redis.sock").exists()  # stale socket left behind
    with FalkorDBStore(short_tmp) as store:
        assert store.server is not None and store.server.pid != server_pid
        _assert_batches_present(store, last)
        _check_store_works(store)


def test_data_persists_across_clean_restarts(short_tmp: Path) -> None:
    from hopgraph.types import Triple

    with FalkorDBStore(short_tmp) as store:
        store.upsert_triples([Triple("Ada", "wrote", "Notes")])
    with FalkorDBStore(short_tmp) as store:
        assert store.stats().relations == 1


def test_second_process_gets_a_clear_error(short_tmp: Path) -> None:
    with FalkorDBStore(short_tmp) as store:
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom hopgraph.kg.falkordb.store import FalkorDBStore\n"
                "try:\n    FalkorDBStore(sys.argv[1])\nexcept Exception as e:\n"
                "    print(type(e).__name__, e)\n",
                str(short_tmp),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert probe.stdout.startswith("StoreLockedError")
        assert f"pid {os.getpid()}" in probe.stdout
        assert store.socket_path is not None and store.socket_path in probe.stdout
        # ... and the socket it names really does let a second client share the server.
        with FalkorDBStore(url=f"unix://{store.socket_path}") as guest:
            assert guest.stats().entities == 0
        assert store.stats().entities == 0  # the guest leaves the owner's server running


def test_a_url_store_has_no_client_side_read_timeout(short_tmp: Path) -> None:
    """redis-py 8 gave connections made from a URL a 5 s socket timeout: any read longer than that
    (loading a big graph's relations over ``--url`` on a loaded machine) failed as a lost connection."""
    with FalkorDBStore(short_tmp) as owner, FalkorDBStore(url=f"unix://{owner.socket_path}") as guest:
        connection = guest._db.connection.connection_pool.make_connection()
        assert connection.socket_timeout is None
        assert guest.stats().entities == 0


def test_same_process_second_open_is_refused(short_tmp: Path) -> None:
    with FalkorDBStore(short_tmp), pytest.raises(StoreLockedError, match="another process"):
        EmbeddedFalkorDB(short_tmp).start()


def test_stale_socket_file_is_replaced(short_tmp: Path) -> None:
    data = short_tmp / "falkordb"
    data.mkdir()
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(data / "redis.sock"))
    stale.close()  # the file stays, nobody listens
    (data / STATE_FILE).write_text(json.dumps({"pid": 999_999_999, "socket": str(data / "redis.sock")}))
    with FalkorDBStore(short_tmp) as store:
        assert store.stats().entities == 0


def test_long_folder_paths_use_a_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    server = EmbeddedFalkorDB(deep)
    assert len(server.socket_path) <= 100
    server.start()
    try:
        assert Path(server.socket_path).exists()
    finally:
        server.stop()


def test_index_ddl_never_stays_in_the_replay_log(short_tmp: Path) -> None:
    """Replaying CREATE INDEX from the append-only log leaves the index unusable while the rest
    of the log replays (a restart then scans per row); schema changes compact the log."""
    with FalkorDBStore(short_tmp) as store:
        store.set_embeddings("Entity", {})  # no-op: nothing to index
        from hopgraph.types import Triple

        store.upsert_triples([Triple("a", "b", "c")])
        store.set_embeddings("Entity", {entity_id("a"): [1.0, 0.0]})  # creates the vector index
        log_dir = short_tmp / "falkordb" / "appendonlydir"
        # the logs replayed at the next start: the manifest's "type i" entries (the previous
        # generation, "type h", stays until a start has loaded the new base; it is not replayed)
        entries = [line.split() for line in (log_dir / "appendonly.aof.manifest").read_text().splitlines()]
        replayed = [dict(zip(e[::2], e[1::2], strict=True)) for e in entries]
        tails = [(log_dir / e["file"]).read_bytes() for e in replayed if e["type"] == "i"]
        assert tails and not any(b"CREATE INDEX" in t or b"CREATE VECTOR INDEX" in t for t in tails)
        assert not any(b"createNodeIndex" in t for t in tails)
        assert store.vector_search("Entity", [1.0, 0.0], k=1)[0].text == "a"


def _hang_server_at_schema(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Freeze the embedded server (SIGSTOP: no reply, as in FalkorDB's observed deadlock) just
    before the store's first ``times`` schema setups; returns the pids frozen."""
    monkeypatch.setattr("hopgraph.kg.falkordb.store.SCHEMA_REPLY_TIMEOUT_S", 2.0)
    frozen: list[int] = []
    ensure = FalkorDBStore._ensure_schema

    def hanging(store: FalkorDBStore) -> None:
        if len(frozen) < times:
            assert store.server is not None and store.server.pid is not None
            frozen.append(store.server.pid)
            os.kill(store.server.pid, signal.SIGSTOP)
        ensure(store)

    monkeypatch.setattr(FalkorDBStore, "_ensure_schema", hanging)
    return frozen


def test_a_server_hung_at_open_is_restarted_once_and_keeps_the_data(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hopgraph.types import Triple

    with FalkorDBStore(short_tmp) as store:
        store.upsert_triples([Triple("Ada", "wrote", "Notes")])
    frozen = _hang_server_at_schema(monkeypatch, times=1)
    with FalkorDBStore(short_tmp) as store:
        assert store.server is not None and store.server.pid not in frozen
        assert store.stats().relations == 1
        _check_store_works(store)
    with pytest.raises(ProcessLookupError):
        os.kill(frozen[0], 0)  # the hung server was killed, not left behind


def test_a_server_hung_twice_at_open_is_a_clear_error(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hopgraph.errors import StoreUnavailableError

    frozen = _hang_server_at_schema(monkeypatch, times=2)
    with pytest.raises(StoreUnavailableError, match="did not answer while setting up its indexes"):
        FalkorDBStore(short_tmp)
    assert len(frozen) == 2
    time.sleep(0.2)
    for pid in frozen:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with FalkorDBStore(short_tmp) as store:  # nothing stays locked or hung
        assert store.stats().relations == 0
