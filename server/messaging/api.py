"""The care team's side of a client's messages: read the thread (which marks the client's messages read: their
receipt), write to the client (who is told by e-mail that there is a message, never what it says), and how
many of the client's messages nobody has read yet."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, Role, authorize
from server.app_keys import CARE_TEAM, MESSAGING
from server.audit.requests import audit
from server.db.tables import utcnow
from server.http.bodies import read_body
from server.http.responses import json_response
from server.messaging.access import care_team_client
from server.messaging.schemas import (
    StaffMessage,
    StaffMessageSent,
    ThreadView,
    UnreadCount,
    UnreadThreads,
    UnreadThreadView,
)
from server.messaging.store import CLIENT, STAFF
from server.messaging.views import message_views


async def thread(request: web.Request) -> web.Response:
    principal, client = await care_team_client(request, Action.MESSAGE_READ)
    messaging = request.app[MESSAGING]
    unread = await messaging.store.unread(client.id, sent_by=CLIENT)
    marked = await messaging.store.mark_read(client.id, sent_by=CLIENT, reader_id=principal.id, at=utcnow())
    messages = await messaging.store.messages(client.id)
    await audit(request, "message.read", principal, target_type="client", target_id=client.id)
    if marked:
        await audit(request, "message.read_receipt", principal, target_type="client", target_id=client.id)
    return json_response(ThreadView(
        thread_id=await messaging.store.thread_id(client.id), client_id=client.id, unread=unread,
        messages=await message_views(messages, reader=STAFF, client=client, records=messaging.records,
                                     reader_id=principal.id)))


async def send(request: web.Request) -> web.Response:
    principal, client = await care_team_client(request, Action.MESSAGE_SEND)
    body = await read_body(request, StaffMessage)
    messaging = request.app[MESSAGING]
    staff = await messaging.records.get_staff(principal.id)
    sent = await messaging.staff_sends(staff, client, body.text)
    await audit(request, "message.send", principal, target_type="client", target_id=client.id)
    if any(outcome == "sent" for outcome in sent.notified.values()):
        await audit(request, "message.notify_client", principal, target_type="client", target_id=client.id)
    views = await message_views([sent.message], reader=STAFF, client=client, records=messaging.records,
                                reader_id=principal.id)
    return json_response(StaffMessageSent(message=views[0], thread_id=sent.message.thread_id,
                                          notified=sent.notified), status=201)


async def unread(request: web.Request) -> web.Response:
    principal, client = await care_team_client(request, Action.MESSAGE_READ)
    count = await request.app[MESSAGING].store.unread(client.id, sent_by=CLIENT)
    await audit(request, "message.unread_count", principal, target_type="client", target_id=client.id)
    return json_response(UnreadCount(client_id=client.id, unread=count))


async def unread_threads(request: web.Request) -> web.Response:
    """``GET /api/messages/unread``: the clients with messages nobody on their care team has read, for the
    dashboard (no text). A therapist sees the clients whose care team they are on; an admin all of the program."""
    principal = await staff_principal(request)
    authorize(principal, Action.MESSAGE_READ)
    team = request.app[CARE_TEAM]
    mine = None if principal.role is Role.ADMIN else await team.clients_of(principal.id, principal.program_id)
    threads = await request.app[MESSAGING].store.unread_threads(principal.program_id, mine)
    names = await team.names([t.client_id for t in threads])
    await audit(request, "message.unread_list", principal, target_type="program", target_id=principal.program_id)
    return json_response(UnreadThreads(threads=[
        UnreadThreadView(client_id=t.client_id, client_name=names.get(t.client_id), unread=t.unread,
                         urgent=t.urgent, since=t.since) for t in threads]))
