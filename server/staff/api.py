"""Staff sign-in, sign-out and who am I."""

from __future__ import annotations

from aiohttp import web

from server.access.abuse import account_digest
from server.access.identity import staff_principal
from server.access.passwords import verify_password
from server.app_keys import ABUSE, DASHBOARD, SETTINGS, SIGNALING, STAFF_SESSIONS, STORE, TOKENS
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.db.tables import new_id
from server.errors import BadCredentials
from server.http.bodies import read_body
from server.http.middleware import client_address
from server.http.responses import json_response
from server.staff.schemas import LoginRequest, LoginResponse, StaffView


def staff_view(staff) -> StaffView:
    return StaffView(id=staff.id, display_name=staff.display_name, role=staff.role.value, program_id=staff.program_id)


async def login(request: web.Request) -> web.Response:
    body = await read_body(request, LoginRequest)
    store, settings, guard = request.app[STORE], request.app[SETTINGS], request.app[ABUSE]
    address, account = client_address(request), body.email.strip().lower()
    digest = account_digest(account)
    device = request.app[TOKENS].device_of(body.device_token, digest)  # a browser that signed in here before
    await guard.before_sign_in(address, account, device)
    staff = await store.staff_by_email(body.email)
    valid = verify_password(staff.password_hash if staff else None, body.password)
    if staff is None or not valid or staff.disabled:
        await guard.sign_in_failed(address, account, device)
        await audit(request, "auth.sign_in", outcome=Outcome.FAILED, actor_id=staff.id if staff else "unknown",
                    actor_role=staff.role.value if staff else "unknown", program_id=staff.program_id if staff else None)
        raise BadCredentials()
    signed_in = await request.app[STAFF_SESSIONS].start(staff.id)
    token = request.app[TOKENS].issue_access(
        staff_id=staff.id, staff_session_id=signed_in.id, program_id=staff.program_id, role=staff.role.value,
        ttl=settings.staff_session_lifetime,
    )
    await guard.sign_in_succeeded(address, account, device)
    await audit(request, "auth.sign_in", actor_id=staff.id, actor_role=staff.role.value, program_id=staff.program_id)
    device_token = request.app[TOKENS].issue_device(account_digest=digest, device_id=device or new_id())
    response = LoginResponse(access_token=token, expires_in=settings.staff_session_lifetime, staff=staff_view(staff),
                             device_token=device_token)
    return json_response(response)


async def me(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    staff = await request.app[STORE].get_staff(principal.id)
    return json_response(staff_view(staff))


async def logout(request: web.Request) -> web.Response:
    """Sign out: the access token stops working and any call this person hosts is left at once."""
    principal = await staff_principal(request)
    await request.app[STAFF_SESSIONS].end(principal.staff_session_id)
    for place in await request.app[STORE].open_host_places(principal.id):
        await request.app[SIGNALING].sign_out(place.session_id, place.id, principal.staff_session_id)
    await request.app[DASHBOARD].signed_out(principal.staff_session_id)  # the live dashboard's socket too
    await audit(request, "auth.sign_out", principal)
    return web.json_response({"signed_out": True})
