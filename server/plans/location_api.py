"""Location at every join: the client confirms where they are (their planned address, or one they
type) and may share their browser's position. Stored encrypted; returned by no plan or client endpoint:
only the crisis code reads it, through ``Disclosures.latest_location`` (the responder packet, and the
managing clinician's read-out while a crisis is open, ``server/crises/read_out_api.py``, audited). A
confirmed address far from the browser's position is flagged to the session's therapist as a
``location_flag`` socket event."""

from __future__ import annotations

import structlog
from aiohttp import web

from handoff.location import CivicAddress, ConfirmedLocation, GeoLocation, LocationSource, MismatchCheck, check_mismatch

from server.access.participant_auth import participant_context
from server.access.policy import Action, ClientScope, authorize
from server.app_keys import PLAN_STORE, SETTINGS, SIGNALING
from server.audit.requests import audit
from server.db.tables import new_id, utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.http.bodies import read_body
from server.http.responses import json_response
from server.plans.schemas import ConfirmLocation, LocationRecorded
from server.plans.store import LocationRecord

log = structlog.get_logger("steadyline.location")


class NoPlannedAddress(Conflict):
    code = "no_planned_address"
    message = "There is no planned address on file. Please type where you are."


async def _confirmed(request: web.Request, body: ConfirmLocation, client_id: str, by: str, at) -> tuple[
        ConfirmedLocation, str]:
    if body.at_planned_address:
        stored = await request.app[PLAN_STORE].plan(client_id)
        planned = stored.planned_location if stored else None
        if planned is None:
            raise NoPlannedAddress()
        address, coordinates, source = planned.address, planned.coordinates, "planned_address"
    else:
        try:
            address = CivicAddress(**body.address.model_dump())
        except ValueError:
            raise InvalidInput("That address is not valid: the country is a two-letter code such as US.") from None
        coordinates, source = None, "typed_address"
    confirmed = ConfirmedLocation(location_id=new_id(), client_id=client_id, address=address,
                                  coordinates=coordinates, confirmed_at=at, confirmed_by=by)
    return confirmed, source


async def confirm_location(request: web.Request) -> web.Response:
    context = await participant_context(request)
    principal = context.principal
    authorize(principal, Action.LOCATION_CONFIRM)
    if principal.client_id is None:
        raise NotFound("client not found")
    authorize(principal, Action.LOCATION_CONFIRM, ClientScope(client_id=principal.client_id,
                                                               program_id=principal.program_id))
    body = await read_body(request, ConfirmLocation)
    now = utcnow()
    confirmed, source = await _confirmed(request, body, principal.client_id, principal.id, now)
    geo = None
    if body.geolocation is not None:
        point = body.geolocation
        geo = GeoLocation(latitude=point.latitude, longitude=point.longitude, accuracy_m=point.accuracy_m,
                          method=point.method, source=LocationSource.BROWSER, observed_at=now)
    check: MismatchCheck | None = None
    if geo is not None:
        check = check_mismatch(confirmed, geo, threshold_m=request.app[SETTINGS].location_mismatch_m)
    flagged = bool(check and check.flagged)
    await request.app[PLAN_STORE].add_location(
        LocationRecord(confirmed=confirmed, geolocation=geo, source=source, flagged=flagged),
        program_id=principal.program_id, session_id=principal.session_id, participant_id=principal.id,
    )
    await audit(request, "location.confirm", principal, target_type="client", target_id=principal.client_id,
                session_id=principal.session_id)
    if flagged:
        payload = {"participant_id": principal.id, "distance_m": round(check.distance_m)}
        sent = await request.app[SIGNALING].notify_hosts(principal.session_id, "location_flag", payload)
        log.info("location_flagged", session_id=principal.session_id, participant_id=principal.id, hosts=sent)
    return json_response(LocationRecorded(recorded=True, confirmed_at=now), status=201)
