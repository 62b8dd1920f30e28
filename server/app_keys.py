"""Typed application state: every shared object of the app, declared in one place."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from signaling import Signaling

from .abuse import AbuseGuard
from .audit_log import AuditLog
from .crisis_moves import SqlCrisisMoves
from .crisis_store import SqlCrisisStore
from .disclosure import Disclosures
from .drain import Drain
from .follow_up_store import FollowUpStore
from .http_metrics import HttpMetrics
from .keys import KeySource
from .notifier import Notifier
from .crisis_watch import CrisisWatch
from .on_call_store import OnCallStore
from .plan_store import PlanStore
from .settings import Settings
from .staff_sessions import StaffSessions
from .store import Store
from .tokens import TokenService

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
STORE = web.AppKey("store", Store)
TOKENS = web.AppKey("tokens", TokenService)
REGISTRY = web.AppKey("registry", CollectorRegistry)
SIGNALING = web.AppKey("signaling", Signaling)
DRAIN = web.AppKey("drain", Drain)
HTTP_METRICS = web.AppKey("http_metrics", HttpMetrics)
AUDIT = web.AppKey("audit", AuditLog)
KEYS = web.AppKey("keys", KeySource)
ABUSE = web.AppKey("abuse", AbuseGuard)
STAFF_SESSIONS = web.AppKey("staff_sessions", StaffSessions)
PLAN_STORE = web.AppKey("plan_store", PlanStore)
DISCLOSURES = web.AppKey("disclosures", Disclosures)
CRISES = web.AppKey("crises", SqlCrisisStore)
CRISIS_MOVES = web.AppKey("crisis_moves", SqlCrisisMoves)
FOLLOW_UPS = web.AppKey("follow_ups", FollowUpStore)
NOTIFIER = web.AppKey("notifier", Notifier)
ON_CALL = web.AppKey("on_call", OnCallStore)
CRISIS_WATCH = web.AppKey("crisis_watch", CrisisWatch)
