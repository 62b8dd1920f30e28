"""The SQL implementation of ``handoff.crisis.CrisisStore``, plus the queries the edge needs
(which crisis holds a session open, responder links). Rows in, ``handoff`` values out.

``save_if_version`` is one transaction: a new crisis is an INSERT (a taken id answers False); a
change is ``UPDATE crises … WHERE id = ? AND version = expected`` — the compare-and-set — followed by
the INSERT of the new timeline events. If the UPDATE matches no row, nothing is written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.crisis import Actor, Crisis, TimelineEvent
from handoff.crisis_state import CrisisState
from handoff.responder_packet import ResponderPacket

from server.db.crisis_tables import CrisisEventRecord, CrisisRecord, ResponderLinkRecord, ResponderReceiptRecord
from server.db.tables import Participant, Session, Staff, new_id

Also = Callable[[AsyncSession, Crisis], Awaitable[None]]  # more writes in a change's transaction


@dataclass(frozen=True)
class CrisisPlace:
    """Where a crisis happens: the session it holds open."""

    crisis_id: str
    session_id: str


@dataclass(frozen=True)
class OpenCrisisRow:
    """An open crisis as the program's clinicians see it in the console (no clinical content)."""

    crisis_id: str
    session_id: str
    state: str
    opened_at: datetime
    opened_by_role: str
    responsible_clinician_id: str | None
    responsible_clinician_name: str | None
    session_therapist_id: str


@dataclass(frozen=True)
class ResponderLink:
    link_id: str
    crisis_id: str
    program_id: str
    packet: ResponderPacket
    expires_at: datetime
    allow_join: bool = False
    participant_id: str | None = None  # the responder's place in the call, once they joined
    created_at: datetime | None = None
    revoked_at: datetime | None = None
    crisis_closed_at: datetime | None = None

    def ends_at(self, grace: timedelta) -> datetime:
        """When the link stops working: its expiry, or ``grace`` after its crisis was closed if sooner."""
        if self.crisis_closed_at is None:
            return self.expires_at
        return min(self.expires_at, self.crisis_closed_at + grace)

    def live(self, at: datetime, grace: timedelta) -> bool:
        return self.revoked_at is None and at < self.ends_at(grace)


@dataclass(frozen=True)
class ResponderReceipt:
    """Who received a responder packet, and through what (page, pidf, json, join)."""

    link_id: str
    at: datetime
    via: str
    recipient_name: str
    recipient_agency: str


def _event_row(event: TimelineEvent) -> CrisisEventRecord:
    return CrisisEventRecord(crisis_id=event.crisis_id, seq=event.seq, at=event.at, kind=event.kind.value,
                             data=event.model_dump_json())


def _header(crisis: Crisis) -> dict:
    return dict(state=crisis.state.value, version=crisis.version,
                responsible_clinician_id=crisis.responsible_clinician_id, closed_at=crisis.closed_at,
                closed_by=crisis.closed_by)


class SqlCrisisStore:
    """Crises in SQL. ``for_session`` gives the port bound to the session a new crisis opens in."""

    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    def for_session(self, session_id: str, *, also: Also | None = None) -> "SessionCrisisStore":
        """The port for ``session_id``; ``also`` runs inside each change's transaction (e.g. arming the
        escalation steps a drop makes due), so the change and what it arms commit or fail together."""
        return SessionCrisisStore(self, session_id, also)

    async def load(self, crisis_id: str) -> Crisis | None:
        async with self._sm() as db:
            row = await db.get(CrisisRecord, crisis_id)
            if row is None:
                return None
            # Header first, then only the events it counts: a change committed between the two reads
            # (its header and events are written together) is simply not seen yet.
            events = (await db.execute(select(CrisisEventRecord).where(
                CrisisEventRecord.crisis_id == crisis_id, CrisisEventRecord.seq <= row.version)
                .order_by(CrisisEventRecord.seq))).scalars()
            timeline = tuple(TimelineEvent.model_validate_json(e.data) for e in events)
        return Crisis(
            crisis_id=row.id, client_id=row.client_id, program_id=row.program_id, state=CrisisState(row.state),
            version=row.version, opened_at=row.opened_at,
            opened_by=Actor(actor_id=row.opened_by_id, role=row.opened_by_role),
            responsible_clinician_id=row.responsible_clinician_id, closed_at=row.closed_at,
            closed_by=row.closed_by, timeline=timeline,
        )

    async def session_of(self, crisis_id: str) -> str | None:
        async with self._sm() as db:
            return (await db.execute(select(CrisisRecord.session_id).where(CrisisRecord.id == crisis_id))).scalar()

    async def client_of(self, crisis_id: str) -> str | None:
        async with self._sm() as db:
            return (await db.execute(select(CrisisRecord.client_id).where(CrisisRecord.id == crisis_id))).scalar()

    async def client_places(self, session_id: str, client_id: str) -> frozenset[str]:
        """The participant ids the client has in the session (the places shown their own crisis)."""
        query = select(Participant.id).where(Participant.session_id == session_id, Participant.client_id == client_id)
        async with self._sm() as db:
            return frozenset((await db.execute(query)).scalars())

    async def save_if_version(self, crisis: Crisis, expected_version: int, *, session_id: str | None = None,
                              also: Also | None = None) -> bool:
        if expected_version == 0:
            return await self._insert(crisis, session_id)
        async with self._sm() as db, db.begin():
            result = await db.execute(
                update(CrisisRecord).where(CrisisRecord.id == crisis.crisis_id,
                                           CrisisRecord.version == expected_version).values(**_header(crisis)))
            if result.rowcount != 1:
                return False
            for event in crisis.timeline[expected_version:]:
                db.add(_event_row(event))
            if also is not None:
                await also(db, crisis)
        return True

    async def _insert(self, crisis: Crisis, session_id: str | None) -> bool:
        if session_id is None:
            raise ValueError("a new crisis is opened in a session: use for_session(session_id)")
        try:
            async with self._sm() as db, db.begin():
                db.add(CrisisRecord(
                    id=crisis.crisis_id, session_id=session_id, client_id=crisis.client_id,
                    program_id=crisis.program_id, opened_at=crisis.opened_at, opened_by_id=crisis.opened_by.actor_id,
                    opened_by_role=crisis.opened_by.role.value, **_header(crisis)))
                await db.flush()
                for event in crisis.timeline:
                    db.add(_event_row(event))
        except IntegrityError:
            return False
        return True

    async def open_in_session(self, session_id: str) -> CrisisPlace | None:
        """The crisis that holds ``session_id`` open (any state but closed), if there is one."""
        query = select(CrisisRecord.id).where(CrisisRecord.session_id == session_id,
                                              CrisisRecord.state != CrisisState.CLOSED.value).limit(1)
        async with self._sm() as db:
            crisis_id = (await db.execute(query)).scalar()
        return None if crisis_id is None else CrisisPlace(crisis_id=crisis_id, session_id=session_id)

    async def open_in_program(self, program_id: str) -> list[OpenCrisisRow]:
        """Every open crisis of the program, oldest first."""
        query = (select(CrisisRecord, Session, Staff).join(Session, Session.id == CrisisRecord.session_id)
                 .outerjoin(Staff, Staff.id == CrisisRecord.responsible_clinician_id)
                 .where(CrisisRecord.program_id == program_id, CrisisRecord.state != CrisisState.CLOSED.value)
                 .order_by(CrisisRecord.opened_at))
        async with self._sm() as db:
            rows = (await db.execute(query)).all()
        return [OpenCrisisRow(
            crisis_id=c.id, session_id=c.session_id, state=c.state, opened_at=c.opened_at,
            opened_by_role=c.opened_by_role, responsible_clinician_id=c.responsible_clinician_id,
            responsible_clinician_name=staff.display_name if staff else None, session_therapist_id=session.therapist_id,
        ) for c, session, staff in rows]

    # responder links
    async def add_responder_link(self, *, token_hash: str, packet: ResponderPacket, program_id: str,
                                 created_by: str, expires_at: datetime, allow_join: bool = False) -> str:
        record = ResponderLinkRecord(id=new_id(), crisis_id=packet.crisis_id, program_id=program_id,
                                     token_hash=token_hash, packet=packet.model_dump_json(), created_by=created_by,
                                     expires_at=expires_at, allow_join=allow_join)
        async with self._sm() as db, db.begin():
            db.add(record)
        return record.id

    async def set_responder_place(self, link_id: str, participant_id: str) -> str:
        """Remember the responder's place in the call; the first one stays (two devices, one place)."""
        async with self._sm() as db, db.begin():
            await db.execute(update(ResponderLinkRecord).where(
                ResponderLinkRecord.id == link_id, ResponderLinkRecord.participant_id.is_(None))
                .values(participant_id=participant_id))
            return (await db.execute(select(ResponderLinkRecord.participant_id)
                                     .where(ResponderLinkRecord.id == link_id))).scalar_one()

    @staticmethod
    def _link(row: ResponderLinkRecord, closed_at: datetime | None) -> ResponderLink:
        return ResponderLink(link_id=row.id, crisis_id=row.crisis_id, program_id=row.program_id,
                             packet=ResponderPacket.model_validate_json(row.packet), expires_at=row.expires_at,
                             allow_join=row.allow_join, participant_id=row.participant_id,
                             created_at=row.created_at, revoked_at=row.revoked_at, crisis_closed_at=closed_at)

    async def responder_link(self, token_hash: str) -> ResponderLink | None:
        query = (select(ResponderLinkRecord, CrisisRecord.closed_at)
                 .join(CrisisRecord, CrisisRecord.id == ResponderLinkRecord.crisis_id)
                 .where(ResponderLinkRecord.token_hash == token_hash))
        async with self._sm() as db:
            found = (await db.execute(query)).first()
        return None if found is None else self._link(*found)

    async def responder_links(self, crisis_id: str) -> list[ResponderLink]:
        """The crisis's responder links, oldest first."""
        query = (select(ResponderLinkRecord, CrisisRecord.closed_at)
                 .join(CrisisRecord, CrisisRecord.id == ResponderLinkRecord.crisis_id)
                 .where(ResponderLinkRecord.crisis_id == crisis_id).order_by(ResponderLinkRecord.created_at))
        async with self._sm() as db:
            return [self._link(*found) for found in (await db.execute(query)).all()]

    async def revoke_responder_link(self, crisis_id: str, link_id: str, *, by: str, at: datetime) -> ResponderLink | None:
        """Stop the link now (the first revocation stays); None if the crisis has no such link."""
        async with self._sm() as db, db.begin():
            await db.execute(update(ResponderLinkRecord).where(
                ResponderLinkRecord.id == link_id, ResponderLinkRecord.crisis_id == crisis_id,
                ResponderLinkRecord.revoked_at.is_(None)).values(revoked_at=at, revoked_by=by))
        return next((link for link in await self.responder_links(crisis_id) if link.link_id == link_id), None)

    async def add_responder_receipt(self, link: ResponderLink, receipt: ResponderReceipt) -> None:
        async with self._sm() as db, db.begin():
            db.add(ResponderReceiptRecord(id=new_id(), link_id=link.link_id, crisis_id=link.crisis_id, at=receipt.at,
                                          via=receipt.via, recipient_name=receipt.recipient_name,
                                          recipient_agency=receipt.recipient_agency))

    async def responder_receipts(self, crisis_id: str) -> list[ResponderReceipt]:
        query = (select(ResponderReceiptRecord).where(ResponderReceiptRecord.crisis_id == crisis_id)
                 .order_by(ResponderReceiptRecord.at))
        async with self._sm() as db:
            rows = (await db.execute(query)).scalars().all()
            return [ResponderReceipt(link_id=r.link_id, at=r.at, via=r.via, recipient_name=r.recipient_name,
                                     recipient_agency=r.recipient_agency) for r in rows]


class SessionCrisisStore:
    """The ``CrisisStore`` port for one session: new crises are opened in it."""

    def __init__(self, store: SqlCrisisStore, session_id: str, also: Also | None = None) -> None:
        self._store = store
        self._session_id = session_id
        self._also = also

    async def load(self, crisis_id: str) -> Crisis | None:
        return await self._store.load(crisis_id)

    async def save_if_version(self, crisis: Crisis, expected_version: int) -> bool:
        return await self._store.save_if_version(crisis, expected_version, session_id=self._session_id,
                                                 also=self._also)
