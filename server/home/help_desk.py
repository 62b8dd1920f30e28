"""A client's "I need help now" outside a session: an on-demand crisis room is opened for them with a
crisis in it, and the program's on-call escalation pages a clinician into it (in office hours their
own therapist first; then the rostered primary, the backup, the clinical lead — the durable steps of
``server.crises.watch``). A second press (or a second tab) finds the room already open.

What the client is told at each moment (``HelpStage``) is read from the crisis timeline and who is
connected: nothing is promised before it happened."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.crisis import Actor, Crisis, EventKind
from handoff.crisis_state import Role as CrisisRole
from signaling import Signaling

from server.crises.escalation import NOBODY_ANSWERED, NOBODY_ON_CALL, ON_CALL_ACKNOWLEDGED
from server.crises.service import Caller, CrisisService
from server.crises.store import SqlCrisisStore
from server.crises.watch import URGENT_MESSAGE, CrisisWatch
from server.db.crisis_tables import CrisisRecord
from server.db.tables import Client, ParticipantRole, Session, SessionKind, SessionStatus, Staff, utcnow
from server.home.errors import NoClinician
from server.on_call.store import OnCallStore
from server.plans.store import PlanStore
from server.programs.store import ProgramProfile
from server.sessions.store import Store

log = structlog.get_logger(__name__)
ROOM_TITLE = "Urgent help"
OWN_THERAPIST_PAGED = "page_on_call_own_therapist"
ROOM_HOURS = 4  # the room's scheduled window; an open crisis holds it open for as long as it takes


class HelpStage(str, enum.Enum):
    REACHING = "reaching"  # pages are going out
    REACHING_OWN = "reaching_own"  # in office hours: their own therapist is paged first
    JOINING = "joining"  # the paged clinician answered "I'm on it"
    WITH_YOU = "with_you"  # a clinician is in the room
    STILL_TRYING = "still_trying"  # nobody answered (yet): the clinical lead was alerted
    CLOSED = "closed"


@dataclass(frozen=True)
class HelpRoom:
    session: Session
    crisis: Crisis
    client_place_id: str
    already_open: bool
    reason: str | None = None  # why it was opened when not a help press: ``URGENT_MESSAGE`` (the page says so)


@dataclass(frozen=True)
class HelpProgress:
    stage: HelpStage
    clinician_id: str | None  # who is paged / joining / with them


def progress(crisis: Crisis, clinician_here: str | None) -> HelpProgress:
    """Where the call for help stands: from the timeline, and the staff id of a clinician connected now."""
    if not crisis.is_open:
        return HelpProgress(HelpStage.CLOSED, None)
    if clinician_here is not None:
        return HelpProgress(HelpStage.WITH_YOU, clinician_here)
    paged, stage = None, HelpStage.REACHING
    for event in crisis.timeline:
        if event.kind is EventKind.ASSIGNED:
            paged, stage = event.participant_id, HelpStage.REACHING
        elif event.kind is EventKind.ESCALATION and event.step == OWN_THERAPIST_PAGED:
            stage = HelpStage.REACHING_OWN
        elif event.kind is EventKind.ESCALATION and event.step == ON_CALL_ACKNOWLEDGED:
            stage = HelpStage.JOINING
        elif event.kind is EventKind.ESCALATION and event.step in (NOBODY_ANSWERED, NOBODY_ON_CALL):
            stage = HelpStage.STILL_TRYING
    return HelpProgress(stage, paged)


class HelpDesk:
    def __init__(self, *, store: Store, crises: SqlCrisisStore, service: CrisisService, watch: CrisisWatch,
                 on_call: OnCallStore, plans: PlanStore, sessionmaker: async_sessionmaker,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._crises = crises
        self._service = service
        self._watch = watch
        self._on_call = on_call
        self._plans = plans
        self._sm = sessionmaker
        self._now = now  # office hours and the roster are read on this clock (tests drive it)
        self.signaling: Signaling | None = None

    async def ask(self, client: Client, program: ProgramProfile, caller: Caller, *,
                  urgent_message: bool = False) -> HelpRoom:
        """The client's open help room, opened now (and the page armed) if there is none. ``urgent_message``:
        what set it off is a message the client marked urgent after hours (the page and alert say so)."""
        reason = URGENT_MESSAGE if urgent_message else None
        room = await self.open_room(client.id)
        if room is not None:
            await self.ensure_paged(replace(room, reason=reason), client, program)
            return room
        now, real_now = self._now(), utcnow()
        own = await self._own_therapist(client, program, now)
        host = (own or await self._rostered(program.program_id, now) or await self._lead(program.program_id)
                or next(iter(await self._store.therapists(program.program_id)), None))  # the room's nominal lead
        if host is None:
            raise NoClinician()
        session = await self._store.create_session(
            therapist=host, kind=SessionKind.INDIVIDUAL, title=ROOM_TITLE, starts_at=real_now,
            ends_at=real_now + timedelta(hours=ROOM_HOURS), on_demand=True)
        place = await self._store.add_participant(session_id=session.id, role=ParticipantRole.CLIENT,
                                                  display_name=client.display_name, client_id=client.id)
        await self._store.set_admitted(place.id, True)  # nobody is there to let them in: they wait in the room
        crisis, _ = await self._service.start_or_existing(
            session.id, caller, client_id=client.id, program_id=program.program_id, responsible_clinician_id=None,
            audit_action="crisis.urgent_message" if urgent_message else "crisis.help_request")
        room = HelpRoom(session=session, crisis=crisis, client_place_id=place.id, already_open=False, reason=reason)
        await self._page(room, first=own.id if own else None)
        subject = ("A client sent an urgent message after hours" if urgent_message
                   else "A client pressed \u201cI need help now\u201d outside a session")
        await self._plans.add_alert(
            program_id=program.program_id, kind="crisis.help_requested", urgency="urgent", client_id=client.id,
            at=real_now, subject=subject,
            body=f"Crisis {crisis.crisis_id} in an urgent help room: the on-call clinician is being paged.")
        log.info("help_room_opened", crisis_id=crisis.crisis_id, session_id=session.id, own_therapist=own is not None)
        return room

    async def ensure_paged(self, room: HelpRoom, client: Client, program: ProgramProfile) -> bool:
        """The page of an open help room is armed (once per crisis): this repairs a press cut short between
        opening the room and arming its page (a node died), from the next press or the page's next look at
        where help stands. True if it had to be armed now."""
        own = await self._own_therapist(client, program, self._now())
        return await self._page(room, first=own.id if own else None)

    async def _page(self, room: HelpRoom, *, first: str | None = None) -> bool:
        host_place = await self._store.therapist_participant(room.session.id, room.session.therapist_id)
        return await self._watch.call_for_help(room.crisis, room.session.id, host_place.id, first=first,
                                               reason=room.reason)

    async def open_room(self, client_id: str) -> HelpRoom | None:
        """The client's on-demand room whose crisis is still open."""
        query = (select(CrisisRecord.id, Session).join(Session, Session.id == CrisisRecord.session_id)
                 .where(CrisisRecord.client_id == client_id, CrisisRecord.state != "closed",
                        Session.on_demand.is_(True), Session.status == SessionStatus.SCHEDULED)
                 .order_by(CrisisRecord.opened_at.desc()).limit(1))
        async with self._sm() as db:
            found = (await db.execute(query)).first()
        if found is None:
            return None
        crisis = await self._crises.load(found[0])
        if crisis is None:
            return None
        places = [p for p in await self._store.list_participants(found[1].id)
                  if p.client_id == client_id and p.role is ParticipantRole.CLIENT and p.removed_at is None]
        if not places:
            return None
        return HelpRoom(session=found[1], crisis=crisis, client_place_id=places[0].id, already_open=True)

    async def progress(self, room: HelpRoom) -> HelpProgress:
        here = None
        if self.signaling is not None:
            members = await self.signaling.live.members(room.session.id)
            therapists = {m.participant_id for m in members if m.connected and m.role == "therapist"}
            for place in await self._store.list_participants(room.session.id):
                if place.id in therapists and place.staff_id:
                    here = place.staff_id
        crisis = await self._crises.load(room.crisis.crisis_id) or room.crisis
        return progress(crisis, here)

    # who is called first
    async def _own_therapist(self, client: Client, program: ProgramProfile, now: datetime) -> Staff | None:
        if client.therapist_id is None or not program.office_hours.is_open(now, program.timezone):
            return None
        return await self._usable(client.therapist_id, program.program_id)

    async def _rostered(self, program_id: str, now: datetime) -> Staff | None:
        roster = await self._on_call.roster(program_id)
        for pick in roster.candidates(now):
            staff = await self._usable(pick.clinician_id, program_id)
            if staff is not None:
                return staff
        return None

    async def _lead(self, program_id: str) -> Staff | None:
        lead = await self._plans.clinical_lead(program_id)
        return await self._usable(lead, program_id) if lead else None

    async def _usable(self, staff_id: str, program_id: str) -> Staff | None:
        staff = await self._store.get_staff_or_none(staff_id)
        return staff if staff is not None and not staff.disabled and staff.program_id == program_id else None


def client_actor(client_id: str) -> Actor:
    return Actor(actor_id=client_id, role=CrisisRole.CLIENT)
