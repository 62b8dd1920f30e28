"""The responder's page: what a dispatcher or crew member opening a responder link reads.

The link a person is given is ``/responder#<token>``: the token sits in the fragment, which browsers
never send, so no proxy or server log sees it. The page posts it to ``POST /api/responder/open``
and shows the packet as plain text — the address in words, the device position in numbers with its
accuracy, method and time, callback numbers, the situation and means-safety notes — plus the program's
nearest local crisis resources. No map: nothing is sent to a third party. ``POST /api/responder/open/pidf``
gives the same packet as PIDF-LO for download, and, when the clinician allowed it, ``POST /api/responder/join``
lets the responder into the crisis call. Every opening is audited; an expired link answers 410."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web

from handoff.location import LocationMethod
from handoff.pidf_lo import to_pidf_lo
from handoff.resources import nearest
from handoff.responder_packet import CallbackRole, ResponderPacket

from server.app_keys import CRISES, PLAN_STORE, SETTINGS, STORE, TOKENS
from server.crises.errors import ResponderJoinExpired, ResponderJoinNotAllowed, ResponderLinkInvalid
from server.crises.responder_links import PIDF_MEDIA_TYPE, PROVIDED_BY, Recipient, served_link
from server.crises.schemas import DISPLAY_MAX, CallbackNumber, OpenResponderLink, ResponderPageView
from server.crises.store import ResponderLink
from server.db.tables import ParticipantRole, SessionStatus, utcnow
from server.http.bodies import read_body
from server.errors import NotFound
from server.http.phones import display_phone
from server.http.responses import json_response
from server.plans.views import match_views, tel
from server.sessions.schemas import ParticipantToken
from server.sessions.views import participant_view

CALLBACK_WORDS = {CallbackRole.CLIENT: "The person", CallbackRole.THERAPIST: "Their clinician",
                  CallbackRole.PROGRAM_LINE: "Program crisis line"}

METHOD_WORDS = {
    LocationMethod.GPS: "GPS", LocationMethod.A_GPS: "assisted GPS", LocationMethod.WIFI: "Wi-Fi (802.11)",
    LocationMethod.CELL: "cell network", LocationMethod.TRIANGULATION: "triangulation",
    LocationMethod.DHCP: "network (DHCP)", LocationMethod.MANUAL: "entered by hand",
}


def clock(at: datetime, zone: str = "UTC") -> str:
    """The one way the responder page writes a time: 24-hour clock in the program's time zone, named."""
    return at.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z on %d %b %Y")


def callback_views(packet: ResponderPacket, region: str) -> list[CallbackNumber]:
    return [CallbackNumber(label=CALLBACK_WORDS[c.role], number=display_phone(c.phone, region) or c.phone,
                           tel=tel(c.phone)) for c in packet.callbacks]


def location_lines(packet: ResponderPacket, zone: str = "UTC") -> list[str]:
    _clock = partial(clock, zone=zone)
    lines = []
    if packet.civic is not None:
        lines.append(f"Address confirmed by the client: {packet.civic.address.one_line()} "
                     f"(at {_clock(packet.civic.confirmed_at)}).")
    geo = packet.geolocation
    if geo is not None:
        accuracy = f" within {geo.accuracy_m:.0f} m" if geo.accuracy_m is not None else ""
        method = f", found by {METHOD_WORDS[geo.method]}" if geo.method is not None else ", method not recorded"
        lines.append(f"Device position: latitude {geo.latitude:.5f}, longitude {geo.longitude:.5f} (WGS-84){accuracy}"
                     f"{method}, reported by the client's {geo.source.value.replace('_', ' ')} at "
                     f"{_clock(geo.observed_at)}.")
    if packet.location_warning:
        lines.append(f"Warning: {packet.location_warning}")
    if not lines:
        lines.append("No location was shared in this packet.")
    return lines


async def _person_name(request: web.Request, crisis_id: str) -> str | None:
    """The person's name as their program knows it: responders need to ask for them by name."""
    crisis = await request.app[CRISES].load(crisis_id)
    if crisis is None:
        return None
    try:
        return (await request.app[STORE].get_client(crisis.client_id)).display_name
    except NotFound:
        return None


async def _link(request: web.Request, what: str) -> ResponderLink:
    body = await read_body(request, OpenResponderLink)
    return await served_link(request, body.token, what,
                             Recipient(name=body.recipient_name, agency=body.recipient_agency))


async def open_link(request: web.Request) -> web.Response:
    link = await _link(request, "page")
    packet, resources = link.packet, []
    if packet.geolocation is not None:
        directory = await request.app[PLAN_STORE].resources(link.program_id)
        resources = match_views(nearest(directory, packet.geolocation.latitude, packet.geolocation.longitude),
                                with_distance=True, region=request.app[SETTINGS].phone_region)
    settings = request.app[SETTINGS]
    zone = settings.program_timezone
    response = json_response(ResponderPageView(
        packet=packet, expires_at=link.expires_at, can_join=link.allow_join,
        location_lines=location_lines(packet, zone), resources=resources,
        person_name=await _person_name(request, link.crisis_id), shared_at_text=clock(packet.created_at, zone),
        expires_at_text=clock(link.expires_at, zone), callbacks=callback_views(packet, settings.phone_region)))
    response.headers["Cache-Control"] = "no-store"
    return response


async def open_pidf(request: web.Request) -> web.Response:
    link = await _link(request, "pidf")
    response = web.Response(body=to_pidf_lo(link.packet, provided_by=PROVIDED_BY), content_type=PIDF_MEDIA_TYPE,
                            charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="{link.crisis_id}-location.xml"'
    return response


async def join_call(request: web.Request) -> web.Response:
    """``POST /api/responder/join`` ``{token}``: when the clinician allowed it, a participant token for the
    crisis call (role ``responder``: straight in while the crisis is open, no moderation, nothing of the
    plan). One place per link, taken within ``STEADYLINE_SUPPORT_LINK_TTL`` seconds of the link being made
    (like a support person's link); the token lives as long as the link."""
    body = await read_body(request, OpenResponderLink)
    link = await served_link(request, body.token, "join", Recipient(name=body.recipient_name,
                                                                     agency=body.recipient_agency))
    if not link.allow_join:
        raise ResponderJoinNotAllowed()
    settings = request.app[SETTINGS]
    if link.created_at is None or utcnow() >= link.created_at + timedelta(seconds=settings.support_link_ttl):
        raise ResponderJoinExpired()
    crises, store = request.app[CRISES], request.app[STORE]
    crisis = await crises.load(link.crisis_id)
    session = await store.get_session(await crises.session_of(link.crisis_id))
    if crisis is None or not crisis.is_open or session.status is SessionStatus.ENDED:
        raise ResponderLinkInvalid()
    participant_id = link.participant_id
    if participant_id is None:
        place = await store.add_participant(session_id=session.id, role=ParticipantRole.RESPONDER,
                                            display_name=f"{body.recipient_name} ({body.recipient_agency})"[:DISPLAY_MAX])
        participant_id = await crises.set_responder_place(link.link_id, place.id)
    participant = await store.get_participant(participant_id)
    if participant.removed_at is not None:
        raise ResponderLinkInvalid()
    ttl = max(60, int((link.expires_at - utcnow()).total_seconds()))
    token = request.app[TOKENS].issue_participant(
        participant_id=participant.id, session_id=session.id, program_id=session.program_id,
        role=participant.role.value, invite_id=None, ttl=ttl)
    response = json_response(ParticipantToken(participant_token=token, expires_in=ttl, session_id=session.id,
                                              participant=participant_view(participant)))
    response.headers["Cache-Control"] = "no-store"
    return response
