"""One synthetic participant: gets its participant token (a redeemed join link, or a host place), opens
the signalling socket, joins (waiting in the lobby until admitted), then sends and receives video through
the SFU (group sessions) or peer to peer (1:1). A host admits everyone who waits in its lobby.

Nothing it meets is raised out of it: every failure is kept in ``errors`` for the report."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable

import socketio
from aiortc import RTCIceServer

from .errors import ParticipantError
from .mesh_connections import MeshConnections
from .received_video import ReceivedVideo, VideoStream
from .records import ParticipantRecord
from .rest_client import Entry
from .sfu_connection import SIGNAL_TIMEOUT, SfuConnection
from .synthetic_media import SyntheticMedia

CONNECT_TIMEOUT = 10.0
# The server ends a participant's place with one of these; each is an error of the load test.
ENDINGS = ("denied", "removed", "session_ended", "replaced", "server_restarting", "rate_limited")


def _ice_servers(state: dict) -> list[RTCIceServer]:
    return [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in state.get("ice_servers") or ()]


class Participant:
    def __init__(self, url: str, ssl_context: ssl.SSLContext | None, media: SyntheticMedia,
                 entry: Callable[[], Awaitable[Entry]], hosts: bool = False) -> None:
        self.received = ReceivedVideo()
        self.errors: list[str] = []
        self.started_at: float | None = None
        self.joined_at: float | None = None
        self.hosts = hosts
        self._url, self._synthetic, self._entry = url, media, entry
        options = {"ssl": ssl_context} if ssl_context is not None else {}
        self._sio = socketio.AsyncClient(reconnection=False, websocket_extra_options=options)
        self._media: SfuConnection | MeshConnections | None = None
        self._admitted = asyncio.Event()
        self._admitting: set[str] = set()
        self._closing = False
        self._sio.on("admitted", self._on_admitted)
        self._sio.on("media_offer", self._on_media_offer)
        self._sio.on("signal", self._on_signal)
        self._sio.on("lobby", self._on_lobby)
        self._sio.on("disconnect", self._on_disconnect)
        for event in ENDINGS:
            self._sio.on(event, self._ended_by(event))

    def _error(self, message: str) -> None:
        if not self._closing:
            self.errors.append(message)

    def _ended_by(self, event: str) -> Callable[[dict], Awaitable[None]]:
        async def ended(data: dict | None = None) -> None:
            self._error(f"{event}: {(data or {}).get('reason', '')}")
        return ended

    async def _on_admitted(self, data: dict | None = None) -> None:
        self._admitted.set()

    async def _on_media_offer(self, data: dict) -> None:
        if isinstance(self._media, SfuConnection):
            await self._media.on_server_offer(data)

    async def _on_signal(self, data: dict) -> None:
        if isinstance(self._media, MeshConnections):
            await self._media.on_signal(data)

    async def _on_lobby(self, data: dict) -> None:
        if not self.hosts:
            return
        try:
            await self._admit([w["participant_id"] for w in data.get("waiting") or ()])
        except Exception as exc:  # noqa: BLE001 - counted as the host's error, never raised into socketio
            self._error(f"admitting: {type(exc).__name__}: {exc}")

    async def _on_disconnect(self, reason: object = None) -> None:
        self._error(f"disconnected ({reason})")

    async def _admit(self, participant_ids: list[str]) -> None:
        for participant_id in participant_ids:
            if participant_id in self._admitting:
                continue
            self._admitting.add(participant_id)
            ack = await self._sio.call("admit", {"participant_id": participant_id}, timeout=SIGNAL_TIMEOUT)
            if not ack.get("ok"):
                self._error(f"admit refused: {ack.get('error', {}).get('code')}")

    async def _join(self) -> dict:
        ack = await self._sio.call("join", {}, timeout=SIGNAL_TIMEOUT)
        if not ack.get("ok"):
            raise ParticipantError(f"join refused: {ack.get('error', {}).get('code')}")
        return ack["state"]

    async def run(self) -> None:
        """Join and start media; returns once the call is up (or failed: see ``errors``)."""
        self.started_at = time.monotonic()
        try:
            entry = await self._entry()
            await self._sio.connect(self._url, auth={"token": entry.participant_token}, transports=["websocket"],
                                    wait_timeout=CONNECT_TIMEOUT)
            state = await self._join()
            if state["you"]["status"] != "admitted":
                await self._admitted.wait()
                state = await self._join()
            self.joined_at = time.monotonic()
            if self.hosts:
                await self._admit([w["participant_id"] for w in state.get("lobby") or ()])
            await self._start_media(state, entry.participant_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the report counts it; one participant never stops the run
            self._error(f"{type(exc).__name__}: {exc}")

    async def _start_media(self, state: dict, me: str) -> None:
        if state["kind"] == "group":
            sfu = self._media = SfuConnection(self._sio, _ice_servers(state), self._synthetic, self.received,
                                              self._error)
            await sfu.start()
            return
        mesh = self._media = MeshConnections(self._sio, _ice_servers(state), self._synthetic, self.received,
                                             self._error)
        await mesh.start([m["participant_id"] for m in state["members"]
                          if m["participant_id"] != me and m["connected"]])

    def record(self) -> ParticipantRecord:
        """What it measured so far (a host's only counts for its errors)."""
        streams = tuple(VideoStream(s.first_at, s.frames) for s in self.received.streams.values())
        return ParticipantRecord(not self.hosts, self.started_at, self.joined_at, self.received.first_frame_at, streams,
                                 tuple(self.errors))

    async def close(self) -> None:
        self._closing = True
        if self._media is not None:
            await self._media.close()
        if self._sio.connected:
            await self._sio.disconnect()
