"""One background thread that runs store writes in the order they were submitted.

The caller goes on embedding while the writer talks to the store: the embedder (torch) releases
the GIL while it computes and the store client waits on a socket, so the two really overlap.

Every write is submitted with a description. The first write that raises stops the writer: the
writes queued after it are skipped (a triple must never be written without the chunk it cites),
and the *same* exception is raised on the calling thread at its next :meth:`~StoreWriter.submit`,
:meth:`~StoreWriter.wait` or :meth:`~StoreWriter.close`, with a note naming the write, so a failed
write fails the caller exactly as it would have done in the foreground, never silently.

``StoreWriter(threaded=False)`` runs each write at once on the calling thread (the serial
reference a threaded run must equal).

Thread safety: one writer thread and the calling thread use the store at the same time.
:class:`~hopgraph.kg.falkordb.store.FalkorDBStore` sends every statement through the redis-py
connection pool, which hands each concurrent command its own connection (the pool is locked);
the falkordb client keeps no per-query state beyond a schema cache that only queries returning
nodes or edges consult. The Neo4j driver opens a session per statement. The resolver is used
only on the calling thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

THREAD_NAME = "hopgraph-store-writer"


class StoreWriter:
    """Runs submitted writes one at a time, in order, on one background thread.

    Use as a context manager: leaving the block normally waits for every write and raises the
    first failure; leaving it with an exception cancels the queued writes and waits only for the
    one running, so no thread goes on writing to a store the caller is about to close.
    """

    def __init__(self, *, threaded: bool = True) -> None:
        self.threaded = threaded
        self.busy_seconds = 0.0
        """Seconds spent inside writes (on the writer thread, so mostly hidden from the caller)."""
        self.waited_seconds = 0.0
        """Seconds the calling thread spent blocked waiting for writes to finish."""
        self._executor: ThreadPoolExecutor | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- public -----------------------------------------------------------------------------------
    def submit(self, what: str, write: Callable[..., Any], *args: Any) -> Future[None]:
        """Queue ``write(*args)``; ``what`` names it in the error if it fails.

        Raises the first failure of an earlier write instead of queueing after it.
        """
        self.raise_if_failed()
        if not self.threaded:
            done: Future[None] = Future()
            self._run(what, write, args)
            self.raise_if_failed()
            done.set_result(None)
            return done
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        return self._executor.submit(self._run, what, write, args)

    def wait(self, future: Future[None] | None) -> None:
        """Block until ``future`` (and so every write submitted before it) is done."""
        if future is not None and not future.done():
            t0 = time.perf_counter()
            future.result()
            self.waited_seconds += time.perf_counter() - t0
        self.raise_if_failed()

    def close(self) -> None:
        """Wait for every queued write, stop the thread, raise the first failure."""
        if self._executor is not None:
            t0 = time.perf_counter()
            self._executor.shutdown(wait=True)
            self.waited_seconds += time.perf_counter() - t0
            self._executor = None
        self.raise_if_failed()

    def abort(self) -> None:
        """Skip the queued writes and wait for the running one; raises nothing."""
        with self._lock:
            if self._error is None:
                self._error = _Aborted()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def raise_if_failed(self) -> None:
        """Raise the first write failure, if any."""
        error = self._error
        if error is not None and not isinstance(error, _Aborted):
            raise error

    # -- writer thread ----------------------------------------------------------------------------
    def _run(self, what: str, write: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if self._error is not None:  # an earlier write failed: later ones would cite missing nodes
            return
        t0 = time.perf_counter()
        try:
            write(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            exc.add_note(f"hopgraph: the store write that failed: {what}; the writes after it were skipped")
            with self._lock:
                if self._error is None:
                    self._error = exc
        finally:
            self.busy_seconds += time.perf_counter() - t0


class _Aborted(Exception):
    """Marks a writer stopped because the calling thread failed (nothing to re-raise)."""


__all__ = ["THREAD_NAME", "StoreWriter"]
