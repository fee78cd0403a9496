"""Running the ``hopgraph`` command in-process, as tests do."""

from __future__ import annotations

import contextlib
import io

from hopgraph.cli.app import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``hopgraph ARGV...`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
