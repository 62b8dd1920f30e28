"""The one place messaging state changes: a message is saved (encrypted), then what it sets off — the care
team's dashboard push, the self-harm word list's alert for a person to review, an urgent flag's alert (office
hours) or on-call page through the help flow (after hours), the client's "you have a new message" e-mail. No
text of a message ever leaves in a notification, a push or a log line. The handlers audit what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from server.crises.service import Caller
from server.dashboard.feed import DashboardFeed
from server.db.tables import Client, Staff, utcnow
from server.home.errors import NoClinician
from server.home.help_desk import HelpDesk, HelpRoom
from server.messaging.rules import URGENT_RULE, Route, route
from server.messaging.store import CLIENT, STAFF, Message, MessageStore
from server.monitoring.risk_rules import Rule
from server.monitoring.service import Monitoring
from server.monitoring.vocabulary import raises_alert
from server.notify.notifier import NewMessageNotice, Notifier, UrgentMessageNotice
from server.plans.store import PlanStore
from server.programs.store import ProgramProfile
from server.sessions.store import Store
from server.settings import Settings

log = structlog.get_logger(__name__)
ALERT_KIND = "message"
WORDS_SUBJECT = "A message needs a person to read it"
URGENT_SUBJECT = "A client sent an urgent message"


@dataclass(frozen=True)
class ClientSent:
    message: Message
    route: Route
    alert_ids: list[str] = field(default_factory=list)
    help_room: HelpRoom | None = None  # after hours: the room the on-call clinician is paged into
    paged: bool = False  # after hours: the page went out (False: nobody could be paged, see the crisis lines)


@dataclass(frozen=True)
class StaffSent:
    message: Message
    notified: dict[str, str]


class Messaging:
    def __init__(self, store: MessageStore, *, records: Store, plans: PlanStore, monitoring: Monitoring,
                 help_desk: HelpDesk, notifier: Notifier, dashboard: DashboardFeed, settings: Settings,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.store, self.records = store, records
        self._plans, self._monitoring, self._help_desk = plans, monitoring, help_desk
        self._notifier, self._dashboard, self._settings = notifier, dashboard, settings
        self._now = now  # office hours are read on this clock (tests drive it); records keep real time

    async def client_sends(self, client: Client, program: ProgramProfile, text: str, urgent: bool,
                           caller: Caller) -> ClientSent:
        at = utcnow()
        message = await self.store.add(client, sender_kind=CLIENT, sender_id=client.id, text=text, urgent=urgent,
                                       at=at)
        where = route(urgent, program.office_hours.is_open(self._now(), program.timezone))
        alert_ids = await self._words(client, message)
        room, paged = None, False
        if where is Route.CARE_TEAM:
            alert_ids += await self._urgent_alert(client, message)
            await self._tell_own_therapist(client)
        elif where is Route.ON_CALL:
            try:
                room = await self._help_desk.ask(client, program, caller, urgent_message=True)
                paged = True
            except NoClinician:
                log.warning("urgent_message_nobody_to_page", message_id=message.id)
            except Exception:  # the message is kept: the client is told to call now rather than shown an error
                log.exception("urgent_message_page_failed", message_id=message.id)
        await self._publish(client, message)
        log.info("message_sent", sender="client", message_id=message.id, urgent=urgent, route=where.value,
                 alerts=len(alert_ids))
        return ClientSent(message=message, route=where, alert_ids=alert_ids, help_room=room, paged=paged)

    async def staff_sends(self, staff: Staff, client: Client, text: str) -> StaffSent:
        message = await self.store.add(client, sender_kind=STAFF, sender_id=staff.id, text=text, urgent=False,
                                       at=utcnow())
        notified = await self._tell_client(client)
        log.info("message_sent", sender="staff", message_id=message.id, notified=notified)
        return StaffSent(message=message, notified=notified)

    async def _words(self, client: Client, message: Message) -> list[str]:
        """The program's self-harm word list on the client's words: an alert for a person to read it."""
        found = raises_alert(message.text, await self._monitoring.phrases(client.program_id))
        if not found:
            return []
        alert_id = await self._plans.add_alert(
            program_id=client.program_id, kind=ALERT_KIND, urgency="urgent", subject=WORDS_SUBJECT,
            body=f"Message {message.id} contains: {', '.join(found)}.", at=message.sent_at, client_id=client.id,
            recipient_id=client.therapist_id, rule=Rule.SELF_HARM_WORDS.value)
        return [alert_id] if alert_id else []

    async def _urgent_alert(self, client: Client, message: Message) -> list[str]:
        alert_id = await self._plans.add_alert(
            program_id=client.program_id, kind=ALERT_KIND, urgency="urgent", subject=URGENT_SUBJECT,
            body=f"Message {message.id} was marked urgent in office hours: read it in the client's Messages.",
            at=message.sent_at, client_id=client.id, recipient_id=client.therapist_id, rule=URGENT_RULE)
        return [alert_id] if alert_id else []

    async def _tell_own_therapist(self, client: Client) -> None:
        staff = await self.records.get_staff_or_none(client.therapist_id) if client.therapist_id else None
        if staff is None or staff.disabled or not staff.email:
            return
        console = f"{self._settings.public_url.rstrip('/')}/console"
        outcomes = await self._notifier.send(UrgentMessageNotice(client_id=client.id, email=staff.email,
                                                                 console_url=console), utcnow())
        log.info("urgent_message_therapist_told", outcomes={k: v.value for k, v in outcomes.items()})

    async def _tell_client(self, client: Client) -> dict[str, str]:
        if not client.email and not client.phone:
            return {"email": "skipped", "webhook": "skipped"}
        home = f"{self._settings.public_url.rstrip('/')}/home"
        outcomes = await self._notifier.send(NewMessageNotice(client_id=client.id, email=client.email,
                                                              phone=client.phone, home_url=home), utcnow())
        return {k: v.value for k, v in sorted(outcomes.items())}

    async def _publish(self, client: Client, message: Message) -> None:
        """The care team's dashboard push, after the commit: who and when, never the text."""
        try:
            await self._dashboard.publish(program_id=client.program_id, client_id=client.id, event="message",
                                          payload={"thread_id": message.thread_id, "client_id": client.id,
                                                   "message_id": message.id, "urgent": message.urgent,
                                                   "at": message.sent_at.isoformat()})
        except Exception:
            log.exception("message_push_failed", message_id=message.id)  # the record stands; a refresh shows it
