"""Test doubles for handoff's ports. Synthetic data only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from handoff.crisis import Crisis, TimelineEvent

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)  # a Monday


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class InMemoryCrisisStore:
    """A CrisisStore keeping crises in a dict; save_if_version compares and sets."""

    def __init__(self) -> None:
        self.crises: dict[str, Crisis] = {}
        self.saves = 0

    async def load(self, crisis_id: str) -> Crisis | None:
        return self.crises.get(crisis_id)

    async def save_if_version(self, crisis: Crisis, expected_version: int) -> bool:
        current = self.crises.get(crisis.crisis_id)
        if (current.version if current else 0) != expected_version:
            return False
        self.crises[crisis.crisis_id] = crisis
        self.saves += 1
        return True


class EventRecorder:
    def __init__(self) -> None:
        self.events: list[TimelineEvent] = []

    async def __call__(self, event: TimelineEvent, crisis: Crisis) -> None:
        self.events.append(event)
