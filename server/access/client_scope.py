"""The check every staff endpoint about one client starts with: signed in, allowed to take the action,
and the client belongs to the same program (another program's client answers 404)."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, ClientScope, Principal, authorize
from server.app_keys import STORE
from server.db.tables import Client
from server.errors import NotFound


async def client_for(request: web.Request, action: Action) -> tuple[Principal, Client]:
    principal = await staff_principal(request)
    authorize(principal, action)
    try:
        client = await request.app[STORE].get_client(request.match_info["client_id"])
    except NotFound:
        raise NotFound("client not found") from None
    authorize(principal, action, ClientScope(client_id=client.id, program_id=client.program_id))
    return principal, client
