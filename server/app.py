"""The composition root: ``create_app(settings)`` wires every part; nothing starts at import."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import make_url

from signaling import SignalingConfig, create_signaling
from signaling.ice import IceConfig
from signaling.media_workers import default_worker_count
from signaling.messages import Emergency

from server.access.abuse import AbuseGuard
from server.access.tokens import TokenService
from server.app_keys import (
    ABUSE,
    ALERT_DESK,
    AUDIT,
    CARE_TEAM,
    CLIENTS,
    CRISES,
    CRISIS_MOVES,
    CRISIS_SERVICE,
    CRISIS_WATCH,
    DASHBOARD,
    DISCLOSURES,
    DRAIN,
    ENGINE,
    FOLLOW_UPS,
    HELP_DESK,
    HTTP_METRICS,
    KEYS,
    MESSAGING,
    MISSED_SESSIONS,
    MONITORING,
    NOTIFIER,
    ON_CALL,
    OUTREACH,
    OUTREACH_DESK,
    PLAN_STORE,
    PROGRAMS,
    REGISTRY,
    SESSION_HOLD,
    SETTINGS,
    SIGNALING,
    STAFF_SESSIONS,
    STORE,
    TOKENS,
)
from server.audit.checkpoints import checkpoint_periodically
from server.audit.keys import chain_key, load_signing_key
from server.audit.log import AuditLog
from server.clients.store import ClientStore
from server.crises.escalation import Escalation
from server.crises.hold import SessionHold
from server.crises.moves import SqlCrisisMoves
from server.crises.service import CrisisService
from server.crises.step_queues import EmbeddedQueue, ProcrastinateQueue, StepQueue
from server.crises.steps import StepStore
from server.crises.store import SqlCrisisStore
from server.crises.watch import CrisisWatch, runner_name
from server.dashboard.alert_desk import AlertDesk
from server.dashboard.care_team import CareTeam
from server.dashboard.feed import DashboardFeed
from server.dashboard.namespace import StaffNamespace
from server.dashboard.staff_sockets import StaffSockets
from server.db.engine import make_engine, make_sessionmaker
from server.db.field_keys import KeySource
from server.db.tables import utcnow
from server.follow_ups.store import FollowUpStore
from server.gatekeeper import StoreGatekeeper
from server.home.help_desk import HelpDesk
from server.http.drain import Drain
from server.http.metrics import HttpMetrics
from server.http.middleware import drop_server_header, errors_as_problems, request_context, security_headers
from server.messaging.service import Messaging
from server.messaging.store import MessageStore
from server.monitoring.service import Monitoring
from server.monitoring.store import MonitoringStore
from server.notify.notifier import Notifier
from server.on_call.store import OnCallStore
from server.outreach.desk import OutreachDesk
from server.outreach.missed_sessions import MissedSessions
from server.outreach.store import OutreachStore
from server.plans.disclosure import Disclosures
from server.plans.store import PlanStore
from server.programs.store import ProgramStore
from server.routes import add_routes
from server.sessions.store import Store
from server.settings import Settings
from server.staff.staff_sessions import StaffSessions


class Clock(Protocol):
    """What the timers read and wait on (the crisis watch's escalations, the reconnect windows).
    ``create_app`` uses the real clock unless a test passes a fake one."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


def app_version() -> str:
    try:
        return version("steadyline")
    except PackageNotFoundError:
        return "0.0.0"


def signaling_config(settings: Settings) -> SignalingConfig:
    ice = IceConfig(
        stun_urls=tuple(settings.stun_urls), turn_urls=tuple(settings.turn_urls),
        turn_secret=settings.turn_secret.get_secret_value() if settings.turn_secret else None,
        turn_ttl=settings.turn_ttl,
    )
    return SignalingConfig(
        room_max_participants=settings.room_max_participants, max_message_bytes=settings.max_message_bytes,
        message_rate=settings.message_rate, message_burst=settings.message_burst,
        message_flood_limit=settings.message_flood_limit,
        ping_interval=settings.ping_interval, ping_timeout=settings.ping_timeout,
        reconnect_window=settings.reconnect_window, redis_url=settings.redis_url, ice=ice,
        media_workers=default_worker_count() if settings.media_workers is None else settings.media_workers,
        node_heartbeat_interval=settings.node_heartbeat_interval, node_ttl=settings.node_ttl,
        allowed_origins=settings.accepted_origins,
        keepalive_interval=min(60.0, settings.staff_idle_timeout / 3),
        emergency=Emergency(crisis_line=settings.crisis_line, crisis_hotline=settings.crisis_hotline,
                            emergency_number=settings.emergency_number),
    )


def audit_log(settings: Settings, sessionmaker) -> AuditLog:
    """The audit trail with its chain key, and the checkpoint signing key if this process writes
    checkpoints (``AuditKeyMissing`` if either is needed and missing)."""
    secret = settings.audit_secret.get_secret_value() if settings.audit_secret else None
    signing_key = load_signing_key(settings.audit_signing_key_file) if settings.audit_checkpoint_interval > 0 else None
    return AuditLog(sessionmaker, chain_key(secret, settings.audit_key_file), signing_key)


async def _audit_checkpoints(app: web.Application):
    settings = app[SETTINGS]
    task = None
    if settings.audit_checkpoint_interval > 0:
        task = asyncio.create_task(checkpoint_periodically(
            app[AUDIT], settings.audit_checkpoint_file, settings.audit_checkpoint_interval))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _close_resources(app: web.Application):
    """Engine and clients are created (not connected) in ``create_app``; started and closed here."""
    app[SIGNALING].start()
    yield
    await app[SIGNALING].close()
    await app[ABUSE].close()
    await app[ENGINE].dispose()


async def _crisis_watch(app: web.Application):
    """The durable crisis steps start running (pending ones re-armed) once the app is up, and stop
    before signalling and the engine close."""
    await app[CRISIS_WATCH].start()
    yield
    await app[CRISIS_WATCH].close()


async def _missed_sessions(app: web.Application):
    """The look for missed sessions runs while the app is up (owned, cancelled at shutdown)."""
    app[MISSED_SESSIONS].start()
    yield
    await app[MISSED_SESSIONS].close()


async def _check_in_sweeps(app: web.Application):
    """The due-time check for missed check-ins runs while the app is up (``STEADYLINE_CHECK_IN_SWEEP_INTERVAL``)."""
    interval, task = app[SETTINGS].check_in_sweep_interval, None
    if interval > 0:
        task = asyncio.create_task(app[MONITORING].sweep_periodically(interval))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _staff_namespace(app: web.Application) -> None:
    """The live dashboard's socket (/staff) on the same Socket.IO server as the calls (and so on every
    node through the same Redis client manager), with its owned sweep of ended sign-ins."""
    sio = app[SIGNALING].sio
    sockets = StaffSockets(sio, app[STAFF_SESSIONS].is_current, app[SETTINGS].dashboard_sweep_interval)
    app[DASHBOARD].sio, app[DASHBOARD].sockets = sio, sockets
    sio.register_namespace(StaffNamespace(app[TOKENS], app[STAFF_SESSIONS], app[STORE], sockets))


async def _dashboard_sweep(app: web.Application):
    """Dashboard sockets of ended sign-ins are closed on every node (owned, cancelled at shutdown)."""
    sockets = app[DASHBOARD].sockets
    if sockets is not None:
        sockets.start()
    yield
    if sockets is not None:
        await sockets.close()


def step_queue(settings: Settings, steps: StepStore, clock: Clock | None) -> StepQueue:
    """procrastinate on PostgreSQL (several nodes), this process on SQLite. A driven clock (tests) runs
    the embedded queue on any database: PostgreSQL's clock, which procrastinate schedules on, cannot be
    driven."""
    engine = settings.step_engine
    if engine == "auto":
        postgres = make_url(settings.database_url).get_backend_name() == "postgresql"
        engine = "procrastinate" if postgres and clock is None else "embedded"
    if engine == "procrastinate":
        return ProcrastinateQueue(settings.database_url, node_id=runner_name())
    now, sleep = (utcnow, asyncio.sleep) if clock is None else (clock.now, clock.sleep)
    return EmbeddedQueue(steps, now=now, sleep=sleep)


async def _drain_on_shutdown(app: web.Application) -> None:
    app[DRAIN].start()


def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    now, sleep = (utcnow, asyncio.sleep) if clock is None else (clock.now, clock.sleep)
    app = web.Application(middlewares=[request_context, security_headers, errors_as_problems],
                          client_max_size=1024 * 1024)
    app.on_response_prepare.append(drop_server_header)
    app[SETTINGS] = settings
    app[TOKENS] = TokenService(settings.jwt_secret.get_secret_value(), settings.jwt_issuer)
    app[REGISTRY] = CollectorRegistry()
    app[HTTP_METRICS] = HttpMetrics(app[REGISTRY])
    app[DRAIN] = Drain()
    app[ABUSE] = AbuseGuard.shared(settings.redis_url) if settings.redis_url else AbuseGuard.in_process()
    app[ENGINE] = make_engine(settings.database_url)
    app[KEYS] = KeySource(settings.field_keys.get_secret_value() if settings.field_keys else None,
                          settings.field_keys_file)
    app[STORE] = Store(make_sessionmaker(app[ENGINE], app[KEYS]))
    app[PLAN_STORE] = PlanStore(make_sessionmaker(app[ENGINE], app[KEYS]))
    app[DISCLOSURES] = Disclosures(app[PLAN_STORE])
    app[AUDIT] = audit_log(settings, make_sessionmaker(app[ENGINE]))
    app[STAFF_SESSIONS] = StaffSessions(app[STORE], settings.staff_session_lifetime, settings.staff_idle_timeout)
    app[CRISES] = SqlCrisisStore(make_sessionmaker(app[ENGINE], app[KEYS]))
    app[CRISIS_MOVES] = SqlCrisisMoves(make_sessionmaker(app[ENGINE], app[KEYS]), app[CRISES])
    app[FOLLOW_UPS] = FollowUpStore(make_sessionmaker(app[ENGINE]))
    app[NOTIFIER] = Notifier(settings)
    app[ON_CALL] = OnCallStore(make_sessionmaker(app[ENGINE]))
    app[CRISIS_SERVICE] = CrisisService(app[CRISES], app[CRISIS_MOVES], app[AUDIT], now=now)
    escalation = Escalation(
        settings=settings, store=app[STORE], service=app[CRISIS_SERVICE], plans=app[PLAN_STORE],
        disclosures=app[DISCLOSURES],
        on_call=app[ON_CALL], notifier=app[NOTIFIER], audit=app[AUDIT], tokens=app[TOKENS], now=now)
    steps = StepStore(make_sessionmaker(app[ENGINE]))
    app[CRISIS_WATCH] = CrisisWatch(settings, app[STORE], app[CRISES], escalation, steps,
                                    step_queue(settings, steps, clock), now=now)
    app[SESSION_HOLD] = SessionHold(app[CRISES])
    app[PROGRAMS] = ProgramStore(make_sessionmaker(app[ENGINE]))
    app[CLIENTS] = ClientStore(make_sessionmaker(app[ENGINE], app[KEYS]))
    app[CARE_TEAM] = CareTeam(make_sessionmaker(app[ENGINE], app[KEYS]), app[STAFF_SESSIONS].idle)
    app[DASHBOARD] = DashboardFeed(app[CARE_TEAM])  # sign-ins live on the real clock (StaffSessions)
    app[ALERT_DESK] = AlertDesk(app[PLAN_STORE], app[CARE_TEAM], app[DASHBOARD], app[STORE])
    app[PLAN_STORE].on_alert = app[ALERT_DESK].push  # every alert, whoever raised it, pushed after its commit
    app[HELP_DESK] = HelpDesk(store=app[STORE], crises=app[CRISES], service=app[CRISIS_SERVICE],
                              watch=app[CRISIS_WATCH], on_call=app[ON_CALL], plans=app[PLAN_STORE],
                              sessionmaker=make_sessionmaker(app[ENGINE]), now=now)
    app[OUTREACH] = OutreachStore(make_sessionmaker(app[ENGINE], app[KEYS]))
    app[OUTREACH_DESK] = OutreachDesk(app[OUTREACH], app[CARE_TEAM], app[DASHBOARD])
    app[MISSED_SESSIONS] = MissedSessions(settings, app[OUTREACH], app[PLAN_STORE], app[AUDIT], now=now, sleep=sleep)
    app[MISSED_SESSIONS].desk = app[OUTREACH_DESK]
    app[MONITORING] = Monitoring(MonitoringStore(make_sessionmaker(app[ENGINE], app[KEYS])), app[PLAN_STORE],
                                 app[STORE], notifier=app[NOTIFIER], audit=app[AUDIT], now=now, sleep=sleep)
    app[MESSAGING] = Messaging(MessageStore(make_sessionmaker(app[ENGINE], app[KEYS])), records=app[STORE],
                               plans=app[PLAN_STORE], monitoring=app[MONITORING], help_desk=app[HELP_DESK],
                               notifier=app[NOTIFIER], dashboard=app[DASHBOARD], settings=settings, now=now)
    gatekeeper = StoreGatekeeper(app[STORE], app[TOKENS], app[AUDIT], app[STAFF_SESSIONS], app[SESSION_HOLD],
                                 app[CRISIS_WATCH], app[CLIENTS])
    app[SIGNALING] = create_signaling(signaling_config(settings), gatekeeper, app[REGISTRY], sleep)
    escalation.signaling = app[SIGNALING]
    app[HELP_DESK].signaling = app[SIGNALING]
    app[MISSED_SESSIONS].signaling = app[SIGNALING]
    app[CRISIS_SERVICE].signaling = app[SIGNALING]
    _staff_namespace(app)
    app[SIGNALING].sio.attach(app)
    app.cleanup_ctx.extend([_close_resources, _audit_checkpoints])
    app.cleanup_ctx.append(_crisis_watch)
    app.cleanup_ctx.append(_missed_sessions)
    app.cleanup_ctx.append(_check_in_sweeps)
    app.cleanup_ctx.append(_dashboard_sweep)
    app.on_shutdown.append(_drain_on_shutdown)
    add_routes(app, app_version())
    return app
