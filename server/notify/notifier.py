"""Sending crisis messages (a support person's invitation, a lost-contact notice, an on-call page): by email
(SMTP) and to a signed webhook.

Both channels are optional (unset settings = that channel is skipped) and neither can fail the
request that asked for them: the outcome of each is reported back (``sent``, ``failed``,
``skipped``), the link is also returned to the clinician, who can read it out on the phone.
Nothing personal is logged — only channel and outcome.

SMTP runs ``smtplib`` in a worker thread (``asyncio.to_thread``) so the event loop never blocks.
The webhook body is JSON; ``X-Steadyline-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact
body bytes under ``STEADYLINE_NOTIFY_WEBHOOK_SECRET``, and the body carries ``sent_at`` and a unique
``notification_id`` so a receiver can refuse replays."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import Enum

import aiohttp
import structlog

from server.settings import Settings

log = structlog.get_logger(__name__)
SIGNATURE_HEADER = "X-Steadyline-Signature"
TIMEOUT_SECONDS = 10.0


class Outcome(str, Enum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PersonalLink:
    """A message carrying someone's personal, single-use link (its repr never shows the link)."""

    crisis_id: str
    participant_id: str
    join_url: str
    expires_at: datetime
    email: str | None
    phone: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(crisis_id={self.crisis_id!r}, participant_id={self.participant_id!r})"

    def extra(self) -> dict:
        return {"crisis_id": self.crisis_id, "participant_id": self.participant_id, "join_url": self.join_url,
                "expires_at": self.expires_at.isoformat()}


@dataclass(frozen=True, repr=False)
class SupportInvitation(PersonalLink):
    """What a support person is sent: where to reach them and the personal link."""

    kind = "support_invitation"
    subject = "You are invited to a video call"

    def text(self, program_line: str) -> str:
        until = self.expires_at.strftime("%H:%M UTC")
        return (
            "Someone who named you as a support person needs you now. Their care team invites you to a "
            f"video call:\n\n{self.join_url}\n\nThe link is personal, works once and only until {until}. "
            f"If it does not work, call {program_line}.\n"
        )


@dataclass(frozen=True)
class LostContactNotice:
    """A consented support person is told the client lost contact during a session. PHI-minimal: no
    name, no diagnosis, no location; only that the care team is trying to reach them."""

    crisis_id: str
    contact_id: str
    email: str | None
    phone: str | None

    kind = "lost_contact_notice"
    subject = "A message from a care team"

    def __repr__(self) -> str:
        return f"LostContactNotice(crisis_id={self.crisis_id!r}, contact_id={self.contact_id!r})"

    def text(self, program_line: str) -> str:
        return (
            "Someone who named you as a support person lost contact with their care team during a session. "
            "The care team is trying to reach them now. If you hear from them or can check on them, please "
            f"do, and call the program's line on {program_line}. In an emergency, call your local emergency number.\n"
        )

    def extra(self) -> dict:
        return {"crisis_id": self.crisis_id, "contact_id": self.contact_id}


@dataclass(frozen=True, repr=False)
class OnCallPage(PersonalLink):
    """The on-call clinician is asked to join a crisis session now. No health information: the link
    only works once, for a short while, and opens the session as its host."""

    kind = "on_call_page"
    subject = "A client in your program needs you in a crisis session now"
    answer_url: str = ""  # "I'm on it": stops paging the next person (personal, like the join link)
    help_call: bool = False  # the client pressed "I need help now" outside a session (else: their clinician dropped)
    urgent_message: bool = False  # ... or sent a message marked urgent after hours (no text of it here)

    def text(self, program_line: str) -> str:
        until = self.expires_at.strftime("%H:%M UTC")
        answer = (f"\n\nCannot join this very minute? Press \"I'm on it\" so nobody else is paged:\n{self.answer_url}"
                  if self.answer_url else "")
        why = ("they sent their care team a message marked urgent after hours: read it in the console (today's "
               "\"Urgent help\" session, their safety plan, Messages) and reach them; a video room is open for them"
               if self.urgent_message
               else "they pressed \"I need help now\" and are waiting for you in a video room" if self.help_call else
               "their clinician's connection dropped and you are on call")
        return (
            f"A client in your program needs you in a crisis session now: {why}."
            f"\n\nJoin the session (sign in to the console and you go straight into the call):\n{self.join_url}"
            f"{answer}\n\nThe links are personal; "
            f"the join link works once and only until {until}. If it does not work, call {program_line}.\n"
        )

    def extra(self) -> dict:
        return super().extra() | ({"answer_url": self.answer_url} if self.answer_url else {})


@dataclass(frozen=True, repr=False)
class SessionInvitation(PersonalLink):
    """A client's own link to a session booked for them (after a crisis: the next day). It names no
    reason for the session."""

    kind = "session_invitation"
    subject = "Your next video session"
    when: str = ""  # the start on the program's clock, written out

    def text(self, program_line: str) -> str:
        return (
            f"Your care team booked a video session with you: {self.when}.\n\nJoin it with your personal link:\n"
            f"{self.join_url}\n\nIt opens shortly before the start. If you need help before then, call "
            f"{program_line}; in an emergency call your local emergency number.\n"
        )


@dataclass(frozen=True)
class CheckInReminder:
    """A client is reminded of a check-in their care team scheduled. No link, no reason: they open their
    own Steadyline link."""

    crisis_id: str | None  # None: a check-in schedule the care team set outside a crisis
    client_id: str
    email: str | None
    phone: str | None

    kind = "check_in_reminder"
    subject = "Time for today's check-in"

    def __repr__(self) -> str:
        return f"CheckInReminder(client_id={self.client_id!r})"

    def text(self, program_line: str) -> str:
        return (
            "Your care team asked you to check in with them today. Open your personal Steadyline link (the one "
            "they gave you) to check in, see your plan and your next session. If you need help now, call "
            f"{program_line}; in an emergency call your local emergency number.\n"
        )

    def extra(self) -> dict:
        return {"client_id": self.client_id}


@dataclass(frozen=True)
class SessionLink:
    """A client's personal link to a session, sent from the console when their therapist asks (e-mail, or a
    text message through the webhook). No reason for the session and no health information; the link only
    works for that session's window."""

    session_id: str
    participant_id: str
    join_url: str
    email: str | None
    phone: str | None
    when: str = ""  # the start on the program's clock, written out

    kind = "session_link"
    subject = "Your video session link"
    crisis_id = None  # not about a crisis

    def __repr__(self) -> str:
        return f"SessionLink(session_id={self.session_id!r}, participant_id={self.participant_id!r})"

    def text(self, program_line: str) -> str:
        return (
            f"Your care team sent you your link to a video session: {self.when}.\n\nJoin it with your personal "
            f"link:\n{self.join_url}\n\nThe link is personal: please don't share it. It opens shortly before the "
            f"start. If it does not work, call {program_line}; in an emergency call your local emergency number.\n"
        )

    def extra(self) -> dict:
        return {"session_id": self.session_id, "participant_id": self.participant_id, "join_url": self.join_url}


@dataclass(frozen=True)
class NewMessageNotice:
    """A client is told their care team wrote to them: no text of the message, no health information, no
    personal link (the standing link is theirs, kept only as a hash): the page address, opened with it."""

    client_id: str
    email: str | None
    phone: str | None
    home_url: str

    kind = "new_message"
    subject = "You have a new message"
    crisis_id = None

    def __repr__(self) -> str:
        return f"NewMessageNotice(client_id={self.client_id!r})"

    def text(self, program_line: str) -> str:
        return (
            "Your care team sent you a message on Steadyline. To read it, open your personal Steadyline link (the "
            f"one your care team gave you); it opens your page at {self.home_url}\n\nThe message is not in this "
            f"e-mail. If you need help now, call {program_line}; in an emergency call your local emergency number.\n"
        )

    def extra(self) -> dict:
        return {"client_id": self.client_id}


@dataclass(frozen=True)
class UrgentMessageNotice:
    """A client's own therapist is told, in office hours, that the client marked a message urgent: no text of
    it, no name; the console shows it to the care team."""

    client_id: str
    email: str | None
    console_url: str
    phone: str | None = None

    kind = "urgent_message"
    subject = "A client marked a message urgent"
    crisis_id = None

    def __repr__(self) -> str:
        return f"UrgentMessageNotice(client_id={self.client_id!r})"

    def text(self, program_line: str) -> str:
        return (
            "A client of yours sent their care team a message marked urgent. Read it in the console (the client's "
            f"Messages, under Between sessions):\n{self.console_url}\n\nThe message is not in this e-mail.\n"
        )

    def extra(self) -> dict:
        return {"client_id": self.client_id}


Message = (SupportInvitation | LostContactNotice | OnCallPage | SessionInvitation | CheckInReminder | SessionLink
           | NewMessageNotice | UrgentMessageNotice)


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _send_mail(host: str, port: int, message: EmailMessage) -> None:
    with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)


class Notifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def invite_support_person(self, invitation: SupportInvitation, now: datetime) -> dict[str, Outcome]:
        return await self.send(invitation, now)

    async def send(self, message: Message, now: datetime) -> dict[str, Outcome]:
        """Send a message by email and the signed webhook; each channel reports its own outcome."""
        email, webhook = await asyncio.gather(self._email(message), self._webhook(message, now))
        return {"email": email, "webhook": webhook}

    async def _email(self, message: Message) -> Outcome:
        settings = self._settings
        if not settings.smtp_host or not message.email:
            return Outcome.SKIPPED
        mail = EmailMessage()
        mail["From"] = settings.smtp_from
        mail["To"] = message.email
        mail["Subject"] = message.subject
        mail.set_content(message.text(settings.crisis_line))
        try:
            await asyncio.to_thread(_send_mail, settings.smtp_host, settings.smtp_port, mail)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notification_failed", channel="email", kind=message.kind, error=type(exc).__name__)
            return Outcome.FAILED
        log.info("notification_sent", channel="email", kind=message.kind, crisis_id=message.crisis_id)
        return Outcome.SENT

    async def _webhook(self, message: Message, now: datetime) -> Outcome:
        if not self._settings.notify_webhook_url:
            return Outcome.SKIPPED
        body = {"kind": message.kind, "notification_id": uuid.uuid4().hex, "sent_at": now.isoformat(),
                **message.extra(), "to": {"phone": message.phone, "email": message.email},
                "text": message.text(self._settings.crisis_line)}
        return await self._post(body, message.kind, message.crisis_id)

    async def _post(self, payload: dict, kind: str, crisis_id: str) -> Outcome:
        settings = self._settings
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if settings.notify_webhook_secret is not None:
            headers[SIGNATURE_HEADER] = sign(settings.notify_webhook_secret.get_secret_value().encode(), body)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as http:
                async with http.post(settings.notify_webhook_url, data=body, headers=headers) as response:
                    ok = 200 <= response.status < 300
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("notification_failed", channel="webhook", kind=kind, error=type(exc).__name__)
            return Outcome.FAILED
        if not ok:
            log.warning("notification_failed", channel="webhook", kind=kind, status=response.status)
            return Outcome.FAILED
        log.info("notification_sent", channel="webhook", kind=kind, crisis_id=crisis_id)
        return Outcome.SENT
