"""Who may read and write a client's thread on the staff side: signed in, of the client's program (another
program's client answers 404, like an unknown one), and on the client's care team — their own therapist, a
therapist who leads or has a therapist's place in a session they are in — or an admin of the program."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, ClientScope, Principal, authorize
from server.app_keys import CARE_TEAM, STORE
from server.db.tables import Client
from server.errors import NotFound


async def care_team_client(request: web.Request, action: Action) -> tuple[Principal, Client]:
    principal = await staff_principal(request)
    authorize(principal, action)
    try:
        client = await request.app[STORE].get_client(request.match_info["client_id"])
    except NotFound:
        raise NotFound("client not found") from None
    team = (await request.app[CARE_TEAM].members(client.id) if client.program_id == principal.program_id
            else frozenset())
    authorize(principal, action, ClientScope(client_id=client.id, program_id=client.program_id, care_team=team))
    return principal, client
