"""The thread as each side reads it, and the words the client's page shows after a send."""

from __future__ import annotations

from server.db.tables import Client
from server.messaging.rules import Route
from server.messaging.schemas import MessageView
from server.messaging.store import CLIENT, Message
from server.programs.store import ProgramProfile
from server.sessions.store import Store

SENT = ("Sent. Your care team reads messages in office hours and will answer. For anything urgent after hours, "
        "use \u201cI need help now\u201d or call 988.")
URGENT_NOW = ("Sent and marked urgent: your care team has been alerted now. If you are in danger, press \u201cI need "
              "help now\u201d or call 988; in an emergency call 911.")
AFTER_HOURS = ("Your care team is not in now ({hours}). We have paged the on-call clinician about your message: "
               "they can join you on video here. Press \u201cI need help now\u201d to wait for them in your video "
               "room. If you are in danger now, call 988, or 911 in an emergency.")
NOBODY = ("Your care team is not in now ({hours}) and we could not reach a clinician. Please call one of the numbers "
          "below now: your program's line or 988; in an emergency call 911.")


def notice(route: Route, program: ProgramProfile, paged: bool) -> str:
    hours = f"office hours: {program.office_hours.text()}, {program.timezone.replace('_', ' ')} time"
    if route is Route.CARE_TEAM:
        return URGENT_NOW
    if route is Route.ON_CALL:
        return (AFTER_HOURS if paged else NOBODY).format(hours=hours)
    return SENT


async def message_views(messages: list[Message], *, reader: str, client: Client, records: Store,
                        reader_id: str) -> list[MessageView]:
    """``reader``: ``client`` or ``staff``; a staff reader sees colleagues' names, the client sees the clinician's."""
    names: dict[str, str] = {}
    views = []
    for m in messages:
        mine = m.sender_kind == reader and (reader == CLIENT or m.sender_id == reader_id)
        if mine:
            name = "You"
        elif m.sender_kind == CLIENT:
            name = client.display_name
        else:
            if m.sender_id not in names:
                staff = await records.get_staff_or_none(m.sender_id)
                names[m.sender_id] = staff.display_name if staff else "Your care team"
            name = names[m.sender_id]
        views.append(MessageView(message_id=m.id, sender=m.sender_kind, sender_name=name, mine=mine, text=m.text,
                                 urgent=m.urgent, sent_at=m.sent_at, read_at=m.read_at))
    return views
