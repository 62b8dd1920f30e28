"""The Socket.IO edge: authenticate on connect, then one dispatch table of typed events.

Per-connection data lives in the socket session (``Connection``), never on the namespace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import socketio
import structlog
from pydantic import BaseModel, ValidationError

from handoff.errors import DomainError

from .chat import RoomChat
from .errors import (
    OUTAGES,
    AuthFailed,
    AuthRequired,
    LiveStateUnavailable,
    MalformedPayload,
    NotJoined,
    NotPermitted,
    RateLimited,
    SignalingError,
    UnknownEvent,
)
from .local_connections import LocalConnections
from .messages import Chat, Empty, Hand, Lock, MediaCandidate, MediaDescription, MediaState, Signal, Target
from .metrics import SignalingMetrics
from .ports import Gatekeeper, Identity, RoomAction
from .rate_limit import TokenBucket
from .rooms import RoomService

log = structlog.get_logger(__name__)

Handler = Callable[[Identity, str, BaseModel], Awaitable[dict | None]]


@dataclass
class Connection:
    identity: Identity
    bucket: TokenBucket  # events it may send
    refusals: TokenBucket  # events refused for the rate it may have before it is disconnected
    joined: bool = False


@dataclass(frozen=True)
class Route:
    model: type[BaseModel]
    action: RoomAction
    handler: Handler


def _ok(extra: dict | None = None) -> dict:
    return {"ok": True, **(extra or {})}


class RoomNamespace(socketio.AsyncNamespace):
    def __init__(
        self, rooms: RoomService, gatekeeper: Gatekeeper, metrics: SignalingMetrics,
        connections: LocalConnections, rate: float, burst: int, flood_limit: int = 60, chat: RoomChat | None = None,
    ) -> None:
        super().__init__("/")
        self._rooms = rooms
        self._chat = chat
        self._connections = connections
        self._gate = gatekeeper
        self._metrics = metrics
        self._rate = rate
        self._burst = burst
        self._flood_limit = flood_limit
        self._routes: dict[str, Route] = {
            "join": Route(Empty, RoomAction.PRESENT, self._join),
            "leave": Route(Empty, RoomAction.PRESENT, self._leave),
            "signal": Route(Signal, RoomAction.SIGNAL, self._signal),
            "media_state": Route(MediaState, RoomAction.PRESENT, self._media_state),
            "admit": Route(Target, RoomAction.MODERATE, self._target(rooms.admit)),
            "deny": Route(Target, RoomAction.MODERATE, self._target(rooms.deny)),
            "send_to_lobby": Route(Target, RoomAction.MODERATE, self._target(rooms.send_to_lobby)),
            "remove": Route(Target, RoomAction.MODERATE, self._target(rooms.remove)),
            "ask_mute": Route(Target, RoomAction.MODERATE, self._target(rooms.ask_mute)),
            "lock": Route(Lock, RoomAction.MODERATE, self._lock),
            "end_session": Route(Empty, RoomAction.MODERATE, self._end),
            "media_offer": Route(MediaDescription, RoomAction.SIGNAL, self._media_offer),
            "media_answer": Route(MediaDescription, RoomAction.SIGNAL, self._media_answer),
            "media_candidate": Route(MediaCandidate, RoomAction.SIGNAL, self._media_candidate),
            "chat": Route(Chat, RoomAction.PRESENT, self._send_chat),
            "raise_hand": Route(Hand, RoomAction.PRESENT, self._raise_hand),
            "lower_hand": Route(Target, RoomAction.MODERATE, self._lower_hand),
        }

    # connection lifecycle
    async def on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token or len(token) > 4096:
            self._metrics.errors.labels(code=AuthRequired.code).inc()
            raise self._refusal(AuthRequired())
        try:
            identity = await self._gate.authenticate(token)
        except SignalingError as exc:
            self._metrics.errors.labels(code=exc.code).inc()
            raise self._refusal(exc) from None
        bucket = TokenBucket(rate=self._rate, burst=self._burst)
        refusals = TokenBucket(rate=1.0, burst=self._flood_limit)  # one refused event forgiven per second
        await self.save_session(sid, {"conn": Connection(identity=identity, bucket=bucket, refusals=refusals)})
        self._connections.add(sid, identity)
        try:
            await self._rooms.claim_socket(identity, sid)  # one socket per person: a newer one replaces the older
        except OUTAGES:
            self._connections.remove(sid)
            self._metrics.errors.labels(code=LiveStateUnavailable.code).inc()
            raise self._refusal(LiveStateUnavailable()) from None
        self._metrics.observe(self._connections)
        structlog.contextvars.bind_contextvars(room_id=identity.session_id)
        log.info("socket_connected", participant_id=identity.participant_id, role=identity.role)

    @staticmethod
    def _refusal(error: SignalingError) -> socketio.exceptions.ConnectionRefusedError:
        """The client's ``connect_error`` gets ``{message, data: {code}}``."""
        return socketio.exceptions.ConnectionRefusedError(error.message, {"code": error.code})

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        conn = await self._connection(sid)
        if conn is None:
            return
        self._connections.remove(sid)
        self._metrics.observe(self._connections)
        await self._rooms.release_socket(conn.identity, sid)
        if conn.joined:
            await self._rooms.dropped(conn.identity, sid)
        log.info("socket_disconnected", participant_id=conn.identity.participant_id, room_id=conn.identity.session_id)

    async def _connection(self, sid: str) -> Connection | None:
        try:
            session = await self.get_session(sid)
        except KeyError:
            return None
        return session.get("conn")

    # dispatch
    async def trigger_event(self, event: object, *args: object) -> object:
        sid = str(args[0])
        if event == "connect" and await self._connection(sid) is None:
            return await super().trigger_event(event, *args)  # the real connection handshake
        if event == "disconnect" and not self.server.manager.is_connected(sid, self.namespace):
            return await super().trigger_event(event, *args)  # the real end of the connection
        if not isinstance(event, str) or event in ("connect", "disconnect"):
            self._metrics.errors.labels(code=UnknownEvent.code).inc()
            return {"ok": False, "error": UnknownEvent().as_payload()}  # a client posing as the transport
        payload = args[1] if len(args) > 1 else None
        try:
            result = await self._dispatch(event, sid, payload)
        except (DomainError, *OUTAGES) as exc:  # the one map to error acks: a kind answers with its code
            error = exc if isinstance(exc, DomainError) else LiveStateUnavailable()
            self._metrics.errors.labels(code=error.code).inc()
            return {"ok": False, "error": {"code": error.code, "message": error.message}}
        except Exception:
            log.exception("socket_event_failed", socket_event=event if event in self._routes else "?")
            self._metrics.errors.labels(code="internal_error").inc()
            return {"ok": False, "error": {"code": "internal_error", "message": "Something went wrong on our side."}}
        return _ok(result)

    async def _dispatch(self, event: str, sid: str, payload: object) -> dict | None:
        conn = await self._connection(sid)
        if conn is None:
            raise AuthFailed()
        if not conn.bucket.take():
            if not conn.refusals.take():  # it keeps flooding: throttling is not enough
                await self._rooms.evict(conn.identity, sid, "rate_limited", end_place=False)
            raise RateLimited()
        route = self._routes.get(event)
        if route is None:
            raise UnknownEvent()
        self._metrics.messages.labels(event=event).inc()
        try:
            message = route.model.model_validate({} if payload is None else payload)
        except ValidationError:
            raise MalformedPayload() from None
        if not self._gate.may(conn.identity, route.action):
            raise NotPermitted()
        if event != "join" and not conn.joined:
            raise NotJoined()
        if event == "join":
            conn.joined = True
            self._connections.set_joined(sid, True)
        return await route.handler(conn.identity, sid, message)

    # handlers
    async def _join(self, identity: Identity, sid: str, _: BaseModel) -> dict:
        state = await self._rooms.join(identity, sid)
        return {"state": state.payload()}

    async def _leave(self, identity: Identity, sid: str, _: BaseModel) -> None:
        conn = await self._connection(sid)
        if conn is not None:
            conn.joined = False
        self._connections.set_joined(sid, False)
        await self._rooms.leave(identity)

    async def _signal(self, identity: Identity, sid: str, message: BaseModel) -> None:
        await self._rooms.relay(identity, message)  # type: ignore[arg-type]

    async def _media_state(self, identity: Identity, sid: str, message: BaseModel) -> None:
        state: MediaState = message  # type: ignore[assignment]
        await self._rooms.media_state(identity, state.audio, state.video, state.receive_video)

    async def _lock(self, identity: Identity, sid: str, message: BaseModel) -> None:
        await self._rooms.lock(identity, message.locked)  # type: ignore[attr-defined]

    async def _end(self, identity: Identity, sid: str, _: BaseModel) -> None:
        await self._rooms.end(identity, sid)

    async def _media_offer(self, identity: Identity, sid: str, message: BaseModel) -> dict:
        return {"sdp": await self._rooms.media_offer(identity, message.sdp)}  # type: ignore[attr-defined]

    async def _media_answer(self, identity: Identity, sid: str, message: BaseModel) -> None:
        await self._rooms.media_answer(identity, message.sdp)  # type: ignore[attr-defined]

    async def _media_candidate(self, identity: Identity, sid: str, message: BaseModel) -> None:
        candidate = message.candidate  # type: ignore[attr-defined]
        await self._rooms.media_candidate(identity, candidate.model_dump() if candidate else None)

    async def _send_chat(self, identity: Identity, sid: str, message: BaseModel) -> dict:
        if self._chat is None:
            raise UnknownEvent()
        chat: Chat = message  # type: ignore[assignment]
        return {"delivered": await self._chat.send(identity, chat.to, chat.text, chat.quiet)}

    async def _raise_hand(self, identity: Identity, sid: str, message: BaseModel) -> None:
        if self._chat is None:
            raise UnknownEvent()
        await self._chat.hand(identity, message.raised)  # type: ignore[attr-defined]

    async def _lower_hand(self, identity: Identity, sid: str, message: BaseModel) -> None:
        if self._chat is None:
            raise UnknownEvent()
        await self._chat.hand(identity, False, message.participant_id)  # type: ignore[attr-defined]

    @staticmethod
    def _target(action: Callable[[Identity, str], Awaitable[None]]) -> Handler:
        async def handler(identity: Identity, sid: str, message: BaseModel) -> None:
            await action(identity, message.participant_id)  # type: ignore[attr-defined]
        return handler
