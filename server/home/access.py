"""Who is asking on the client's own page: a valid home token whose standing link still works."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from server.access.identity import bearer_token
from server.access.policy import Action, Principal, Role, authorize
from server.access.tokens import InvalidToken
from server.app_keys import CLIENTS, PROGRAMS, STORE, TOKENS
from server.db.tables import Client, utcnow
from server.errors import NotFound, Unauthorized
from server.programs.store import ProgramProfile


@dataclass(frozen=True)
class HomeContext:
    principal: Principal
    client: Client
    program: ProgramProfile
    link_id: str  # the standing link the page was opened with


async def home_context(request: web.Request, action: Action) -> HomeContext:
    client_id, program_id, link_id = request.app[TOKENS].verify_home(bearer_token(request))
    if not await request.app[CLIENTS].link_works(link_id, utcnow()):
        raise Unauthorized()  # revoked or rotated: the page stops at once
    try:
        client = await request.app[STORE].get_client(client_id)
    except NotFound:
        raise InvalidToken() from None
    if client.program_id != program_id:
        raise Unauthorized()
    principal = Principal(id=client.id, role=Role.CLIENT, program_id=program_id, client_id=client.id)
    authorize(principal, action)
    return HomeContext(principal=principal, client=client, program=await request.app[PROGRAMS].profile(program_id),
                       link_id=link_id)
