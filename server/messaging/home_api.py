"""The client's own messages, from their page "my Steadyline" (a home token): read the thread (which marks the
care team's messages read: their receipt) and write, urgent or not. What the answer says depends on the
urgent flag and office hours (``rules.route``); after hours it carries the crisis lines and the help room."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from server.access.policy import Action, Role
from server.app_keys import ABUSE, HELP_DESK, MESSAGING
from server.audit.requests import audit, request_address
from server.crises.service import Caller
from server.db.tables import utcnow
from server.home.access import home_context
from server.home.help_desk import client_actor
from server.home.views import help_view, program_lines
from server.http.bodies import read_body
from server.http.responses import json_response
from server.messaging.errors import TooManyMessages
from server.messaging.rules import Route
from server.messaging.schemas import ClientMessage, MessageSent, ThreadView
from server.messaging.store import CLIENT, STAFF
from server.messaging.views import message_views, notice

MAX_PER_HOUR = 20  # messages a client may send in an hour (each may alert or page someone); and 6 a minute
# (``server.access.abuse.MESSAGE_BURST``, in Redis when there is one: the same on every node)


async def thread(request: web.Request) -> web.Response:
    context = await home_context(request, Action.MESSAGE_OWN)
    client, messaging = context.client, request.app[MESSAGING]
    unread = await messaging.store.unread(client.id, sent_by=STAFF)
    marked = await messaging.store.mark_read(client.id, sent_by=STAFF, reader_id=client.id, at=utcnow())
    messages = await messaging.store.messages(client.id)
    if marked:  # the client's own page polls: only reading something new is worth a record
        await audit(request, "message.read_receipt", context.principal, target_type="client", target_id=client.id)
    return json_response(ThreadView(
        thread_id=await messaging.store.thread_id(client.id), client_id=client.id, unread=unread,
        messages=await message_views(messages, reader=CLIENT, client=client, records=messaging.records,
                                     reader_id=client.id)))


async def send(request: web.Request) -> web.Response:
    context = await home_context(request, Action.MESSAGE_OWN)
    body = await read_body(request, ClientMessage)
    client, program, messaging = context.client, context.program, request.app[MESSAGING]
    if not await request.app[ABUSE].message_allowed(client.id) or await messaging.store.sent_since(
            client.id, sender_kind=CLIENT, since=utcnow() - timedelta(hours=1)) >= MAX_PER_HOUR:
        raise TooManyMessages()
    caller = Caller(actor=client_actor(client.id), audit_id=client.id, audit_role=Role.CLIENT.value,
                    program_id=client.program_id, remote_addr=request_address(request))
    sent = await messaging.client_sends(client, program, body.text, body.urgent, caller)
    await audit(request, "message.send", context.principal, target_type="client", target_id=client.id)
    for alert_id in sent.alert_ids:
        await audit(request, "alert.raise", context.principal, target_type="alert", target_id=alert_id)
    lines = program_lines(request, program)
    help_ = None
    if sent.help_room is not None:
        await audit(request, "message.urgent_page", context.principal, target_type="crisis",
                    target_id=sent.help_room.crisis.crisis_id)
        help_ = await help_view(request, request.app[HELP_DESK], sent.help_room, lines)
    views = await message_views([sent.message], reader=CLIENT, client=client, records=messaging.records,
                                reader_id=client.id)
    return json_response(MessageSent(
        message=views[0], thread_id=sent.message.thread_id, notice=notice(sent.route, program, sent.paged),
        after_hours=sent.route is Route.ON_CALL, show_help=sent.route is not Route.NONE, crisis_lines=lines,
        help=help_), status=201)
