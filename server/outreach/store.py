"""Outreach tasks in SQL: a missed place inserted once (whichever node's sweep sees it first), the
places that look missed, counting a client's misses, and a task assigned and resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.db.outreach_tables import OutreachTaskRecord
from server.db.tables import Participant, ParticipantRole, Session
from server.errors import NotFound

MISSED_SESSION = "missed_session"


@dataclass(frozen=True)
class MissedPlace:
    participant_id: str
    client_id: str
    session_id: str
    program_id: str
    therapist_id: str
    starts_at: datetime


class OutreachStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def not_come(self, *, started_before: datetime, started_after: datetime) -> list[MissedPlace]:
        """Clients' places in scheduled sessions (not urgent rooms) that started in the window, never let
        in (``attended_at``: kept after they leave), and not yet an outreach task."""
        done = select(OutreachTaskRecord.id).where(OutreachTaskRecord.participant_id == Participant.id,
                                                   OutreachTaskRecord.kind == MISSED_SESSION)
        query = (select(Participant.id, Participant.client_id, Session.id, Session.program_id, Session.therapist_id,
                        Session.starts_at)
                 .join(Session, Session.id == Participant.session_id)
                 .where(Participant.role == ParticipantRole.CLIENT, Participant.client_id.is_not(None),
                        Participant.removed_at.is_(None), Participant.attended_at.is_(None),
                        Session.on_demand.is_(False), Session.starts_at <= started_before,
                        Session.starts_at > started_after, ~done.exists()))
        async with self._sm() as db:
            rows = (await db.execute(query)).all()
        return [MissedPlace(*row) for row in rows]

    async def add_missed(self, place: MissedPlace, at: datetime) -> OutreachTaskRecord | None:
        """The task for a missed place; None if another sweep (another node) made it first."""
        row = OutreachTaskRecord(program_id=place.program_id, client_id=place.client_id, session_id=place.session_id,
                                 participant_id=place.participant_id, kind=MISSED_SESSION,
                                 therapist_id=place.therapist_id, created_at=at)
        try:
            async with self._sm() as db, db.begin():
                db.add(row)
        except IntegrityError:
            return None
        return row

    async def misses_since(self, client_id: str, since: datetime) -> int:
        async with self._sm() as db:
            return (await db.execute(select(func.count()).select_from(OutreachTaskRecord).where(and_(
                OutreachTaskRecord.client_id == client_id, OutreachTaskRecord.kind == MISSED_SESSION,
                OutreachTaskRecord.created_at >= since)))).scalar_one()

    async def of_program(self, program_id: str, *, open_only: bool) -> list[OutreachTaskRecord]:
        query = select(OutreachTaskRecord).where(OutreachTaskRecord.program_id == program_id)
        if open_only:
            query = query.where(OutreachTaskRecord.resolved_at.is_(None))
        async with self._sm() as db:
            return list((await db.execute(query.order_by(OutreachTaskRecord.created_at.desc()))).scalars())

    async def get(self, task_id: str) -> OutreachTaskRecord:
        async with self._sm() as db:
            row = await db.get(OutreachTaskRecord, task_id)
        if row is None:
            raise NotFound("outreach task not found")
        return row

    async def assign(self, task_id: str, staff_id: str) -> OutreachTaskRecord:
        async with self._sm() as db, db.begin():
            row = await db.get(OutreachTaskRecord, task_id)
            if row is None:
                raise NotFound("outreach task not found")
            row.assigned_to = staff_id
        return row

    async def resolve(self, task_id: str, *, by: str, at: datetime, note: str) -> OutreachTaskRecord:
        async with self._sm() as db, db.begin():
            row = await db.get(OutreachTaskRecord, task_id)
            if row is None:
                raise NotFound("outreach task not found")
            if row.resolved_at is None:  # the first resolution counts
                row.resolved_at, row.resolved_by, row.note = at, by, note
        return row
