"""Kill a child ``hopgraph`` process, or its embedded redis-server, at a chosen write statement.

Put this folder first on the child's ``PYTHONPATH`` (:func:`helpers.faults.failpoint_env`); Python
imports it at start-up. Settings (environment):

- ``FAULT_KILL_AT=N``: before the store's Nth write statement (counted from the process start,
  the schema statements of opening the graph included) ...
- ``FAULT_KILL=hopgraph`` (SIGKILL of this process) or ``redis`` (SIGKILL of its redis-server,
  waited for; the write then meets a dead server).
- ``FAULT_COUNT_TO=FILE``: write the number of write statements to FILE at a normal exit.

Nothing happens without these variables.
"""

from __future__ import annotations

import os

if os.environ.get("FAULT_KILL_AT") or os.environ.get("FAULT_COUNT_TO"):
    import atexit
    import signal
    import time
    from pathlib import Path
    from typing import Any

    from hopgraph.kg.falkordb.store import FalkorDBStore

    _at = int(os.environ.get("FAULT_KILL_AT") or 0)
    _who = os.environ.get("FAULT_KILL", "hopgraph")
    _count_to = os.environ.get("FAULT_COUNT_TO")
    _writes = [0]
    _run = FalkorDBStore._run

    def _kill_server(store: Any) -> None:
        pid = store.server.pid if store.server is not None else None
        assert pid, "no embedded server to kill"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            # a child of this process: reaped by the store's Popen, or a zombie until then
            try:
                if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                    return
            except (OSError, IndexError):
                return
            time.sleep(0.01)

    def _faulty_run(self: Any, query: str, params: Any = None, *, write: bool, **options: Any) -> Any:
        if write:
            _writes[0] += 1
            if _writes[0] == _at:
                if _who == "redis":
                    _kill_server(self)
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
        return _run(self, query, params, write=write, **options)

    FalkorDBStore._run = _faulty_run  # type: ignore[method-assign]

    if _count_to:
        atexit.register(lambda: Path(_count_to).write_text(str(_writes[0])))
