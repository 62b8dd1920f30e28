"""``GET /api/crises/{crisis_id}/read-out``: what the therapist reads out on a phone call to emergency
services while the crisis is open — the client's name, the address they last confirmed, their device's
position and callback numbers (formatted for the program's country).

This is the program's own clinician seeing their client's record in a crisis they manage (the same
access as the crisis itself, ``Action.CRISIS_MANAGE``, through ``crisis_for``): no third party receives
anything here. It is read through ``Disclosures.latest_location`` like the responder packet, only while
the crisis is open, and every read is audited (``crisis.location_read``). Whether the client consented
to share with emergency services is said alongside, so the therapist knows when reading it out on the
phone needs the emergency override recorded (the responder link's override does that)."""

from __future__ import annotations

from aiohttp import web

from handoff.consent import Party, Scope
from handoff.errors import ConsentRequired
from handoff.location import check_mismatch
from handoff.responder_packet import CallbackRole

from server.access.policy import Action
from server.app_keys import CRISES, DISCLOSURES, SETTINGS, STORE
from server.audit.requests import audit
from server.crises.access import crisis_for
from server.crises.schemas import CallbackNumber, CrisisReadOut
from server.db.tables import utcnow
from server.errors import Conflict, NotFound
from server.http.phones import display_phone
from server.http.responses import json_response
from server.plans.views import tel

CALLBACK_WORDS = {CallbackRole.CLIENT: "Client (as given to responders)",
                  CallbackRole.THERAPIST: "You (as given to responders)",
                  CallbackRole.PROGRAM_LINE: "Program crisis line"}


def _position(geo) -> str:
    accuracy = f", within {geo.accuracy_m:.0f} m" if geo.accuracy_m is not None else ""
    return f"latitude {geo.latitude:.5f}, longitude {geo.longitude:.5f}{accuracy}"


async def _client_name(request: web.Request, client_id: str) -> str | None:
    try:
        return (await request.app[STORE].get_client(client_id)).display_name
    except NotFound:
        return None


async def _consented(request: web.Request, client_id: str, now) -> bool:
    try:
        await request.app[DISCLOSURES].check_disclosure(client_id, Party.emergency_services(),
                                                        Scope.SHARE_LOCATION_AND_SITUATION, now)
    except ConsentRequired:
        return False
    return True


async def _callbacks(request: web.Request, crisis_id: str, region: str) -> list[CallbackNumber]:
    settings = request.app[SETTINGS]
    numbers: dict[CallbackRole, str] = {}
    for link in await request.app[CRISES].responder_links(crisis_id):  # the newest packet's numbers win
        numbers.update({c.role: c.phone for c in link.packet.callbacks})
    if settings.crisis_line:
        numbers.setdefault(CallbackRole.PROGRAM_LINE, settings.crisis_line)
    order = (CallbackRole.CLIENT, CallbackRole.THERAPIST, CallbackRole.PROGRAM_LINE)
    return [CallbackNumber(label=CALLBACK_WORDS[role], number=display_phone(numbers[role], region) or "",
                           tel=tel(numbers[role])) for role in order if numbers.get(role)]


async def read_out(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    if not ctx.crisis.is_open:
        raise Conflict("This crisis is closed.", code="crisis_closed")
    settings, now, client_id = request.app[SETTINGS], utcnow(), ctx.crisis.client_id
    where = await request.app[DISCLOSURES].latest_location(client_id)
    confirmed = where.confirmed if where else None
    geo = where.geolocation if where else None
    warning = None
    if confirmed is not None and geo is not None:
        check = check_mismatch(confirmed, geo, threshold_m=settings.location_mismatch_m)
        if check.flagged and check.distance_m is not None:
            warning = (f"The device was about {check.distance_m / 1000:.1f} km from this address when the client "
                       "confirmed it. Ask the client where they are now.")
    view = CrisisReadOut(
        client_name=await _client_name(request, client_id),
        address=confirmed.address.one_line() if confirmed else None,
        address_confirmed_at=confirmed.confirmed_at if confirmed else None,
        address_source=where.source if where else None,
        device_position=_position(geo) if geo else None, device_observed_at=geo.observed_at if geo else None,
        warning=warning, callbacks=await _callbacks(request, ctx.crisis.crisis_id, settings.phone_region),
        consent_to_emergency_services=await _consented(request, client_id, now),
    )
    await audit(request, "crisis.location_read", ctx.principal, target_type="crisis", target_id=ctx.crisis.crisis_id,
                session_id=ctx.session.id)
    return json_response(view)
