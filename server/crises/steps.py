"""The durable escalation steps of a crisis, as records (see ``server.db.step_tables``).

A step is armed by the event that makes it due later (the client dropped: tell their support persons
at +2 min, prompt an emergency call at +5 min; the clinician dropped: page on-call after the grace; a
page went out: page the next one if nobody acknowledges), inside that event's own transaction, and
cancelled the same way by the event that makes it moot. Whoever carries it out first claims it
(``pending`` → ``running``, a compare-and-set), so it is done once; the outcome is kept on the row
and told on the crisis timeline. What runs steps (a job queue on PostgreSQL, this process on SQLite)
is ``server.crises.step_queues``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.values import new_id

from server.db.step_tables import CrisisStepRecord

STALE_CLAIM = timedelta(seconds=15)  # a claim this old belongs to a runner that died mid-step


class StepKind(str, Enum):
    NOTIFY_SUPPORT = "notify_support_person"  # lost contact: tell the client's consented contacts
    PROMPT_EMERGENCY = "prompt_emergency_call"  # lost contact: prompt the clinicians, alert the program
    PAGE_ON_CALL = "page_on_call"  # the crisis's clinician is gone past the grace
    PAGE_UNANSWERED = "page_unanswered"  # a page's acknowledgement deadline: page the next one, or the lead
    CHECK_IN_REMINDER = "check_in_reminder"  # after a crisis closed: remind the client of a scheduled check-in


LOST_CONTACT = frozenset({StepKind.NOTIFY_SUPPORT, StepKind.PROMPT_EMERGENCY})


class StepState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Arming:
    """A step to arm: what, about whom, since when they were missed, when it falls due."""

    kind: StepKind
    participant_id: str
    since: datetime
    due_at: datetime
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    step_id: str
    crisis_id: str
    session_id: str
    kind: StepKind
    participant_id: str
    since: datetime
    due_at: datetime
    data: dict
    state: StepState
    outcome: str | None = None

    @classmethod
    def of(cls, row: CrisisStepRecord) -> "Step":
        return cls(step_id=row.id, crisis_id=row.crisis_id, session_id=row.session_id, kind=StepKind(row.kind),
                   participant_id=row.participant_id, since=row.since, due_at=row.due_at, data=json.loads(row.data),
                   state=StepState(row.state), outcome=row.outcome)


class StepStore:
    """Arm and cancel inside a caller's transaction; claim and finish in transactions of their own."""

    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    @staticmethod
    async def arm(db: AsyncSession, crisis_id: str, session_id: str, armings: Iterable[Arming],
                  now: datetime) -> list[CrisisStepRecord]:
        rows = [CrisisStepRecord(
            id=new_id("step"), crisis_id=crisis_id, session_id=session_id, kind=a.kind.value,
            participant_id=a.participant_id, since=a.since, due_at=a.due_at, state=StepState.PENDING.value,
            data=json.dumps(a.data, separators=(",", ":")), armed_at=now, attempts=0) for a in armings]
        db.add_all(rows)
        await db.flush()
        return rows

    @staticmethod
    async def cancel(db: AsyncSession, crisis_id: str, *, kinds: Iterable[StepKind],
                     participant_id: str | None = None) -> list[CrisisStepRecord]:
        """Cancel the crisis's pending steps of ``kinds`` (about ``participant_id`` if given)."""
        query = select(CrisisStepRecord).where(
            CrisisStepRecord.crisis_id == crisis_id, CrisisStepRecord.state == StepState.PENDING.value,
            CrisisStepRecord.kind.in_([k.value for k in kinds]))
        if participant_id is not None:
            query = query.where(CrisisStepRecord.participant_id == participant_id)
        rows = list((await db.execute(query.with_for_update())).scalars())
        for row in rows:
            row.state = StepState.CANCELLED.value
        await db.flush()
        return rows

    @staticmethod
    async def pending_in(db: AsyncSession, crisis_id: str, participant_id: str, *, kinds: Iterable[StepKind]) -> bool:
        """Whether the crisis has pending steps of ``kinds`` about this participant (in ``db``'s transaction)."""
        return (await db.execute(select(CrisisStepRecord.id).where(
            CrisisStepRecord.crisis_id == crisis_id, CrisisStepRecord.participant_id == participant_id,
            CrisisStepRecord.state == StepState.PENDING.value,
            CrisisStepRecord.kind.in_([k.value for k in kinds])).limit(1))).first() is not None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction of its own, for ``arm`` and ``cancel`` outside a crisis change."""
        async with self._sm() as db, db.begin():
            yield db

    async def claim(self, step_id: str, runner: str, now: datetime) -> Step | None:
        """Take the step to carry it out: None if it is done, cancelled, or being done by a live runner."""
        async with self._sm() as db, db.begin():
            result = await db.execute(update(CrisisStepRecord).where(
                CrisisStepRecord.id == step_id,
                or_(CrisisStepRecord.state == StepState.PENDING.value,
                    (CrisisStepRecord.state == StepState.RUNNING.value)
                    & (CrisisStepRecord.claimed_at < now - STALE_CLAIM)))
                .values(state=StepState.RUNNING.value, claimed_by=runner, claimed_at=now,
                        attempts=CrisisStepRecord.attempts + 1))
            if result.rowcount != 1:
                return None
            return Step.of(await db.get(CrisisStepRecord, step_id))

    async def state_of(self, step_id: str) -> StepState | None:
        async with self._sm() as db:
            state = (await db.execute(select(CrisisStepRecord.state).where(CrisisStepRecord.id == step_id))).scalar()
            return None if state is None else StepState(state)

    async def release(self, step_id: str) -> None:
        """Give a claimed step back (it could not be carried out now: it is tried again)."""
        async with self._sm() as db, db.begin():
            await db.execute(update(CrisisStepRecord).where(
                CrisisStepRecord.id == step_id, CrisisStepRecord.state == StepState.RUNNING.value)
                .values(state=StepState.PENDING.value, claimed_by=None, claimed_at=None))

    async def finish(self, step_id: str, outcome: str, now: datetime) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(update(CrisisStepRecord).where(CrisisStepRecord.id == step_id).values(
                state=StepState.DONE.value, outcome=outcome[:64], finished_at=now))

    async def due(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of the pending steps due at ``now``, earliest first."""
        async with self._sm() as db:
            return list((await db.execute(select(CrisisStepRecord.id).where(
                CrisisStepRecord.state == StepState.PENDING.value, CrisisStepRecord.due_at <= now)
                .order_by(CrisisStepRecord.due_at).limit(limit))).scalars())

    async def next_due_at(self) -> datetime | None:
        async with self._sm() as db:
            return (await db.execute(select(func.min(CrisisStepRecord.due_at)).where(
                CrisisStepRecord.state == StepState.PENDING.value))).scalar()

    async def reopen_running(self) -> int:
        """At the start of a single process: steps it was carrying out when it died are pending again."""
        async with self._sm() as db, db.begin():
            result = await db.execute(update(CrisisStepRecord).where(
                CrisisStepRecord.state == StepState.RUNNING.value)
                .values(state=StepState.PENDING.value, claimed_by=None, claimed_at=None))
            return result.rowcount

    async def pending_about(self, session_id: str, participant_id: str) -> list[StepKind]:
        """The kinds of the steps still pending about one member of a session."""
        async with self._sm() as db:
            return [StepKind(k) for k in (await db.execute(select(CrisisStepRecord.kind).where(
                CrisisStepRecord.session_id == session_id, CrisisStepRecord.participant_id == participant_id,
                CrisisStepRecord.state == StepState.PENDING.value))).scalars()]

    @staticmethod
    async def ever_armed(db: AsyncSession, crisis_id: str, kinds: Iterable[StepKind]) -> bool:
        """Whether a step of these kinds was ever armed for the crisis (in the caller's transaction)."""
        query = select(CrisisStepRecord.id).where(CrisisStepRecord.crisis_id == crisis_id,
                                                  CrisisStepRecord.kind.in_([k.value for k in kinds])).limit(1)
        return (await db.execute(query)).scalar() is not None

    async def of_crisis(self, crisis_id: str) -> list[Step]:
        async with self._sm() as db:
            rows = (await db.execute(select(CrisisStepRecord).where(CrisisStepRecord.crisis_id == crisis_id)
                                     .order_by(CrisisStepRecord.due_at, CrisisStepRecord.armed_at))).scalars()
            return [Step.of(r) for r in rows]
