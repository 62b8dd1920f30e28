"""The due-time check runs on its clock: reminders then missed check-ins, every interval, and a failing
sweep does not stop the next one."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.fake_clock import FakeClock

from server.monitoring.service import Monitoring


class Recording(Monitoring):
    def __init__(self, clock: FakeClock, fail_first: bool = False) -> None:
        super().__init__(None, None, None, notifier=None, audit=None, now=clock.now, sleep=clock.sleep)
        self.calls: list[tuple[str, float]] = []
        self._clock, self._fail = clock, fail_first

    async def remind(self, now):
        self.calls.append(("remind", self._clock.elapsed))
        if self._fail:
            self._fail = False
            raise RuntimeError("database gone for a moment")
        return 0

    async def sweep(self, now, program_id=None):
        self.calls.append(("sweep", self._clock.elapsed))
        return []


@pytest.mark.parametrize("fail_first", [False, True])
async def test_the_sweep_runs_every_interval_and_survives_a_failure(fail_first):
    clock = FakeClock()
    monitoring = Recording(clock, fail_first)
    task = asyncio.create_task(monitoring.sweep_periodically(300))
    try:
        await clock.advance(299)
        assert monitoring.calls == []
        await clock.advance(1)
        await clock.advance(300)
        expected = [("remind", 300), ("sweep", 300), ("remind", 600), ("sweep", 600)]
        if fail_first:
            expected.remove(("sweep", 300))  # that round stopped at the failure; the next ran in full
        assert monitoring.calls == expected
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
