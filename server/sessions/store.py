"""The durable store: every query of programs, staff, clients, sessions, participants and invites.
Handlers call this; nothing else builds SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.db.crisis_tables import CrisisRecord
from server.db.tables import (
    Client,
    Invite,
    Participant,
    ParticipantRole,
    Program,
    Session,
    SessionKind,
    SessionStatus,
    Staff,
    StaffRole,
    StaffSession,
    utcnow,
)
from server.errors import LinkInvalid, NotFound


@dataclass(frozen=True)
class Redemption:
    invite: Invite
    participant: Participant
    session: Session


class Store:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def _add(self, obj):
        async with self._sm() as db, db.begin():
            db.add(obj)
        return obj

    async def _get(self, model, ident: str):
        async with self._sm() as db:
            obj = await db.get(model, ident)
        if obj is None:
            raise NotFound(f"{model.__name__.lower()} not found")
        return obj

    # programs, staff, clients
    async def create_program(self, name: str, timezone: str = "UTC") -> Program:
        return await self._add(Program(name=name, timezone=timezone))

    async def first_program(self) -> Program | None:
        async with self._sm() as db:
            return (await db.execute(select(Program).order_by(Program.created_at).limit(1))).scalar()

    async def create_staff(
        self, *, program_id: str, email: str, display_name: str, role: StaffRole, password_hash: str
    ) -> Staff:
        return await self._add(Staff(
            program_id=program_id, email=email.strip().lower(), display_name=display_name,
            role=role, password_hash=password_hash,
        ))

    async def staff_by_email(self, email: str) -> Staff | None:
        async with self._sm() as db:
            query = select(Staff).where(Staff.email == email.strip().lower())
            return (await db.execute(query)).scalar()

    async def set_password_hash(self, staff_id: str, password_hash: str) -> None:
        async with self._sm() as db, db.begin():
            staff = await db.get(Staff, staff_id)
            if staff is None:
                raise NotFound("staff not found")
            staff.password_hash = password_hash

    async def get_staff(self, staff_id: str) -> Staff:
        return await self._get(Staff, staff_id)

    async def get_staff_or_none(self, staff_id: str) -> Staff | None:
        async with self._sm() as db:
            return await db.get(Staff, staff_id)

    async def therapists(self, program_id: str) -> list[Staff]:
        """The program's active therapists, by name."""
        query = select(Staff).where(Staff.program_id == program_id, Staff.role == StaffRole.THERAPIST,
                                    Staff.disabled.is_(False)).order_by(Staff.display_name)
        async with self._sm() as db:
            return list((await db.execute(query)).scalars())

    async def start_staff_session(self, staff_id: str, lifetime: timedelta) -> StaffSession:
        now = utcnow()
        return await self._add(StaffSession(staff_id=staff_id, created_at=now, last_seen_at=now,
                                            expires_at=now + lifetime))

    async def get_staff_session(self, staff_session_id: str) -> StaffSession | None:
        async with self._sm() as db:
            return await db.get(StaffSession, staff_session_id)

    async def touch_staff_session(self, staff_session_id: str, now: datetime) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(update(StaffSession).where(StaffSession.id == staff_session_id,
                                                        StaffSession.ended_at.is_(None)).values(last_seen_at=now))

    async def end_staff_session(self, staff_session_id: str) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(update(StaffSession).where(StaffSession.id == staff_session_id,
                                                        StaffSession.ended_at.is_(None)).values(ended_at=utcnow()))

    async def open_host_places(self, staff_id: str) -> list[Participant]:
        """The staff member's host places in sessions that have not ended."""
        query = select(Participant).join(Session, Session.id == Participant.session_id).where(
            Participant.staff_id == staff_id, Session.status != SessionStatus.ENDED)
        async with self._sm() as db:
            return list((await db.execute(query)).scalars())

    async def create_client(self, *, program_id: str, display_name: str) -> Client:
        return await self._add(Client(program_id=program_id, display_name=display_name))

    async def get_client(self, client_id: str) -> Client:
        return await self._get(Client, client_id)

    # sessions
    async def create_session(
        self, *, therapist: Staff, kind: SessionKind, title: str, starts_at: datetime, ends_at: datetime,
        on_demand: bool = False,
    ) -> Session:
        session = Session(
            program_id=therapist.program_id, therapist_id=therapist.id, kind=kind, title=title,
            starts_at=starts_at, ends_at=ends_at, on_demand=on_demand,
        )
        async with self._sm() as db, db.begin():
            db.add(session)
            await db.flush()
            db.add(Participant(
                session_id=session.id, role=ParticipantRole.THERAPIST, staff_id=therapist.id,
                display_name=therapist.display_name,
            ))
        return session

    async def get_session(self, session_id: str) -> Session:
        return await self._get(Session, session_id)

    async def list_sessions(
        self, *, program_id: str, therapist_id: str | None, since: datetime, until: datetime
    ) -> list[Session]:
        query = select(Session).where(
            Session.program_id == program_id, Session.ends_at >= since, Session.starts_at <= until
        )
        if therapist_id is not None:  # sessions they lead or co-facilitate
            co_hosted = select(Participant.session_id).where(
                Participant.staff_id == therapist_id, Participant.role == ParticipantRole.THERAPIST,
                Participant.removed_at.is_(None))
            query = query.where((Session.therapist_id == therapist_id) | Session.id.in_(co_hosted))
        async with self._sm() as db:
            return list((await db.execute(query.order_by(Session.starts_at))).scalars())

    async def end_session(self, session_id: str) -> Session:
        async with self._sm() as db, db.begin():
            session = await db.get(Session, session_id)
            if session is None:
                raise NotFound("session not found")
            if session.status is not SessionStatus.ENDED:
                session.status = SessionStatus.ENDED
                session.ended_at = utcnow()
        return session

    # participants
    async def add_participant(
        self, *, session_id: str, role: ParticipantRole, display_name: str, client_id: str | None = None,
        staff_id: str | None = None,
    ) -> Participant:
        return await self._add(Participant(
            session_id=session_id, role=role, display_name=display_name, client_id=client_id, staff_id=staff_id,
        ))

    async def therapist_place(self, *, session_id: str, staff: Staff) -> tuple[Participant, bool]:
        """The staff member's therapist place in the session (a co-facilitator, an on-call clinician),
        made if they have none yet; ``True`` when it was made now."""
        async with self._sm() as db, db.begin():
            found = (await db.execute(select(Participant).where(
                Participant.session_id == session_id, Participant.staff_id == staff.id,
                Participant.role == ParticipantRole.THERAPIST, Participant.removed_at.is_(None)))).scalar()
            if found is not None:
                return found, False
            place = Participant(session_id=session_id, role=ParticipantRole.THERAPIST, staff_id=staff.id,
                                display_name=staff.display_name)
            db.add(place)
        return place, True

    async def co_host_ids(self, session: Session) -> frozenset[str]:
        """Staff with a therapist's place in the session besides its lead: co-facilitators, and an
        on-call clinician brought in during a crisis."""
        query = select(Participant.staff_id).where(
            Participant.session_id == session.id, Participant.role == ParticipantRole.THERAPIST,
            Participant.removed_at.is_(None), Participant.staff_id.is_not(None),
            Participant.staff_id != session.therapist_id)
        async with self._sm() as db:
            return frozenset((await db.execute(query)).scalars())

    async def get_participant(self, participant_id: str) -> Participant:
        return await self._get(Participant, participant_id)

    async def list_participants(self, session_id: str) -> list[Participant]:
        query = select(Participant).where(Participant.session_id == session_id)
        async with self._sm() as db:
            return list((await db.execute(query.order_by(Participant.created_at))).scalars())

    async def participants_of_client(self, client_id: str) -> list[Participant]:
        query = select(Participant).where(Participant.client_id == client_id)
        async with self._sm() as db:
            return list((await db.execute(query)).scalars())

    async def therapist_participant(self, session_id: str, staff_id: str) -> Participant:
        query = select(Participant).where(
            Participant.session_id == session_id, Participant.staff_id == staff_id,
            Participant.role == ParticipantRole.THERAPIST,
        )
        async with self._sm() as db:
            found = (await db.execute(query)).scalar()
        if found is None:
            raise NotFound("participant not found")
        return found

    async def set_admitted(self, participant_id: str, admitted: bool) -> None:
        now = utcnow()
        async with self._sm() as db, db.begin():
            await db.execute(update(Participant).where(Participant.id == participant_id)
                             .values(admitted_at=now if admitted else None))
            if admitted:  # the first time they were let in stays (a missed session is one never attended)
                await db.execute(update(Participant).where(Participant.id == participant_id,
                                                           Participant.attended_at.is_(None)).values(attended_at=now))

    async def set_locked(self, session_id: str, locked: bool) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(update(Session).where(Session.id == session_id)
                             .values(locked_at=utcnow() if locked else None))

    async def is_locked(self, session_id: str) -> bool:
        async with self._sm() as db:
            return await db.scalar(select(Session.locked_at.is_not(None)).where(Session.id == session_id)) or False

    async def remove_participant(self, participant_id: str) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(
                update(Participant).where(Participant.id == participant_id, Participant.removed_at.is_(None))
                .values(removed_at=utcnow(), admitted_at=None)
            )
            await db.execute(
                update(Invite).where(Invite.participant_id == participant_id, Invite.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    async def keep_participant(self, participant_id: str) -> None:
        """A crisis guest stays for the rest of the session after the crisis closed."""
        async with self._sm() as db, db.begin():
            await db.execute(update(Participant).where(Participant.id == participant_id).values(kept_at=utcnow()))

    # invites (personal links)
    async def create_invite(
        self, *, participant_id: str, token_hash: str, expires_at: datetime, single_use: bool = False
    ) -> Invite:
        """Issue a link; any earlier link of the same participant stops working."""
        await self.revoke_invites(participant_id)
        return await self._add(Invite(
            participant_id=participant_id, token_hash=token_hash, expires_at=expires_at,
            single_use=single_use,
        ))

    async def revoke_invites(self, participant_id: str) -> int:
        async with self._sm() as db, db.begin():
            result = await db.execute(
                update(Invite).where(Invite.participant_id == participant_id, Invite.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
        return result.rowcount or 0

    @staticmethod
    async def _held_open(db, session_id: str) -> bool:
        """Whether a crisis (any state but closed) holds the session open."""
        query = select(CrisisRecord.id).where(CrisisRecord.session_id == session_id, CrisisRecord.state != "closed")
        return (await db.execute(query.limit(1))).scalar() is not None

    async def session_held_open(self, session_id: str) -> bool:
        async with self._sm() as db:
            return await self._held_open(db, session_id)

    async def get_invite(self, invite_id: str) -> Invite:
        return await self._get(Invite, invite_id)

    async def redeem_invite(self, token_hash: str, *, now: datetime, grace: timedelta) -> Redemption:
        """Check a link and count its use. Unknown, expired, revoked, used-up, removed and
        out-of-window links all raise the same ``LinkInvalid``.

        A crisis holds its session open past the scheduled end: while one is open, a link bound to
        the session's end (a client's or therapist's link) still works; a link with its own shorter
        life (a support person's) keeps it."""
        async with self._sm() as db, db.begin():
            invite = (await db.execute(select(Invite).where(Invite.token_hash == token_hash))).scalar()
            if invite is None or invite.revoked_at is not None:
                raise LinkInvalid()
            participant = await db.get(Participant, invite.participant_id)
            session = await db.get(Session, participant.session_id)
            held = await self._held_open(db, session.id)
            bound_to_session_end = invite.expires_at == session.ends_at
            if invite.expires_at <= now and not (held and bound_to_session_end):
                raise LinkInvalid()
            out_of_window = now < session.starts_at - grace or (now > session.ends_at and not held)
            if participant.removed_at is not None or out_of_window or session.status is SessionStatus.ENDED:
                raise LinkInvalid()
            guard = [Invite.id == invite.id]
            if invite.single_use:
                guard.append(Invite.redeem_count == 0)
            result = await db.execute(
                update(Invite).where(*guard).values(redeem_count=Invite.redeem_count + 1)
            )
            if result.rowcount != 1:
                raise LinkInvalid()
        return Redemption(invite=invite, participant=participant, session=session)
