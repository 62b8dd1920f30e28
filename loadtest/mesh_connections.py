"""A synthetic member's media in a 1:1 session: one peer connection per other member, signalled with
``signal`` through the server. The newcomer offers to everyone already in the room; the others answer.
aiortc puts all its own ICE candidates in the description; a browser's trickled candidates are added."""

from __future__ import annotations

from collections.abc import Callable

import socketio
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from .errors import ParticipantError
from .header_counter import HeaderCounter
from .owned_tasks import OwnedTasks
from .receive_buffers import enlarge_receive_buffers
from .received_video import ReceivedVideo
from .sfu_connection import SIGNAL_TIMEOUT
from .synthetic_media import SyntheticMedia


class MeshConnections:
    def __init__(self, sio: socketio.AsyncClient, ice_servers: list[RTCIceServer], media: SyntheticMedia,
                 received: ReceivedVideo, on_error: Callable[[str], None]) -> None:
        self._sio, self._ice_servers, self._media = sio, ice_servers, media
        self._received, self._on_error = received, on_error
        self._pcs: dict[str, RTCPeerConnection] = {}
        self._headers: dict[str, HeaderCounter] = {}
        self._tasks = OwnedTasks()

    def _pc(self, remote: str) -> RTCPeerConnection:
        if remote not in self._pcs:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=self._ice_servers))
            self._media.add_to(pc)
            if not self._media.counts_headers:
                pc.on("track", self._on_track)
            self._pcs[remote] = pc
        return self._pcs[remote]

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._tasks.spawn(self._received.consume(track))

    async def _send_description(self, remote: str, pc: RTCPeerConnection) -> None:
        enlarge_receive_buffers(pc)
        if remote not in self._headers and (headers := self._media.count(pc, self._received.count, remote)):
            self._headers[remote] = headers
        description = {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp}
        ack = await self._sio.call("signal", {"to": remote, "description": description}, timeout=SIGNAL_TIMEOUT)
        if not ack.get("ok"):
            raise ParticipantError(f"signal refused: {ack.get('error', {}).get('code')}")

    async def start(self, members: list[str]) -> None:
        """Offer to every member already in the room."""
        for remote in members:
            pc = self._pc(remote)
            await pc.setLocalDescription(await pc.createOffer())
            await self._send_description(remote, pc)

    async def _add_candidate(self, pc: RTCPeerConnection, candidate: dict) -> None:
        text = candidate.get("candidate") or ""
        if not text:
            return  # end of candidates: aiortc needs no marker
        parsed = candidate_from_sdp(text.removeprefix("candidate:"))
        parsed.sdpMid, parsed.sdpMLineIndex = candidate.get("sdpMid"), candidate.get("sdpMLineIndex")
        await pc.addIceCandidate(parsed)

    async def on_signal(self, data: dict) -> None:
        description = data.get("description")
        try:
            pc = self._pc(data["from"])
            if description is None:
                await self._add_candidate(pc, data.get("candidate") or {})
                return
            await pc.setRemoteDescription(RTCSessionDescription(sdp=description["sdp"], type=description["type"]))
            if description["type"] == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await self._send_description(data["from"], pc)
            if headers := self._headers.get(data["from"]):
                headers.learn(description["sdp"])
        except Exception as exc:  # noqa: BLE001 - counted as this participant's error, never raised into socketio
            self._on_error(f"signal from {data.get('from')}: {exc!r}")

    async def close(self) -> None:
        for pc in self._pcs.values():
            await pc.close()
        await self._tasks.cancel_all()
