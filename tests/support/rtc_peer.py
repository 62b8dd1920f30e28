"""A real aiortc participant that signals through Steadyline: one RTCPeerConnection per remote
member (full mesh / peer-to-peer), publishing a synthetic video track (by default the small 15 fps
``PatternTrack``; ``camera`` makes another) and counting decoded frames."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from loadtest.camera import PatternTrack
from loadtest.receive_buffers import enlarge_receive_buffers

from .world import SocketClient


class RtcPeer:
    def __init__(self, sock: SocketClient, participant_id: str,
                 camera: Callable[[], MediaStreamTrack] = PatternTrack) -> None:
        self.sock = sock
        self.camera = camera
        self.participant_id = participant_id
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.frames: dict[str, int] = defaultdict(int)
        self.first_frame_at: dict[str, float] = {}
        self.frame_sizes: dict[str, tuple[int, int]] = {}
        self._tasks: set[asyncio.Task] = set()
        sock.sio.on("signal", self._on_signal)

    def _pc(self, remote: str) -> RTCPeerConnection:
        if remote not in self.pcs:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no default STUN: loopback only
            pc.addTrack(self.camera())
            pc.on("track", lambda track: self._spawn(self._consume(remote, track)))
            self.pcs[remote] = pc
        return self.pcs[remote]

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _consume(self, remote: str, track) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames[remote] += 1
            self.frame_sizes[remote] = (frame.width, frame.height)
            self.first_frame_at.setdefault(remote, time.monotonic())

    async def offer_to(self, remote: str) -> None:
        pc = self._pc(remote)
        await pc.setLocalDescription(await pc.createOffer())
        enlarge_receive_buffers(pc)
        ack = await self.sock.call("signal", {"to": remote, "description": {
            "type": pc.localDescription.type, "sdp": pc.localDescription.sdp}})
        assert ack["ok"], ack

    async def _on_signal(self, data: dict) -> None:
        remote = data["from"]
        if "description" not in data:
            return  # aiortc gathers its candidates into the description; nothing to trickle here
        desc = data["description"]
        pc = self._pc(remote)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=desc["sdp"], type=desc["type"]))
        if desc["type"] == "offer":
            await pc.setLocalDescription(await pc.createAnswer())
            enlarge_receive_buffers(pc)
            await self.sock.call("signal", {"to": remote, "description": {
                "type": pc.localDescription.type, "sdp": pc.localDescription.sdp}})

    async def forget(self, remote: str) -> None:
        """``remote`` dropped off the network: close our connection to them, so their next offer
        (after they reconnect) starts a fresh one, and count their frames from zero."""
        pc = self.pcs.pop(remote, None)
        if pc is not None:
            await pc.close()
        self.frames.pop(remote, None)
        self.first_frame_at.pop(remote, None)

    async def wait_frames(self, remotes: list[str], count: int = 10, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while any(self.frames[r] < count for r in remotes):
            if time.monotonic() > deadline:
                raise AssertionError(f"frames from {dict(self.frames)} after {timeout}s, wanted {count} from each")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for pc in self.pcs.values():
            await pc.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
