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

from aiohttp import web
from pydantic import BaseModel, Field, field_validator

from handoff.location import LocationMethod
from handoff.pidf_lo import to_pidf_lo
from handoff.resources import nearest
from handoff.responder_packet import ResponderPacket

from .api_models import Body, ParticipantToken
from .app_keys import CRISES, PLAN_STORE, SETTINGS, STORE, TOKENS
from .bodies import read_body
from .client_scope import json_response
from .crisis_store import ResponderLink
from .errors import Forbidden, LinkInvalid
from .models import ParticipantRole, SessionStatus, utcnow
from .plan_api_models import ResourceView
from .plan_views import match_views
from .responder_api import (
    PIDF_MEDIA_TYPE, PROVIDED_BY, RECIPIENT_MAX_CHARS, Recipient, ResponderLinkInvalid, served_link,
)
from .sessions_api import participant_view


class OpenResponderLink(Body):
    token: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$", description="the token from the link's fragment")
    recipient_name: str = Field(min_length=2, max_length=RECIPIENT_MAX_CHARS,
                                description="who is reading this: the responder's name (42 CFR 2.51)")
    recipient_agency: str = Field(min_length=2, max_length=RECIPIENT_MAX_CHARS,
                                  description="the agency they are with (e.g. the county EMS, a police service)")

    @field_validator("recipient_name", "recipient_agency")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 2:
            raise ValueError("write at least two characters")
        return value


DISPLAY_MAX = 100


class ResponderPageView(BaseModel):
    packet: ResponderPacket
    expires_at: datetime
    can_join: bool  # the clinician let the responder join the call from this page
    location_lines: list[str]  # the location in words, for reading out over a radio
    resources: list[ResourceView]  # the program's crisis resources nearest the device position


METHOD_WORDS = {
    LocationMethod.GPS: "GPS", LocationMethod.A_GPS: "assisted GPS", LocationMethod.WIFI: "Wi-Fi (802.11)",
    LocationMethod.CELL: "cell network", LocationMethod.TRIANGULATION: "triangulation",
    LocationMethod.DHCP: "network (DHCP)", LocationMethod.MANUAL: "entered by hand",
}


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M UTC on %d %b %Y")


def location_lines(packet: ResponderPacket) -> list[str]:
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
                                with_distance=True)
    response = json_response(ResponderPageView(packet=packet, expires_at=link.expires_at, can_join=link.allow_join,
                                               location_lines=location_lines(packet), resources=resources))
    response.headers["Cache-Control"] = "no-store"
    return response


async def open_pidf(request: web.Request) -> web.Response:
    link = await _link(request, "pidf")
    response = web.Response(body=to_pidf_lo(link.packet, provided_by=PROVIDED_BY), content_type=PIDF_MEDIA_TYPE,
                            charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="{link.crisis_id}-location.xml"'
    return response


class ResponderJoinExpired(LinkInvalid):
    code = "responder_join_expired"
    message = ("Joining the call was possible for a few minutes after this link was made. The information "
               "above still stands; call the program's crisis line to be brought into the call.")


class ResponderJoinNotAllowed(Forbidden):
    code = "responder_join_not_allowed"
    message = "This responder link does not include joining the call. Call the program's crisis line."


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
