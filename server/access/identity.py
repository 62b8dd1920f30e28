"""Who is asking: the staff principal behind a request's bearer token."""

from __future__ import annotations

from aiohttp import web

from server.access.policy import Principal, Role
from server.access.tokens import InvalidToken
from server.app_keys import STAFF_SESSIONS, STORE, TOKENS
from server.errors import StaffOnly, Unauthorized


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def _access_claims(request: web.Request):
    """The staff access token's claims; a participant token (valid, but the wrong kind) is 403
    ``staff_only``, anything else 401."""
    token, tokens = bearer_token(request), request.app[TOKENS]
    try:
        return tokens.verify_access(token)
    except InvalidToken:
        try:
            tokens.verify_participant(token)
        except InvalidToken:
            raise
        raise StaffOnly() from None


async def staff_principal(request: web.Request) -> Principal:
    claims = _access_claims(request)
    await request.app[STAFF_SESSIONS].check(claims.staff_session_id, claims.staff_id)
    staff = await request.app[STORE].get_staff_or_none(claims.staff_id)
    if staff is None or staff.disabled or staff.program_id != claims.program_id:
        raise Unauthorized()
    return Principal(id=staff.id, role=Role(staff.role.value), program_id=staff.program_id,
                     staff_session_id=claims.staff_session_id)
