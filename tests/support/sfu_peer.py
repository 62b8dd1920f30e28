"""A real aiortc participant of a group session through Steadyline's SFU: one peer connection with
the server, publishing video and audio once, receiving everyone else's, signalled over Socket.IO."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from loadtest.header_counter import HeaderCounter
from loadtest.options import VideoFormat
from loadtest.receive_buffers import enlarge_receive_buffers
from loadtest.synthetic_media import LiveMedia

from .world import SocketClient

MediaFactory = Callable[[RTCPeerConnection], None]
camera_and_microphone: MediaFactory = LiveMedia(VideoFormat(160, 120, 15)).add_to  # encoded live, like a browser


class SfuPeer:
    """``media`` adds what it publishes to each new peer connection (a small camera and a tone by
    default); ``count_headers`` counts what it receives from RTP headers only (a load generator's
    member: nothing decrypted or decoded) instead of receiving frames through aiortc's tracks."""

    def __init__(self, sock: SocketClient, participant_id: str, media: MediaFactory = camera_and_microphone,
                 count_headers: bool = False) -> None:
        self.sock = sock
        self.participant_id = participant_id
        self._media, self._count_headers = media, count_headers
        self._headers: HeaderCounter | None = None
        self.frames: dict[tuple[str, str], int] = defaultdict(int)  # (publisher, kind) → frames
        self.first_frame_at: dict[str, float] = {}
        self.resets: list[tuple[float, str]] = []  # (monotonic time, reason) of each media_reset obeyed
        self._tasks: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()
        self.pc = self._peer_connection()
        sock.sio.on("media_offer", self._on_offer)
        sock.sio.on("media_reset", self._on_reset)

    def move_to(self, sock: SocketClient) -> None:
        """Signal over ``sock`` from now on (the socket reconnected, e.g. to another node)."""
        self.sock = sock
        sock.sio.on("media_offer", self._on_offer)
        sock.sio.on("media_reset", self._on_reset)

    def _peer_connection(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._media(pc)
        if not self._count_headers:
            pc.on("track", self._on_track)
        return pc

    def _counted(self, pc: RTCPeerConnection, publisher: str, kind: str, at: float) -> None:
        if pc is self.pc:  # not a packet still reaching a replaced peer connection
            self.frames[(publisher, kind)] += 1
            self.first_frame_at.setdefault(publisher, at)

    async def _on_reset(self, data: dict) -> None:
        """As the browser does (sfu_connection.js ``reset``): a new peer connection, offered afresh;
        frames are counted anew from here."""
        self.resets.append((time.monotonic(), (data or {}).get("reason", "")))
        async with self._lock:
            old, self.pc = self.pc, self._peer_connection()
            self.frames = defaultdict(int)
            self.first_frame_at = {}
        await old.close()
        await self.publish()

    def _on_track(self, track) -> None:
        self._spawn(self._consume(track))

    def _publisher_of(self, track) -> str | None:
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track and transceiver.mid:
                return self._msids.get(transceiver.mid)
        return None

    @property
    def _msids(self) -> dict[str, str]:
        """mid → publisher id, from the msid lines of the server's last offer."""
        mapping, mid = {}, None
        for line in (self.pc.remoteDescription.sdp if self.pc.remoteDescription else "").splitlines():
            if line.startswith("a=mid:"):
                mid = line[6:].strip()
            elif line.startswith("a=msid:") and mid is not None:
                mapping[mid] = line[7:].split()[0]
        return mapping

    async def _consume(self, track) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            publisher = self._publisher_of(track)
            if publisher is None:
                continue
            self.frames[(publisher, track.kind)] += 1
            self.first_frame_at.setdefault(publisher, time.monotonic())

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def publish(self) -> None:
        async with self._lock:
            await self.pc.setLocalDescription(await self.pc.createOffer())
            enlarge_receive_buffers(self.pc)
            if self._count_headers:
                pc = self.pc
                self._headers = HeaderCounter(pc, lambda *frame: self._counted(pc, *frame))
            ack = await self.sock.call("media_offer", {"sdp": self.pc.localDescription.sdp})
            assert ack["ok"], ack
            self._learn(ack["sdp"])
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=ack["sdp"], type="answer"))

    def _learn(self, sdp: str) -> None:
        if self._headers is not None:
            self._headers.learn(sdp)

    async def _on_offer(self, data: dict) -> None:
        async with self._lock:
            if self.pc.signalingState != "stable":
                return  # an offer of a peer connection we have replaced
            self._learn(data["sdp"])
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="offer"))
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            await self.sock.call("media_answer", {"sdp": self.pc.localDescription.sdp})

    async def wait_frames(self, publishers: list[str], kind: str = "video", count: int = 5,
                          timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while any(self.frames[(p, kind)] < count for p in publishers):
            if time.monotonic() > deadline:
                raise AssertionError(f"{kind} frames {dict(self.frames)} after {timeout}s; wanted {publishers}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.pc.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
