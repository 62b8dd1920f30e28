"""Typed application state: every shared object of the app, declared in one place.

The types are imported for the type checker only, so any module may read the app state without importing
the features that fill it (the composition root, ``server.app``, does that)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from sqlalchemy.ext.asyncio import AsyncEngine

    from signaling import Signaling

    from server.access.abuse import AbuseGuard
    from server.access.tokens import TokenService
    from server.audit.log import AuditLog
    from server.clients.store import ClientStore
    from server.crises.hold import SessionHold
    from server.crises.moves import SqlCrisisMoves
    from server.crises.service import CrisisService
    from server.crises.store import SqlCrisisStore
    from server.crises.watch import CrisisWatch
    from server.dashboard.alert_desk import AlertDesk
    from server.dashboard.care_team import CareTeam
    from server.dashboard.feed import DashboardFeed
    from server.db.field_keys import KeySource
    from server.follow_ups.store import FollowUpStore
    from server.home.help_desk import HelpDesk
    from server.http.drain import Drain
    from server.http.metrics import HttpMetrics
    from server.messaging.service import Messaging
    from server.monitoring.service import Monitoring
    from server.notify.notifier import Notifier
    from server.on_call.store import OnCallStore
    from server.outreach.desk import OutreachDesk
    from server.outreach.missed_sessions import MissedSessions
    from server.outreach.store import OutreachStore
    from server.plans.disclosure import Disclosures
    from server.plans.store import PlanStore
    from server.programs.store import ProgramStore
    from server.sessions.store import Store
    from server.settings import Settings
    from server.staff.staff_sessions import StaffSessions

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
ENGINE: web.AppKey[AsyncEngine] = web.AppKey("engine")
STORE: web.AppKey[Store] = web.AppKey("store")
TOKENS: web.AppKey[TokenService] = web.AppKey("tokens")
REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey("registry")
SIGNALING: web.AppKey[Signaling] = web.AppKey("signaling")
DRAIN: web.AppKey[Drain] = web.AppKey("drain")
HTTP_METRICS: web.AppKey[HttpMetrics] = web.AppKey("http_metrics")
AUDIT: web.AppKey[AuditLog] = web.AppKey("audit")
KEYS: web.AppKey[KeySource] = web.AppKey("keys")
ABUSE: web.AppKey[AbuseGuard] = web.AppKey("abuse")
STAFF_SESSIONS: web.AppKey[StaffSessions] = web.AppKey("staff_sessions")
PLAN_STORE: web.AppKey[PlanStore] = web.AppKey("plan_store")
DISCLOSURES: web.AppKey[Disclosures] = web.AppKey("disclosures")
CRISES: web.AppKey[SqlCrisisStore] = web.AppKey("crises")
CRISIS_MOVES: web.AppKey[SqlCrisisMoves] = web.AppKey("crisis_moves")
FOLLOW_UPS: web.AppKey[FollowUpStore] = web.AppKey("follow_ups")
NOTIFIER: web.AppKey[Notifier] = web.AppKey("notifier")
ON_CALL: web.AppKey[OnCallStore] = web.AppKey("on_call")
CRISIS_WATCH: web.AppKey[CrisisWatch] = web.AppKey("crisis_watch")
SESSION_HOLD: web.AppKey[SessionHold] = web.AppKey("session_hold")
CRISIS_SERVICE: web.AppKey[CrisisService] = web.AppKey("crisis_service")
PROGRAMS: web.AppKey[ProgramStore] = web.AppKey("programs")
CLIENTS: web.AppKey[ClientStore] = web.AppKey("clients")
HELP_DESK: web.AppKey[HelpDesk] = web.AppKey("help_desk")
OUTREACH: web.AppKey[OutreachStore] = web.AppKey("outreach")
MISSED_SESSIONS: web.AppKey[MissedSessions] = web.AppKey("missed_sessions")
MONITORING: web.AppKey[Monitoring] = web.AppKey("monitoring")
DASHBOARD: web.AppKey[DashboardFeed] = web.AppKey("dashboard")
MESSAGING: web.AppKey[Messaging] = web.AppKey("messaging")
CARE_TEAM: web.AppKey[CareTeam] = web.AppKey("care_team")
ALERT_DESK: web.AppKey[AlertDesk] = web.AppKey("alert_desk")
OUTREACH_DESK: web.AppKey[OutreachDesk] = web.AppKey("outreach_desk")
