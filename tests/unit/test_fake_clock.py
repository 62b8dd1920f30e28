"""The fake clock is honest: a sleeper wakes neither early nor late, sleepers wake in due order,
time moves only when the test moves it, and a cancelled sleeper is gone."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.fake_clock import FakeClock

START = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def test_time_moves_only_when_advanced():
    clock = FakeClock(START, monotonic_start=50.0)
    assert clock.now() == START and clock.monotonic() == 50.0


async def test_advance_moves_now_and_monotonic_together():
    clock = FakeClock(START, monotonic_start=50.0)
    await asyncio.sleep(0.01)  # real time passing changes nothing
    assert clock.now() == START and clock.monotonic() == 50.0
    await clock.advance(2.5)
    assert clock.now() == START + timedelta(seconds=2.5) and clock.monotonic() == 52.5 and clock.elapsed == 2.5
    with pytest.raises(ValueError):
        await clock.advance(-1)


async def test_a_sleeper_does_not_wake_early():
    clock = FakeClock(START)
    sleeper = asyncio.create_task(clock.sleep(5))
    await clock.sleeping(1)
    await clock.advance(4.999)
    assert not sleeper.done()
    await clock.advance(0.001)
    assert sleeper.done() and sleeper.exception() is None


async def test_sleepers_wake_in_due_order_each_at_its_own_time():
    clock = FakeClock(START)
    woke: list[tuple[str, float]] = []

    async def nap(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.elapsed))

    tasks = [asyncio.create_task(nap(n, s)) for n, s in (("c", 3), ("a", 1), ("b", 2), ("a2", 1))]
    assert await clock.sleeping(4) == [1, 1, 2, 3]
    await clock.advance(10)
    assert woke == [("a", 1), ("a2", 1), ("b", 2), ("c", 3)]  # equal times: in the order they slept
    assert clock.elapsed == 10 and clock.pending == []
    await asyncio.gather(*tasks)


async def test_a_sleeper_that_sleeps_again_within_the_advance_wakes_at_its_own_time():
    clock = FakeClock(START)
    woke: list[float] = []

    async def ticker() -> None:
        for _ in range(3):
            await clock.sleep(1.5)
            woke.append(clock.elapsed)

    task = asyncio.create_task(ticker())
    await clock.sleeping(1)
    await clock.advance(4)
    assert woke == [1.5, 3.0] and clock.pending == [4.5]
    await clock.advance(0.5)
    assert woke == [1.5, 3.0, 4.5]
    await task


async def test_a_cancelled_sleeper_never_wakes_and_leaves_no_trace():
    clock = FakeClock(START)
    woke: list[str] = []

    async def nap(name: str) -> None:
        await clock.sleep(1)
        woke.append(name)

    first, second = asyncio.create_task(nap("first")), asyncio.create_task(nap("second"))
    await clock.sleeping(2)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert clock.pending == [1]
    await clock.advance(1)
    assert woke == ["second"] and clock.pending == []
    await second


async def test_a_timeout_around_a_sleep_is_real_time_and_cancels_it():
    clock = FakeClock(START)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(clock.sleep(100), 0.01)
    assert clock.pending == []


async def test_sleeping_zero_or_less_returns_at_once():
    clock = FakeClock(START)
    await asyncio.wait_for(clock.sleep(0), 1)
    await asyncio.wait_for(clock.sleep(-3), 1)
    assert clock.elapsed == 0 and clock.pending == []


async def test_waiting_for_sleepers_gives_up_in_real_time():
    clock = FakeClock(START)
    with pytest.raises(TimeoutError):
        await clock.sleeping(1, timeout=0.05)
