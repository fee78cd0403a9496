"""Limits of exploration commands (``hopgraph cypher``, ``hopgraph shell``): a time limit the
database enforces on each read-only query, and a cap on the rows printed."""

from __future__ import annotations

import argparse
import math

DEFAULT_MAX_ROWS = 1000
"""Rows printed at most unless ``--limit`` says otherwise (the count line says how many there were)."""


def seconds(text: str) -> float:
    """``--timeout`` value: a number of seconds, 0 for no limit."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a positive number of seconds, got {text}")
    return value


def add_timeout_option(parser: argparse.ArgumentParser) -> None:
    """``--timeout SECONDS``: the time limit of each read-only query (default ``[store]
    query_timeout_s``, 30 s; 0: none). The database stops a query that runs past it."""
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=None,
        help="stop a read-only query after this many seconds (default: [store] query_timeout_s, "
        "30; 0: no limit)",
    )


__all__ = ["DEFAULT_MAX_ROWS", "add_timeout_option", "seconds"]
