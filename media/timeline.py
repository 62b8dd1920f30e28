"""Continuous outgoing timestamps for a forwarding track whose source changes.

A subscriber's m-line (one RTP stream, one SSRC) is reused for successive
publishers. Their timestamps are unrelated, so on each switch the outgoing
timeline continues from the last one, advanced by the wall-clock gap.
"""

from __future__ import annotations


class TimestampRewriter:
    def __init__(self, clock_rate: int) -> None:
        if clock_rate <= 0:
            raise ValueError("clock_rate must be positive")
        self._clock_rate = clock_rate
        self._offset: int | None = None
        self._last_out: int | None = None
        self._last_wall = 0.0

    def rebase(self) -> None:
        """The next timestamp comes from a new source."""
        self._offset = None

    def rewrite(self, timestamp: int, now: float) -> int:
        if self._offset is None:
            self._offset = self._start(now) - timestamp
        out = timestamp + self._offset
        self._last_out = out
        self._last_wall = now
        return out

    def _start(self, now: float) -> int:
        if self._last_out is None:
            return 0
        gap = max(1, int((now - self._last_wall) * self._clock_rate))
        return self._last_out + gap
