"""The durable steps' records on a real SQLite database: armed steps come due in order, a step is
claimed by one runner only, a cancelled one by none, a claim given back is tried again, and a claim
left by a runner that died is taken over only once it is stale."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from server.crises.steps import STALE_CLAIM, Arming, StepKind, StepState, StepStore
from server.db.engine import make_engine, make_sessionmaker

T0 = datetime(2026, 12, 4, 23, 55, tzinfo=timezone.utc)


@pytest.fixture
async def steps(sqlite_url):
    engine = make_engine(sqlite_url)
    yield StepStore(make_sessionmaker(engine))
    await engine.dispose()


async def _arm(steps: StepStore, *armings: Arming) -> list[str]:
    async with steps.transaction() as db:
        return [row.id for row in await steps.arm(db, "crisis-1", "session-1", armings, T0)]


def lost_contact(participant_id: str = "p-client") -> tuple[Arming, Arming]:
    return (Arming(StepKind.NOTIFY_SUPPORT, participant_id, T0, T0 + timedelta(minutes=2)),
            Arming(StepKind.PROMPT_EMERGENCY, participant_id, T0, T0 + timedelta(minutes=5)))


async def test_armed_steps_come_due_in_order(steps):
    notify, prompt = await _arm(steps, *lost_contact())
    assert await steps.next_due_at() == T0 + timedelta(minutes=2)
    assert await steps.due(T0 + timedelta(minutes=1)) == []
    assert await steps.due(T0 + timedelta(minutes=2)) == [notify]
    assert await steps.due(T0 + timedelta(minutes=6)) == [notify, prompt]
    assert set(await steps.pending_about("session-1", "p-client")) == {StepKind.NOTIFY_SUPPORT,
                                                                        StepKind.PROMPT_EMERGENCY}


async def test_a_step_is_claimed_by_one_runner_and_done_once(steps):
    [notify] = await _arm(steps, lost_contact()[0])
    at = T0 + timedelta(minutes=2)
    claims = await asyncio.gather(*(steps.claim(notify, f"runner-{i}", at) for i in range(5)))
    assert len([c for c in claims if c is not None]) == 1
    await steps.finish(notify, "notified:1", at)
    assert await steps.claim(notify, "late", at + STALE_CLAIM * 2) is None  # done is done
    [step] = await steps.of_crisis("crisis-1")
    assert (step.state, step.outcome) == (StepState.DONE, "notified:1")
    assert await steps.due(at + timedelta(hours=1)) == []


async def test_a_cancelled_step_is_never_claimed(steps):
    await _arm(steps, *lost_contact(), Arming(StepKind.PAGE_ON_CALL, "p-host", T0, T0 + timedelta(minutes=1)))
    async with steps.transaction() as db:
        cancelled = await steps.cancel(db, "crisis-1", kinds={StepKind.NOTIFY_SUPPORT, StepKind.PROMPT_EMERGENCY},
                                       participant_id="p-client")
    assert len(cancelled) == 2
    assert [await steps.claim(row.id, "r", T0 + timedelta(hours=1)) for row in cancelled] == [None, None]
    assert await steps.pending_about("session-1", "p-client") == []
    assert await steps.pending_about("session-1", "p-host") == [StepKind.PAGE_ON_CALL]  # someone else's stays


async def test_a_step_given_back_is_due_again(steps):
    [notify] = await _arm(steps, lost_contact()[0])
    at = T0 + timedelta(minutes=2)
    assert await steps.claim(notify, "r", at) is not None
    assert await steps.due(at) == []  # running
    await steps.release(notify)
    assert await steps.due(at) == [notify]
    assert await steps.claim(notify, "r", at) is not None


async def test_a_dead_runner_s_claim_is_taken_over_only_once_stale(steps):
    [notify] = await _arm(steps, lost_contact()[0])
    at = T0 + timedelta(minutes=2)
    assert await steps.claim(notify, "died", at) is not None
    assert await steps.claim(notify, "survivor", at + STALE_CLAIM / 2) is None  # it may still be at it
    assert await steps.state_of(notify) is StepState.RUNNING  # so the survivor's job tries again later
    assert await steps.claim(notify, "survivor", at + STALE_CLAIM + timedelta(seconds=1)) is not None


async def test_a_restarted_single_process_reopens_what_it_was_doing(steps):
    notify, prompt = await _arm(steps, *lost_contact())
    assert await steps.claim(notify, "me-before", T0 + timedelta(minutes=2)) is not None
    assert await steps.reopen_running() == 1
    assert await steps.due(T0 + timedelta(minutes=2)) == [notify]


async def test_pending_steps_about_someone_are_seen_inside_a_transaction(steps):
    await _arm(steps, *lost_contact())
    async with steps.transaction() as db:
        assert await steps.pending_in(db, "crisis-1", "p-client", kinds={StepKind.NOTIFY_SUPPORT})
        assert not await steps.pending_in(db, "crisis-1", "p-host", kinds={StepKind.NOTIFY_SUPPORT})
        assert not await steps.pending_in(db, "crisis-1", "p-client", kinds={StepKind.PAGE_ON_CALL})
