"""Admins export the audit trail of one session or one client (their own program only)."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import AUDIT, PLAN_STORE, STORE
from server.audit.chain import SealedEntry
from server.audit.requests import audit
from server.audit.schemas import AuditExport, AuditRecordView
from server.errors import InvalidInput, NotFound
from server.http.responses import json_response


def _view(sealed: SealedEntry) -> AuditRecordView:
    return AuditRecordView(**sealed.entry.to_dict(), previous_hmac=sealed.previous_hmac, hmac=sealed.hmac)


async def export_audit(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.AUDIT_EXPORT)
    session_id, client_id = request.query.get("session_id"), request.query.get("client_id")
    if bool(session_id) == bool(client_id):
        raise InvalidInput("Give exactly one of session_id or client_id.")
    store = request.app[STORE]
    if session_id:
        session = await store.get_session(session_id)
        if session.program_id != principal.program_id:
            raise NotFound("session not found")
        records = await request.app[AUDIT].export(program_id=principal.program_id, session_id=session_id)
        target = ("session", session_id)
    else:
        client = await store.get_client(client_id)
        if client.program_id != principal.program_id:
            raise NotFound("client not found")
        ledger = await request.app[PLAN_STORE].ledger(client.id)  # consent grants and revocations are audited by grant
        ids = ([client.id] + [p.id for p in await store.participants_of_client(client.id)]
               + [g.grant_id for g in ledger.grants])
        records = await request.app[AUDIT].export(program_id=principal.program_id, target_ids=ids)
        target = ("client", client_id)
    await audit(request, "audit.export", principal, target_type=target[0], target_id=target[1])
    return json_response(AuditExport(records=[_view(r) for r in records]))
