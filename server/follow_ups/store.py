"""Follow-up plans in SQL: saved once per closed crisis, read by crisis or by client, items marked done.
Rows in, ``FollowUpPlanView`` out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.follow_up import FollowUpPlan

from server.db.follow_up_tables import FollowUpItemRecord, FollowUpPlanRecord
from server.follow_ups.schemas import FollowUpItemView, FollowUpPlanView


def _view(plan: FollowUpPlanRecord, items: list[FollowUpItemRecord]) -> FollowUpPlanView:
    return FollowUpPlanView(
        crisis_id=plan.crisis_id, client_id=plan.client_id, responsible_clinician_id=plan.responsible_clinician_id,
        timezone=plan.timezone, include_family_debrief=plan.include_family_debrief, created_at=plan.created_at,
        items=[FollowUpItemView(id=i.id, kind=i.kind, due_at=i.due_at, description=i.description, done_at=i.done_at,
                                done_by=i.done_by, session_id=i.session_id)
               for i in sorted(items, key=lambda i: (i.due_at, i.kind))],
    )


class FollowUpStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def save(self, plan: FollowUpPlan, *, program_id: str, timezone: str, include_family_debrief: bool,
                   created_by: str) -> FollowUpPlanView:
        """Store the plan of a closed crisis; a crisis has one plan, so a second save returns the first."""
        try:
            async with self._sm() as db, db.begin():
                db.add(FollowUpPlanRecord(
                    crisis_id=plan.crisis_id, client_id=plan.client_id, program_id=program_id,
                    responsible_clinician_id=plan.responsible_clinician_id, timezone=timezone,
                    include_family_debrief=include_family_debrief, created_by=created_by, created_at=plan.created_at))
                await db.flush()
                for item in plan.items:
                    db.add(FollowUpItemRecord(crisis_id=plan.crisis_id, kind=item.kind.value, due_at=item.due_at,
                                              description=item.description))
        except IntegrityError:
            pass
        found = await self.of_crisis(plan.crisis_id)
        assert found is not None
        return found

    async def of_crisis(self, crisis_id: str) -> FollowUpPlanView | None:
        async with self._sm() as db:
            plan = await db.get(FollowUpPlanRecord, crisis_id)
            if plan is None:
                return None
            items = (await db.execute(select(FollowUpItemRecord).where(
                FollowUpItemRecord.crisis_id == crisis_id))).scalars()
            return _view(plan, list(items))

    async def of_client(self, client_id: str) -> list[FollowUpPlanView]:
        async with self._sm() as db:
            plans = list((await db.execute(select(FollowUpPlanRecord).where(
                FollowUpPlanRecord.client_id == client_id).order_by(FollowUpPlanRecord.created_at.desc()))).scalars())
            if not plans:
                return []
            items = list((await db.execute(select(FollowUpItemRecord).where(
                FollowUpItemRecord.crisis_id.in_([p.crisis_id for p in plans])))).scalars())
        return [_view(p, [i for i in items if i.crisis_id == p.crisis_id]) for p in plans]

    async def item_crisis(self, item_id: str) -> str | None:
        async with self._sm() as db:
            return (await db.execute(select(FollowUpItemRecord.crisis_id).where(
                FollowUpItemRecord.id == item_id))).scalar()

    async def note_booking(self, crisis_id: str, session_id: str, when: str, *, link_sent: bool) -> None:
        """The plan's individual session was booked: its item says when and whether the link went out."""
        sent = "its join link was sent to the client" if link_sent else \
            "no join link was sent (no contact for the client): send it from the session"
        async with self._sm() as db, db.begin():
            await db.execute(update(FollowUpItemRecord).where(
                FollowUpItemRecord.crisis_id == crisis_id, FollowUpItemRecord.kind == "individual_session").values(
                description=f"Individual session booked for {when}; {sent}.", session_id=session_id))

    async def mark_done(self, item_id: str, *, by: str, at: datetime) -> None:
        """Mark an item done (the first marking counts; marking again changes nothing)."""
        async with self._sm() as db, db.begin():
            await db.execute(update(FollowUpItemRecord).where(
                FollowUpItemRecord.id == item_id, FollowUpItemRecord.done_at.is_(None)).values(done_at=at, done_by=by))
