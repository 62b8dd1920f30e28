"""The one route table: HTTP handlers and the operations of the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from . import audit_api, auth_api, health_api, join_api, sessions_api
from .api_models import (
    AddParticipant, AuditExport, CreateSession, JoinLink, LoginRequest, LoginResponse, ParticipantToken,
    RedeemRequest, Revoked, SignedOutView, SessionList, SessionView, StaffView,
)
from .openapi import Operation, build_document, openapi_handler
from .pages import STATIC_DIR, page

S = "/api/sessions/{session_id}"
P = S + "/participants/{participant_id}"

API = [
    (Operation("POST", "/api/auth/login", "Staff sign-in", LoginRequest, LoginResponse, auth=None), auth_api.login),
    (Operation("POST", "/api/auth/logout", "Sign out; any call you host is left at once", response=SignedOutView),
     auth_api.logout),
    (Operation("GET", "/api/me", "The signed-in staff member", response=StaffView), auth_api.me),
    (Operation("GET", "/api/sessions", "Sessions of a day (yours; all of the program for admins)",
               response=SessionList, query=("day",)), sessions_api.list_sessions),
    (Operation("POST", "/api/sessions", "Create an individual or group session", CreateSession, SessionView,
               status=201), sessions_api.create_session),
    (Operation("GET", S, "One session with its participants", response=SessionView), sessions_api.get_session),
    (Operation("POST", S + "/participants", "Add a client and issue their personal join link",
               AddParticipant, JoinLink, status=201), sessions_api.add_participant),
    (Operation("POST", P + "/link", "Issue a new personal link (the old one stops working)", response=JoinLink),
     sessions_api.reissue_link),
    (Operation("DELETE", P + "/link", "Revoke a person's links", response=Revoked), sessions_api.revoke_link),
    (Operation("POST", S + "/host", "Participant token for the session's therapist", response=ParticipantToken),
     sessions_api.host_token),
    (Operation("POST", S + "/end", "End the session for everyone", response=SessionView), sessions_api.end_session),
    (Operation("GET", "/api/audit", "Export the audit trail of a session or a client (admins)",
               response=AuditExport, query=("session_id", "client_id")), audit_api.export_audit),
    (Operation("POST", "/api/join", "Redeem a personal join link", RedeemRequest, ParticipantToken, auth=None),
     join_api.redeem),
]


def add_routes(app: web.Application, version: str) -> None:
    for op, handler in API:
        app.router.add_route(op.method, op.path, handler)
    document = build_document([op for op, _ in API], version)
    app.router.add_get("/api/openapi.json", openapi_handler(document))
    app.router.add_get("/healthz", health_api.healthz)
    app.router.add_get("/readyz", health_api.readyz)
    app.router.add_get("/metrics", health_api.metrics)
    app.router.add_get("/", page("index.html"))
    app.router.add_get("/join", page("join.html", private=True))
    app.router.add_get("/console", page("console.html"))
    app.router.add_get("/api/docs", page("api-docs.html"))
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
