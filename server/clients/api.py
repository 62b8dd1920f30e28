"""The care team manages a client between sessions: their own therapist (paged first when they ask for
help in office hours), where the notifier reaches them, and their standing link ("my Steadyline"),
shown once, rotated by issuing a new one, revoked at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from pydantic import BaseModel, Field

from handoff.values import EmailAddress, PhoneNumber

from server.access.client_scope import client_for
from server.access.links import new_link
from server.access.policy import Action
from server.app_keys import CLIENTS, SETTINGS, SIGNALING, STORE
from server.audit.requests import audit
from server.clients.store import ClientContact
from server.db.tables import StaffRole, utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body

HOME_PAGE = "home"


class SetClientProfile(Body):
    therapist_id: str | None = Field(default=None, max_length=64, description="Their own therapist (staff id).")
    email: EmailAddress | None = Field(default=None, max_length=320)
    phone: PhoneNumber | None = Field(default=None, max_length=40)


class HomeLinkStatus(BaseModel):
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class ClientProfileView(BaseModel):
    id: str
    display_name: str
    therapist_id: str | None
    email: str | None
    phone: str | None
    home_link: HomeLinkStatus | None = Field(description="Their working standing link, if any (never the link).")


class HomeLinkIssued(BaseModel):
    url: str = Field(description="Shown once: the client keeps it; only its hash is stored.")
    expires_at: datetime


class HomeLinksRevoked(BaseModel):
    revoked: int


async def _view(request: web.Request, client) -> ClientProfileView:
    link = await request.app[CLIENTS].current_link(client.id)
    status = None if link is None or link.expires_at <= utcnow() else HomeLinkStatus(
        created_at=link.created_at, expires_at=link.expires_at, last_used_at=link.last_used_at)
    return ClientProfileView(id=client.id, display_name=client.display_name, therapist_id=client.therapist_id,
                             email=client.email, phone=client.phone, home_link=status)


async def get_client(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CLIENT_MANAGE)
    await audit(request, "client.read", principal, target_type="client", target_id=client.id)
    return json_response(await _view(request, client))


async def put_profile(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CLIENT_MANAGE)
    body = await read_body(request, SetClientProfile)
    if body.therapist_id is not None:
        staff = await request.app[STORE].get_staff_or_none(body.therapist_id)
        if (staff is None or staff.disabled or staff.program_id != client.program_id
                or staff.role is not StaffRole.THERAPIST):
            raise InvalidInput("Their own therapist must be an active therapist of this program.",
                               errors=[{"field": "therapist_id", "message": "not a therapist of this program"}])
    client = await request.app[CLIENTS].set_profile(client.id, ClientContact(
        therapist_id=body.therapist_id, email=body.email, phone=body.phone))
    await audit(request, "client.update", principal, target_type="client", target_id=client.id)
    return json_response(await _view(request, client))


async def _end_calls_it_opened(request: web.Request, client_id: str) -> None:
    """Calls the client's page started end now, on every node (sockets opened by their join links stay)."""
    store = request.app[STORE]
    for place in await store.participants_of_client(client_id):
        if place.removed_at is None:
            await request.app[SIGNALING].revoke(place.session_id, place.id, "link_revoked")


async def issue_home_link(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CLIENT_MANAGE)
    settings, now, link = request.app[SETTINGS], utcnow(), new_link()
    expires_at = now + timedelta(days=settings.home_link_days)
    await request.app[CLIENTS].issue_link(client_id=client.id, program_id=client.program_id,
                                          token_hash=link.token_hash, by=principal.id, at=now, expires_at=expires_at)
    await audit(request, "home_link.issue", principal, target_type="client", target_id=client.id)
    await _end_calls_it_opened(request, client.id)  # the link before it stopped working
    return json_response(HomeLinkIssued(url=link.url(settings.public_url, HOME_PAGE), expires_at=expires_at),
                         status=201)


async def revoke_home_link(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CLIENT_MANAGE)
    revoked = await request.app[CLIENTS].revoke_links(client.id, utcnow())
    await audit(request, "home_link.revoke", principal, target_type="client", target_id=client.id)
    await _end_calls_it_opened(request, client.id)
    return json_response(HomeLinksRevoked(revoked=revoked))
