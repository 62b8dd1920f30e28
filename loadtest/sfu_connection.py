"""A synthetic member's media in a group session: one peer connection with the server's SFU, publishing
its camera and microphone once and receiving every other member's video (``media_offer`` both ways)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import socketio
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from .errors import ParticipantError
from .header_counter import HeaderCounter
from .owned_tasks import OwnedTasks
from .receive_buffers import enlarge_receive_buffers
from .received_video import ReceivedVideo
from .synthetic_media import SyntheticMedia

SIGNAL_TIMEOUT = 15.0


class SfuConnection:
    def __init__(self, sio: socketio.AsyncClient, ice_servers: list[RTCIceServer], media: SyntheticMedia,
                 received: ReceivedVideo, on_error: Callable[[str], None]) -> None:
        self._sio, self._media, self._received, self._on_error = sio, media, received, on_error
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers))
        media.add_to(self._pc)
        if not media.counts_headers:
            self._pc.on("track", self._on_track)
        self._headers: HeaderCounter | None = None
        self._lock = asyncio.Lock()
        self._tasks = OwnedTasks()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._tasks.spawn(self._received.consume(track))

    async def start(self) -> None:
        """Publish: our offer, the server's answer in the acknowledgement."""
        async with self._lock:
            await self._pc.setLocalDescription(await self._pc.createOffer())
            enlarge_receive_buffers(self._pc)
            self._headers = self._media.count(self._pc, self._received.count)
            ack = await self._sio.call("media_offer", {"sdp": self._pc.localDescription.sdp}, timeout=SIGNAL_TIMEOUT)
            if not ack.get("ok"):
                raise ParticipantError(f"media_offer refused: {ack.get('error', {}).get('code')}")
            self._learn(ack["sdp"])
            await self._pc.setRemoteDescription(RTCSessionDescription(sdp=ack["sdp"], type="answer"))

    async def on_server_offer(self, data: dict) -> None:
        """New subscriptions (someone joined or left): answer the server's offer."""
        try:
            async with self._lock:
                self._learn(data["sdp"])
                await self._pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="offer"))
                await self._pc.setLocalDescription(await self._pc.createAnswer())
                await self._sio.call("media_answer", {"sdp": self._pc.localDescription.sdp}, timeout=SIGNAL_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - counted as this participant's error, never raised into socketio
            self._on_error(f"answering the server's offer: {exc!r}")

    def _learn(self, sdp: str) -> None:
        if self._headers is not None:
            self._headers.learn(sdp)

    async def close(self) -> None:
        await self._pc.close()
        await self._tasks.cancel_all()
