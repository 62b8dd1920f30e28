"""The embedded step queue (one process, SQLite) on a FakeClock and a real database: it sleeps until
the earliest pending step, runs what is due, is woken when a step is armed, tries a step that could not
be done again after ``RETRY_AFTER``, re-arms what is pending at start, and stops when closed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.support.fake_clock import FakeClock

from server.crises.step_queues import RETRY_AFTER, EmbeddedQueue, psycopg_conninfo
from server.crises.steps import Arming, StepKind, StepStore
from server.db.engine import make_engine, make_sessionmaker


@pytest.fixture
async def steps(sqlite_url):
    engine = make_engine(sqlite_url)
    yield StepStore(make_sessionmaker(engine))
    await engine.dispose()


class Runner:
    """Carries out steps like the crisis watch does: claims, records the time, finishes."""

    def __init__(self, steps: StepStore, clock: FakeClock, *, fail_first: int = 0) -> None:
        self.steps, self.clock, self.fail_first = steps, clock, fail_first
        self.done: list[tuple[str, float]] = []

    async def __call__(self, step_id: str) -> bool:
        step = await self.steps.claim(step_id, "unit", self.clock.now())
        if step is None:
            return True
        if self.fail_first:
            self.fail_first -= 1
            await self.steps.release(step_id)
            return False
        self.done.append((step.kind.value, self.clock.elapsed))
        await self.steps.finish(step_id, "ok", self.clock.now())
        return True


async def _arm(steps: StepStore, clock: FakeClock, kind: StepKind, after: float) -> str:
    now = clock.now()
    async with steps.transaction() as db:
        [row] = await steps.arm(db, "crisis-1", "session-1", [Arming(kind, "p", now, now + timedelta(seconds=after))],
                                now)
    return row.id


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


async def test_steps_run_when_due_and_not_before(steps):
    clock = FakeClock()
    queue, runner = EmbeddedQueue(steps, now=clock.now, sleep=clock.sleep), None
    await _arm(steps, clock, StepKind.NOTIFY_SUPPORT, 120)
    await _arm(steps, clock, StepKind.PROMPT_EMERGENCY, 300)
    runner = Runner(steps, clock)
    await queue.start(runner)  # armed before the start: re-armed from the records
    try:
        assert await clock.sleeping(1) == [pytest.approx(120)]
        await clock.advance(119.9)
        await _settle()
        assert runner.done == []
        await clock.advance(0.1)
        assert await clock.sleeping(1) == [pytest.approx(300)]
        assert runner.done == [("notify_support_person", pytest.approx(120))]
        await clock.advance(180)
        await _settle()
        assert [kind for kind, _ in runner.done] == ["notify_support_person", "prompt_emergency_call"]
        assert clock.pending == []  # nothing pending: no timer either
    finally:
        await queue.close()


async def test_arming_wakes_the_queue_for_an_earlier_step(steps):
    clock = FakeClock()
    runner = Runner(steps, clock)
    queue = EmbeddedQueue(steps, now=clock.now, sleep=clock.sleep)
    await _arm(steps, clock, StepKind.PROMPT_EMERGENCY, 300)
    await queue.start(runner)
    try:
        assert await clock.sleeping(1) == [pytest.approx(300)]
        await _arm(steps, clock, StepKind.PAGE_ON_CALL, 60)
        queue.committed()
        await _settle()
        assert clock.pending == [pytest.approx(60)]
        await clock.advance(60)
        await _settle()
        assert runner.done == [("page_on_call", pytest.approx(60))]
    finally:
        await queue.close()


async def test_a_step_that_cannot_be_done_now_is_tried_again(steps):
    clock = FakeClock()
    runner = Runner(steps, clock, fail_first=2)  # e.g. the live state is unreachable twice
    queue = EmbeddedQueue(steps, now=clock.now, sleep=clock.sleep)
    await _arm(steps, clock, StepKind.NOTIFY_SUPPORT, 10)
    await queue.start(runner)
    try:
        await clock.sleeping(1)
        await clock.advance(10)
        assert await clock.sleeping(1) == [pytest.approx(10 + RETRY_AFTER)]
        await clock.advance(RETRY_AFTER)
        assert await clock.sleeping(1) == [pytest.approx(10 + 2 * RETRY_AFTER)]
        await clock.advance(RETRY_AFTER)
        await _settle()
        assert runner.done == [("notify_support_person", pytest.approx(10 + 2 * RETRY_AFTER))]  # once, at last
    finally:
        await queue.close()


async def test_close_stops_the_queue(steps):
    clock = FakeClock()
    queue = EmbeddedQueue(steps, now=clock.now, sleep=clock.sleep)
    await _arm(steps, clock, StepKind.NOTIFY_SUPPORT, 10)
    await queue.start(Runner(steps, clock))
    await clock.sleeping(1)
    await asyncio.wait_for(queue.close(), 2)
    await _settle()
    assert clock.pending == []


def test_procrastinate_connects_with_the_same_database_url():
    assert psycopg_conninfo("postgresql+asyncpg://steady:pw@db.example.test:5433/steadyline") == (
        "postgresql://steady:pw@db.example.test:5433/steadyline")
