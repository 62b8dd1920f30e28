"""The escalation steps of a crisis when people drop out (see ``handoff.lost_contact``): tell the
client's consented support persons, prompt the clinicians to call emergency services, and page the
on-call clinician when the crisis's clinician is gone. Each step is recorded on the timeline (by the
system actor), audited, and told to the session; messages carry no health information."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

import structlog

from handoff.consent import Party, Scope
from handoff.crisis import SYSTEM_ACTOR, Crisis, record_assignment, record_escalation
from handoff.errors import ConsentRequired, NoOnCallCoverage
from handoff.lost_contact import TherapistDropPolicy, therapist_dropped
from signaling import Signaling

from server.access.links import IssuedLink, new_link
from server.access.tokens import TokenService
from server.audit.log import AuditEvent, AuditLog
from server.crises.service import CrisisService
from server.crises.store import Also
from server.db.tables import utcnow
from server.notify.notifier import CheckInReminder, LostContactNotice, Notifier, OnCallPage
from server.on_call.store import OnCallStore
from server.plans.disclosure import Disclosures
from server.plans.store import PlanStore
from server.sessions.store import Store
from server.settings import Settings

log = structlog.get_logger(__name__)
NOTIFY_SUPPORT = "notify_support_person"
NOTIFY_SUPPORT_NOBODY = "notify_support_person:no_consented_contact"
PROMPT_EMERGENCY = "prompt_emergency_call"
NOBODY_ON_CALL = "page_on_call:nobody_rostered"
NOBODY_ANSWERED = "page_on_call:nobody_acknowledged"
ON_CALL_ACKNOWLEDGED = "page_on_call:acknowledged"
# What a page arms in its own transaction: (the paged clinician's place id, their staff id) -> writes
ArmUnanswered = Callable[[str, str], Also]
# A client's consent for their care team to phone this person, or to invite them to video, covers
# telling them (without any health information) that contact was lost: first match wins.
NOTIFY_SCOPES = (Scope.PHONE, Scope.INVITE_TO_VIDEO)


def page_link(public_url: str, link: IssuedLink) -> str:
    """A page's link opens the console (the clinician signs in), which redeems it once and enters the call
    as host with the crisis panel; the token rides in the fragment, like every personal link."""
    return f"{public_url.rstrip('/')}/console#page={link.token}"


class Escalation:
    def __init__(self, *, settings: Settings, store: Store, service: CrisisService, plans: PlanStore,
                 disclosures: Disclosures, on_call: OnCallStore, notifier: Notifier, audit: AuditLog,
                 tokens: TokenService, now: Callable[[], datetime] = utcnow) -> None:
        self._settings = settings
        self._now = now  # the roster and office hours are read on this clock (tests drive it)
        self._tokens = tokens
        self._store = store
        self._service = service
        self._plans = plans
        self._disclosures = disclosures
        self._on_call = on_call
        self._notifier = notifier
        self._audit = audit
        self.signaling: Signaling | None = None  # attached once signalling exists (it needs our gatekeeper)

    # timeline, audit, alerts, notices
    async def record(self, crisis_id: str, session_id: str, decide, *, room: bool = False,
                     also: Also | None = None) -> Crisis | None:
        """Record one of the system's ``record_*`` decisions (see ``CrisisService.record``)."""
        return await self._service.record(crisis_id, session_id, decide, room=room, also=also)

    async def _audit_system(self, action: str, crisis: Crisis, session_id: str, *, target_type: str = "crisis",
                            target_id: str | None = None) -> None:
        await self._audit.record(AuditEvent(
            actor_id=SYSTEM_ACTOR.actor_id, actor_role=SYSTEM_ACTOR.role.value, action=action,
            target_type=target_type, target_id=target_id or crisis.crisis_id, program_id=crisis.program_id,
            session_id=session_id))

    async def _alert(self, crisis: Crisis, *, kind: str, recipient_id: str | None, subject: str, body: str) -> None:
        await self._plans.add_alert(program_id=crisis.program_id, kind=kind, urgency="high", subject=subject,
                                    body=body, at=utcnow(), client_id=crisis.client_id, recipient_id=recipient_id)

    async def _tell_hosts(self, session_id: str, payload: dict) -> None:
        if self.signaling is None:
            return
        try:
            await self.signaling.notify_hosts(session_id, "lost_contact", payload)
        except Exception:
            log.exception("lost_contact_notice_failed")

    # lost contact with the client
    async def notify_support_persons(self, crisis: Crisis, session_id: str, since: datetime) -> int:
        """Tell every plan contact the client consented to be contacted; returns how many were told.
        The notice names no one and carries no category of health information (no location, no
        situation), so no disclosure event is recorded: the step itself is, with who was told audited."""
        now, told = utcnow(), 0
        stored = await self._plans.plan(crisis.client_id)
        contacts = stored.plan.latest.contacts() if stored is not None else ()
        for contact in contacts:
            reachable = contact.email or contact.phone
            if not reachable or not await self._consented(crisis.client_id, contact.contact_id, now):
                continue
            outcomes = await self._notifier.send(LostContactNotice(
                crisis_id=crisis.crisis_id, contact_id=contact.contact_id, email=contact.email,
                phone=contact.phone), now)
            await self._audit_system("crisis.lost_contact.notify_support", crisis, session_id,
                                     target_type="contact", target_id=contact.contact_id)
            told += any(o.value == "sent" for o in outcomes.values())
            log.info("lost_contact_support_notified", crisis_id=crisis.crisis_id, outcomes=
                     {k: v.value for k, v in outcomes.items()})
        step = NOTIFY_SUPPORT if told else NOTIFY_SUPPORT_NOBODY
        await self.record(crisis.crisis_id, session_id, partial(record_escalation, step=step, actor=SYSTEM_ACTOR))
        await self._tell_hosts(session_id, {"crisis_id": crisis.crisis_id, "session_id": session_id, "step": step,
                                            "since": since.isoformat(), "notified": told})
        return told

    async def _consented(self, client_id: str, contact_id: str, now: datetime) -> bool:
        for scope in NOTIFY_SCOPES:
            try:
                await self._disclosures.check_disclosure(client_id, Party.support_person(contact_id), scope, now)
                return True
            except ConsentRequired:
                continue
        return False

    async def prompt_emergency_call(self, crisis: Crisis, session_id: str, since: datetime) -> None:
        await self.record(crisis.crisis_id, session_id,
                          partial(record_escalation, step=PROMPT_EMERGENCY, actor=SYSTEM_ACTOR))
        await self._tell_hosts(session_id, {"crisis_id": crisis.crisis_id, "session_id": session_id,
                                            "step": PROMPT_EMERGENCY, "since": since.isoformat()})
        await self._alert(crisis, kind="crisis.lost_contact", recipient_id=None,
                          subject="Lost contact with a client in crisis: consider calling emergency services",
                          body=f"The client of crisis {crisis.crisis_id} has not been back in their session since "
                               f"{since.strftime('%H:%M UTC')}. Consider calling emergency services now.")
        await self._audit_system("crisis.lost_contact.prompt_emergency", crisis, session_id)

    # the crisis's clinician is gone
    async def page_on_call(self, crisis: Crisis, session_id: str, dropped_id: str, since: datetime, *,
                           tried: frozenset[str] = frozenset(), arm: ArmUnanswered | None = None,
                           first: str | None = None, help_call: bool = False,
                           urgent_message: bool = False) -> str | None:
        """Page the on-call clinician (primary, then backup; never the one who dropped, nor one already
        ``tried``) into the session; ``arm`` gives what the page arms in its own transaction (its
        acknowledgement deadline). ``first``: someone to page before the roster (a client's own therapist,
        when the client asked for help in office hours); ``help_call``: the client asked for help outside
        a session (the page says so); ``urgent_message``: what they did was send an urgent message after hours
        (the page says that instead). With nobody (left) to page, alert the clinical lead. Returns the
        paged clinician's staff id."""
        if first is not None and first not in tried:
            staff = await self._store.get_staff_or_none(first)
            if staff is not None and not staff.disabled and staff.program_id == crisis.program_id:
                await self._page(crisis, session_id, staff, "own_therapist", arm, help_call, urgent_message)
                return staff.id
        roster = await self._on_call.roster(crisis.program_id)
        policy = TherapistDropPolicy(grace=timedelta(seconds=0 if help_call else self._settings.on_call_grace))
        now, tried = max(self._now(), since + policy.grace), set(tried) | ({first} if first else set())
        while True:
            try:
                cover = therapist_dropped(crisis.state, dropped_id, since, now, roster, policy=policy,
                                          already_tried=tried)
            except NoOnCallCoverage:
                await self._nobody_on_call(crisis, session_id, unanswered=bool(tried))
                return None
            if cover is None:
                return None
            staff = await self._store.get_staff_or_none(cover.clinician_id)
            if staff is not None and not staff.disabled and staff.program_id == crisis.program_id:
                break
            tried.add(cover.clinician_id)
        await self._page(crisis, session_id, staff, cover.pick.coverage.value, arm, help_call, urgent_message)
        return staff.id

    async def _page(self, crisis: Crisis, session_id: str, staff, coverage: str, arm: ArmUnanswered | None,
                    help_call: bool, urgent_message: bool = False) -> None:
        now = utcnow()  # links live on the real clock; the acknowledgement deadline on the steps' clock
        place, _ = await self._store.therapist_place(session_id=session_id, staff=staff)
        link = new_link()
        expires_at = now + timedelta(seconds=self._settings.on_call_link_ttl)  # the crisis holds the session open
        await self._store.create_invite(participant_id=place.id, token_hash=link.token_hash, expires_at=expires_at,
                                        single_use=True)
        await self.record(crisis.crisis_id, session_id,
                          partial(record_assignment, clinician_id=staff.id, actor=SYSTEM_ACTOR), room=True)
        step = f"page_on_call_{coverage}"
        await self.record(crisis.crisis_id, session_id, partial(record_escalation, step=step, actor=SYSTEM_ACTOR),
                          also=arm(place.id, staff.id) if arm else None)
        await self._audit_system("crisis.on_call_page", crisis, session_id, target_type="participant",
                                 target_id=place.id)
        ack_due_at = self._now() + timedelta(seconds=self._settings.on_call_ack_timeout)
        await self._tell_hosts(session_id, {"crisis_id": crisis.crisis_id, "session_id": session_id, "step": step,
                                            "paged": staff.display_name, "ack_due_at": ack_due_at.isoformat()})
        answer = self._tokens.issue_on_call_answer(participant_id=place.id, crisis_id=crisis.crisis_id,
                                                   ttl=self._settings.on_call_link_ttl)
        outcomes = await self._notifier.send(OnCallPage(
            crisis_id=crisis.crisis_id, participant_id=place.id, join_url=page_link(self._settings.public_url, link),
            expires_at=expires_at, email=staff.email, help_call=help_call, urgent_message=urgent_message,
            answer_url=f"{self._settings.public_url.rstrip('/')}/on-call#{answer}"), now)
        log.info("on_call_paged", crisis_id=crisis.crisis_id, coverage=coverage,
                 outcomes={k: v.value for k, v in outcomes.items()})

    async def _nobody_on_call(self, crisis: Crisis, session_id: str, *, unanswered: bool) -> None:
        """Nobody (left) to page: the clinical lead is alerted. ``unanswered``: pages went out and
        nobody acknowledged them in time."""
        step = NOBODY_ANSWERED if unanswered else NOBODY_ON_CALL
        await self.record(crisis.crisis_id, session_id, partial(record_escalation, step=step, actor=SYSTEM_ACTOR))
        lead = await self._plans.clinical_lead(crisis.program_id)
        why = ("no paged on-call clinician acknowledged in time" if unanswered else
               "nobody on the on-call roster covers this time")
        await self._alert(crisis, kind="crisis.no_on_call", recipient_id=lead,
                          subject="Nobody on call for a crisis: a clinician is needed now",
                          body=f"The clinician of crisis {crisis.crisis_id} dropped out of the session and {why}. "
                               "Please join or assign a clinician now.")
        await self._tell_hosts(session_id, {"crisis_id": crisis.crisis_id, "session_id": session_id, "step": step})
        await self._audit_system("crisis.on_call_none", crisis, session_id)
        log.warning("on_call_nobody", crisis_id=crisis.crisis_id, unanswered=unanswered)

    async def acknowledged(self, crisis: Crisis, session_id: str, participant_id: str, *, via: str) -> None:
        """The paged clinician acknowledged (joined the session, or pressed "I'm on it"): on the timeline,
        audited, told to the clinicians."""
        await self.record(crisis.crisis_id, session_id,
                          partial(record_escalation, step=ON_CALL_ACKNOWLEDGED, actor=SYSTEM_ACTOR))
        await self._audit_system(f"crisis.on_call_ack.{via}", crisis, session_id, target_type="participant",
                                 target_id=participant_id)
        await self._tell_hosts(session_id, {"crisis_id": crisis.crisis_id, "session_id": session_id,
                                            "step": ON_CALL_ACKNOWLEDGED})

    # after the crisis
    async def remind_check_in(self, crisis_id: str, client_place_id: str) -> str:
        """Remind the client of a scheduled check-in (no health information; see ``CheckInReminder``)."""
        place = await self._store.get_participant(client_place_id)
        if place.client_id is None:
            return "no_client"
        client = await self._store.get_client(place.client_id)
        if not client.email and not client.phone:
            return "no_contact"
        outcomes = await self._notifier.send(CheckInReminder(crisis_id=crisis_id, client_id=client.id,
                                                             email=client.email, phone=client.phone), utcnow())
        await self._audit.record(AuditEvent(
            actor_id=SYSTEM_ACTOR.actor_id, actor_role=SYSTEM_ACTOR.role.value, action="follow_up.check_in_reminder",
            target_type="client", target_id=client.id, program_id=client.program_id))
        return "reminded:" + ",".join(f"{k}={v.value}" for k, v in sorted(outcomes.items()))
