"""Progress lines of long one-time work outside batch jobs: building a graph's derived caches
(the graph index, passage entities) on the first question after the graph changed.

They go to the ``hopgraph.progress`` logger at INFO. The ``hopgraph`` command prints them on
stderr as plain lines by default (see ``hopgraph.cli.app``); a Python caller sees them after
``logging.basicConfig(level=logging.INFO)`` or a handler on that logger."""

from __future__ import annotations

import logging

progress = logging.getLogger("hopgraph.progress")
"""The logger of progress lines (INFO)."""

__all__ = ["progress"]
