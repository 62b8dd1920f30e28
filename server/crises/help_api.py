"""The client's "I need help now" button: it opens a crisis in the client's session (or answers with
the one already open, so a second press is harmless), tells the session's therapists at once, and
leaves an urgent alert for the program's clinicians in case nobody is connected to see it.

Two simultaneous starts (the button and the therapist's "start crisis") open one crisis: the
database allows one open crisis per session, and the loser of the race answers with the winner's."""

from __future__ import annotations

import structlog
from aiohttp import web

from handoff.crisis import Actor
from handoff.crisis_state import Role as CrisisRole

from server.access.participant_auth import participant_context
from server.access.policy import Action, authorize
from server.app_keys import CRISIS_SERVICE, PLAN_STORE, SIGNALING
from server.crises.access import caller_of
from server.crises.schemas import HelpRequested
from server.db.tables import utcnow
from server.errors import NotFound
from server.http.responses import json_response

log = structlog.get_logger(__name__)


async def ask_for_help(request: web.Request) -> web.Response:
    """``POST /api/participant/help`` with the client's participant token."""
    context = await participant_context(request)
    principal = context.principal
    authorize(principal, Action.CRISIS_REQUEST)
    if principal.client_id is None:
        raise NotFound("client not found")
    session = context.session
    caller = caller_of(request, principal, Actor(actor_id=principal.client_id, role=CrisisRole.CLIENT))
    crisis, already_open = await request.app[CRISIS_SERVICE].start_or_existing(
        session.id, caller, client_id=principal.client_id, program_id=session.program_id,
        responsible_clinician_id=session.therapist_id, audit_action="crisis.help_request")
    signaling = request.app[SIGNALING]
    # In a group, the crisis already open may be another client's: this press is still heard at once,
    # and the answer says nothing of that other crisis.
    others = crisis.client_id != principal.client_id
    if not already_open or others:
        try:
            await signaling.notify_hosts(session.id, "help_requested",
                                         {"crisis_id": crisis.crisis_id, "participant_id": principal.id})
        except Exception:
            log.exception("help_request_notify_failed", crisis_id=crisis.crisis_id)
        about = (f"another client's crisis is open (crisis {crisis.crisis_id}), and this client needs help too"
                 if others else f"a crisis is open (crisis {crisis.crisis_id})")
        await request.app[PLAN_STORE].add_alert(
            program_id=session.program_id, kind="crisis.help_requested", urgency="urgent",
            client_id=principal.client_id, at=utcnow(),
            subject="A client pressed \u201cI need help now\u201d during a session",
            body=f"Session {session.id}: {about}. Join the session now.")
    hosts = sum(m.role == "therapist" and m.sid is not None for m in await signaling.live.members(session.id))
    log.info("help_requested", crisis_id=crisis.crisis_id, already_open=already_open, others=others, hosts=hosts)
    return json_response(HelpRequested(crisis_id=None if others else crisis.crisis_id,
                                       state=None if others else crisis.state.value,
                                       already_open=already_open and not others, therapist_connected=hosts > 0),
                         status=200 if already_open and not others else 201)
