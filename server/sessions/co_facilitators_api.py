"""Co-facilitators: a second therapist of the program who helps run a (group) session. They host the call
from their own console and may work its crises, so that when the lead therapist takes a client into a
private crisis room the group goes on with them. Adding people, issuing links and ending the session
stay with the session's lead (and the program's admins)."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import STORE
from server.audit.requests import audit
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.sessions.access import ensure_live, session_for
from server.sessions.schemas import AddCoFacilitator, Colleague, ColleagueList
from server.sessions.views import participant_view


async def colleagues(request: web.Request) -> web.Response:
    """``GET /api/program/therapists``: the program's therapists, to pick a co-facilitator from."""
    principal = await staff_principal(request)
    authorize(principal, Action.SESSION_LIST)
    found = await request.app[STORE].therapists(principal.program_id)
    return json_response(ColleagueList(therapists=[Colleague(id=s.id, display_name=s.display_name) for s in found]))


async def add_co_facilitator(request: web.Request) -> web.Response:
    """``POST /api/sessions/{session_id}/co-facilitators`` ``{staff_id}``: 201 with their place, or 200
    with the place they already have."""
    principal, session = await session_for(request, Action.SESSION_MANAGE)
    ensure_live(session)
    body = await read_body(request, AddCoFacilitator)
    store = request.app[STORE]
    staff = await store.get_staff_or_none(body.staff_id)
    if staff is None or staff.program_id != session.program_id or staff.disabled or staff.role.value != "therapist":
        raise InvalidInput("Choose a therapist of this program as co-facilitator.")
    if staff.id == session.therapist_id:
        raise InvalidInput("That therapist already leads this session.")
    place, made = await store.therapist_place(session_id=session.id, staff=staff)
    if not made:
        return json_response(participant_view(place))
    await audit(request, "session.co_facilitator", principal, target_type="participant", target_id=place.id,
                session_id=session.id)
    return json_response(participant_view(place), status=201)
