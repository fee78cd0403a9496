"""Progress of an extraction job on stderr, and its closing summary.

On a terminal one line is rewritten in place (a bar, rate, ETA, tokens, cost); otherwise a plain
line is written now and then (every 5 s by default), so logs of batch runs stay readable.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_cost(tokens: int, price_per_1k: float | None) -> str:
    """``$1.23`` for ``tokens`` at ``price_per_1k`` dollars per 1,000 tokens; empty when no price is set."""
    if price_per_1k is None:
        return ""
    return f"${tokens / 1000 * price_per_1k:,.4f}" if tokens else "$0"


class JobProgress:
    """Counts chunks as they finish and shows the job's progress on ``stream``.

    ``total`` is the number of chunks to extract (it may grow while documents are still loading).
    """

    def __init__(
        self,
        stream: TextIO | None,
        *,
        total: int = 0,
        price_per_1k: float | None = None,
        tty: bool | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        width: int = 24,
    ) -> None:
        self.stream = stream
        self.tty = bool(stream is not None and (stream.isatty() if tty is None else tty))
        self.every = every if every is not None else (0.1 if self.tty else 5.0)
        self.clock = clock
        self.price_per_1k = price_per_1k
        self.width = width
        self.total = total
        self.done = 0
        self.failed = 0
        self.tokens = 0
        self.triples = 0
        self.stage = ""
        self.activity = ""
        self.start = clock()
        self.phase_started = self.start
        self.last_shown = self.start
        self.shown = False
        self.phase_shown = False

    def set_stage(self, text: str) -> None:
        """What the job does before extraction starts (loading, chunking); shown until then."""
        self.stage = text
        self._maybe_show()

    def set_activity(self, text: str) -> None:
        """What extraction waits on now besides the extractor (``resolving entities``, ``writing to
        the graph``): added to the chunk line, so a long resolution or write is not a silent gap."""
        self.activity = text
        self._maybe_show()

    def phase(self, text: str) -> None:
        """A phase after extraction (embedding ...) starts: the chunk line is finished and kept, and
        ``text`` is shown on a line of its own at once, whatever the throttle."""
        if self.stream is None:
            return
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K" + self.line() + "\n")
        elif not self.tty and self.total and self.shown:
            self.stream.write(self.line() + "\n")
        self.stage, self.activity = text, ""
        self.phase_started = self.clock()
        self._maybe_show(force=True)
        if self.tty:  # the phase line stays; what follows starts on a fresh line
            self.stream.write("\n")
            self.shown = False
        self.total = 0  # close() does not repeat the chunk line

    def phase_progress(self, text: str) -> None:
        """How far the phase started by :meth:`phase` is (``embedded 1,024 chunks``), throttled:
        rewritten in place on a terminal, else a line every ``every`` seconds."""
        if self.stream is None:
            return
        now = self.clock()
        if now - self.last_shown < self.every:
            return
        self.last_shown = now
        line = f"{text} ({now - self.phase_started:.0f} s)"
        self.stream.write("\r\x1b[K" + line if self.tty else line + "\n")
        self.stream.flush()
        self.phase_shown = self.tty

    def phase_done(self, text: str) -> None:
        """The phase started by :meth:`phase` ended: ``text`` with its duration, on its own line."""
        if self.stream is None:
            return
        seconds = self.clock() - self.phase_started
        if self.phase_shown:  # the in-place progress line gives way
            self.stream.write("\r\x1b[K")
            self.phase_shown = False
        self.stream.write(f"{text} in {seconds:.1f} s\n")
        self.stream.flush()
        self.stage = ""

    def begin(self, total: int) -> None:
        """Extraction starts: the rate and ETA count from now."""
        self.total = total
        self.stage = ""
        self.start = self.clock()
        self._maybe_show(force=True)

    def advance(self, *, done: int = 0, failed: int = 0, tokens: int = 0, triples: int = 0) -> None:
        self.done += done
        self.failed += failed
        self.tokens += tokens
        self.triples += triples
        self._maybe_show()

    @property
    def finished(self) -> int:
        return self.done + self.failed

    def line(self) -> str:
        if self.stage:
            return self.stage
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = self.finished / elapsed
        left = max(self.total - self.finished, 0)
        eta = format_duration(left / rate) if rate > 0 else "?"
        pct = 100.0 * self.finished / self.total if self.total else 100.0
        parts = [f"chunks {self.finished:,}/{self.total:,} ({pct:.0f}%)"]
        if self.tty:
            filled = int(self.width * pct / 100)
            parts.insert(0, "[" + "#" * filled + "-" * (self.width - filled) + "]")
        parts += [f"{rate:,.1f}/s", f"ETA {eta}", f"{self.tokens:,} tokens"]
        cost = format_cost(self.tokens, self.price_per_1k)
        if cost:
            parts.append(cost)
        parts.append(f"{self.triples:,} triples")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        if self.activity:
            parts.append(self.activity)
        return " | ".join(parts) if not self.tty else " ".join(parts[:2]) + " | " + " | ".join(parts[2:])

    def _maybe_show(self, *, force: bool = False) -> None:
        if self.stream is None:
            return
        now = self.clock()
        if not force and now - self.last_shown < self.every:
            return
        self.last_shown = now
        self.shown = True
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Show the final counts and end the in-place line."""
        if self.stream is None:
            return
        if self.tty:
            if self.shown:
                self.stream.write("\r\x1b[K")
        elif self.total and self.shown:
            self.stream.write(self.line() + "\n")
        self.stream.flush()


@dataclass
class JobSummary:
    """The counters of one job (printed at the end and stored on its job row)."""

    job_id: int = 0
    status: str = "running"
    documents: int = 0
    documents_unchanged: int = 0
    documents_replaced: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0
    chunks_skipped: int = 0
    chunks_extracted: int = 0
    chunks_failed: int = 0
    chunks_failed_before: int = 0
    triples: int = 0
    entities: int = 0
    merges: int = 0
    embedded: int = 0
    tokens: int = 0
    cost: str = ""
    seconds: float = 0.0
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


SUMMARY_FIELDS = (
    ("documents", "documents"),
    ("documents_unchanged", "  unchanged (skipped)"),
    ("documents_replaced", "  changed (replaced)"),
    ("problems", "input problems"),
    ("chunks", "chunks"),
    ("chunks_skipped", "  already done (skipped)"),
    ("chunks_extracted", "  extracted"),
    ("chunks_failed", "  failed"),
    ("chunks_failed_before", "  failed earlier (not retried)"),
    ("triples", "triples"),
    ("entities", "entities"),
    ("merges", "merges"),
    ("embedded", "embedded"),
    ("tokens", "tokens"),
)


def format_summary(summary: Mapping[str, Any]) -> str:
    """The closing summary of a job, one counter a line."""
    lines = [f"job {summary.get('job_id', '?')} {summary.get('status', '')}".rstrip()]
    for key, label in SUMMARY_FIELDS:
        value = summary.get(key)
        if value is None or (label.startswith("  ") and not value):
            continue
        if isinstance(value, list):
            value = len(value)
        lines.append(f"{label:<30} {value:>12,}")
    if summary.get("cost"):
        lines.append(f"{'cost':<30} {summary['cost']:>12}")
    lines.append(f"{'wall time':<30} {format_duration(float(summary.get('seconds', 0.0))):>12}")
    if summary.get("error"):
        lines.append(f"error: {summary['error']}")
    return "\n".join(lines)


__all__ = ["JobProgress", "JobSummary", "format_cost", "format_duration", "format_summary"]
