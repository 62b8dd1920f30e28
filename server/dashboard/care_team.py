"""Who is on a client's care team, and who is signed in to watch the dashboard, read from the durable
records (never from socket rooms): the SQL behind ``access.policy.sees_care_item``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.access.policy import Role
from server.db.tables import Client, Participant, ParticipantRole, Session, Staff, StaffSession


@dataclass(frozen=True)
class Watcher:
    """A live staff sign-in of the program: where the dashboard's pushes for it go."""

    staff_id: str
    role: Role
    staff_session_id: str


def _hosts_of(session_ids):
    """Staff who lead, or have a therapist's place in, any of ``session_ids``."""
    leads = select(Session.therapist_id).where(Session.id.in_(session_ids))
    co_hosts = select(Participant.staff_id).where(
        Participant.session_id.in_(session_ids), Participant.role == ParticipantRole.THERAPIST,
        Participant.removed_at.is_(None), Participant.staff_id.is_not(None))
    return leads, co_hosts


class CareTeam:
    def __init__(self, sessionmaker: async_sessionmaker, idle: timedelta) -> None:
        self._sm = sessionmaker
        self._idle = idle

    async def members(self, client_id: str) -> frozenset[str]:
        """The client's own therapist, and the leads and co-hosts of every session they have a place in."""
        sessions = select(Participant.session_id).where(Participant.client_id == client_id,
                                                        Participant.removed_at.is_(None))
        leads, co_hosts = _hosts_of(sessions)
        own = select(Client.therapist_id).where(Client.id == client_id, Client.therapist_id.is_not(None))
        async with self._sm() as db:
            found = set((await db.execute(own)).scalars())
            found |= set((await db.execute(leads)).scalars())
            found |= set((await db.execute(co_hosts)).scalars())
        return frozenset(found)

    async def clients_of(self, staff_id: str, program_id: str) -> frozenset[str]:
        """The clients whose care team ``staff_id`` is on (the reverse of ``members``)."""
        hosted = select(Session.id).where(Session.program_id == program_id, or_(
            Session.therapist_id == staff_id,
            Session.id.in_(select(Participant.session_id).where(
                Participant.staff_id == staff_id, Participant.role == ParticipantRole.THERAPIST,
                Participant.removed_at.is_(None)))))
        in_sessions = select(Participant.client_id).where(Participant.session_id.in_(hosted),
                                                          Participant.client_id.is_not(None),
                                                          Participant.removed_at.is_(None))
        own = select(Client.id).where(Client.program_id == program_id, Client.therapist_id == staff_id)
        async with self._sm() as db:
            return frozenset((await db.execute(in_sessions)).scalars()) | frozenset((await db.execute(own)).scalars())

    async def watchers(self, program_id: str, now: datetime) -> list[Watcher]:
        """Every live sign-in (not ended, not expired, not idle) of the program's active therapists and admins."""
        query = (select(Staff.id, Staff.role, StaffSession.id).join(StaffSession, StaffSession.staff_id == Staff.id)
                 .where(Staff.program_id == program_id, Staff.disabled.is_(False), StaffSession.ended_at.is_(None),
                        StaffSession.expires_at > now, StaffSession.last_seen_at > now - self._idle))
        async with self._sm() as db:
            rows = (await db.execute(query)).all()
        return [Watcher(staff_id, Role(role.value), sign_in) for staff_id, role, sign_in in rows
                if role.value in (Role.THERAPIST.value, Role.ADMIN.value)]

    async def names(self, client_ids: Collection[str]) -> dict[str, str]:
        """Client names (decrypted) for the dashboard's lists."""
        wanted = sorted({c for c in client_ids if c})
        if not wanted:
            return {}
        async with self._sm() as db:
            rows = (await db.execute(select(Client).where(Client.id.in_(wanted)))).scalars()
            return {row.id: row.display_name for row in rows}
