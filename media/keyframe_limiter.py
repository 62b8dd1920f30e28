"""Rate limiting of keyframe requests sent upstream to a publisher.

Pure logic with an injected clock value. Every subscriber PLI, new subscriber
and queue overflow asks for a keyframe; the publisher should see at most one
PLI per ``min_interval``. A request inside the interval is not lost: it is
coalesced into one deferred PLI at the end of the interval.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Decision(enum.Enum):
    SEND_NOW = "send_now"
    DEFER = "defer"  # schedule one PLI after ``delay``
    COALESCED = "coalesced"  # a deferred PLI is already scheduled


@dataclass(frozen=True)
class LimiterDecision:
    decision: Decision
    delay: float = 0.0


class KeyframeRequestLimiter:
    def __init__(self, min_interval: float) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must not be negative")
        self._min_interval = min_interval
        self._last_sent: float | None = None
        self._pending = False
        self._requests = 0
        self._sent = 0

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def sent(self) -> int:
        return self._sent

    @property
    def pending(self) -> bool:
        return self._pending

    def request(self, now: float) -> LimiterDecision:
        self._requests += 1
        if self._pending:
            return LimiterDecision(Decision.COALESCED)
        if self._last_sent is None or now - self._last_sent >= self._min_interval:
            self._mark_sent(now)
            return LimiterDecision(Decision.SEND_NOW)
        self._pending = True
        return LimiterDecision(Decision.DEFER, self._last_sent + self._min_interval - now)

    def keyframe_received(self) -> bool:
        """A keyframe arrived: it satisfies every gated request. True if a
        deferred PLI was pending and is now unnecessary."""
        pending, self._pending = self._pending, False
        return pending

    def deferred_due(self, now: float) -> None:
        """The deferred PLI is being sent now."""
        self._pending = False
        self._mark_sent(now)

    def _mark_sent(self, now: float) -> None:
        self._last_sent = now
        self._sent += 1
