"""Retry policy for HTTP LLM calls: exponential backoff with jitter, honouring ``Retry-After``.

The policy is pure (no sleeping, no I/O): callers ask it for the delay before the next
attempt and sleep themselves, with ``time.sleep`` or ``asyncio.sleep``.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; delay ``base * 2**n`` capped at ``max_delay``.

    Jitter is "equal jitter": half the delay is fixed, half uniformly random, so concurrent
    clients that failed together spread out. A server's ``Retry-After`` replaces the computed
    delay (when longer), capped at ``max_retry_after`` so a hostile header cannot stall a batch.
    """

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0

    def is_retryable_status(self, status: int) -> bool:
        return status in RETRYABLE_STATUS or status >= 500

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        backoff = min(self.max_delay, self.base_delay * (2**retry))
        backoff = backoff / 2 + random.uniform(0, backoff / 2)
        if retry_after is not None and retry_after > 0:
            return min(self.max_retry_after, max(retry_after, backoff))
        return backoff


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), else None."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lower.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        return seconds if seconds >= 0 and seconds == seconds else None  # NaN guard
    value = lower.get("retry-after")
    if value:
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            at = email.utils.mktime_tz(parsed)
            return max(0.0, at - (time.time() if now is None else now))
    return None
