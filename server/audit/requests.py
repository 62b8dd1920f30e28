"""Audit records for HTTP requests: who (the principal), from where (the peer address)."""

from __future__ import annotations

import ipaddress

from aiohttp import web

from server.access.policy import Principal
from server.app_keys import AUDIT
from server.audit.chain import Outcome
from server.audit.log import AuditEvent
from server.http.middleware import client_address


def request_address(request: web.Request) -> str | None:
    """The caller's address as the audit trail keeps it (None when it is not an IP address)."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


async def audit(
    request: web.Request, action: str, principal: Principal | None = None, *, outcome: Outcome = Outcome.SUCCESS,
    target_type: str | None = None, target_id: str | None = None, session_id: str | None = None,
    actor_id: str | None = None, actor_role: str | None = None, program_id: str | None = None,
) -> None:
    await request.app[AUDIT].record(AuditEvent(
        actor_id=actor_id or (principal.id if principal else "anonymous"),
        actor_role=actor_role or (principal.role.value if principal else "anonymous"),
        action=action, outcome=outcome, target_type=target_type, target_id=target_id,
        program_id=program_id or (principal.program_id if principal else None), session_id=session_id,
        remote_addr=request_address(request),
    ))
