"""Real aiortc clients and synthetic media for MediaRoom scenario tests."""

from __future__ import annotations

import asyncio
import fractions
import math
import struct
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc import sdp as aiortc_sdp
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from media import MediaRoom

VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_SAMPLES = 960  # 20 ms


class PatternVideoTrack(MediaStreamTrack):
    """A diagonal pattern that moves every frame, so the encoder has work."""

    kind = "video"

    def __init__(self, width: int = 320, height: int = 240, fps: int = 15) -> None:
        super().__init__()
        self._width, self._height, self._fps = width, height, fps
        self._index = 0
        self._start: float | None = None
        self._strip = bytes((i * 7) & 0xFF for i in range(width * 4 + height * 4))

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._index / self._fps - time.monotonic()))
        frame = VideoFrame(width=self._width, height=self._height, format="yuv420p")
        self._paint(frame)
        frame.pts = self._index * VIDEO_CLOCK // self._fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._index += 1
        return frame

    def _paint(self, frame: VideoFrame) -> None:
        luma = frame.planes[0]
        shift = (self._index * 4) % (self._width * 2)
        rows = [self._strip[shift + y : shift + y + luma.line_size] for y in range(self._height)]
        luma.update(b"".join(rows))
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)


class ToneAudioTrack(MediaStreamTrack):
    """48 kHz mono, a 400 Hz tone at ``amplitude`` (0 is silence)."""

    kind = "audio"

    def __init__(self, amplitude: float = 0.0) -> None:
        super().__init__()
        self.amplitude = amplitude
        self._index = 0
        self._start: float | None = None
        self._buffers: dict[float, bytes] = {}

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._index * 0.02 - time.monotonic()))
        frame = AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
        frame.planes[0].update(self._samples(self.amplitude))
        frame.pts = self._index * AUDIO_SAMPLES
        frame.sample_rate = AUDIO_RATE
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._index += 1
        return frame

    def _samples(self, amplitude: float) -> bytes:
        if amplitude not in self._buffers:
            values = (int(amplitude * 32767 * math.sin(2 * math.pi * 400 * i / AUDIO_RATE)) for i in range(AUDIO_SAMPLES))
            self._buffers[amplitude] = struct.pack(f"<{AUDIO_SAMPLES}h", *values)
        return self._buffers[amplitude]


@dataclass
class Reception:
    """Frames one client decoded from one publisher's track of one kind."""

    times: list[float] = field(default_factory=list)

    def count_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.times if start <= t < end)


def peer_connection() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


class Client:
    """A participant: publishes synthetic media, decodes everything it gets."""

    def __init__(self, participant_id: str, room: MediaRoom, *, fps: int = 15, tone: float = 0.0,
                 size: tuple[int, int] = (320, 240)) -> None:
        self.id = participant_id
        self.room = room
        self.video = PatternVideoTrack(*size, fps=fps)
        self.audio = ToneAudioTrack(tone)
        self.pc = peer_connection()
        self.received: dict[tuple[str, str], Reception] = defaultdict(Reception)
        self.mid_publisher: dict[str, str] = {}
        self.offers = 0
        self.joined_at = 0.0
        self._tasks: set[asyncio.Task] = set()
        self.pc.on("track", self._on_track)

    async def join(self) -> None:
        self.joined_at = time.monotonic()
        self.pc.addTransceiver(self.audio, direction="sendonly")
        self.pc.addTransceiver(self.video, direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await self.room.handle_offer(self.id, self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    def deliver_offer(self, sdp: str) -> None:
        """What the signalling layer does: hand the offer over, answer later."""
        self._spawn(self._answer(sdp))

    async def _answer(self, sdp: str) -> None:
        self.offers += 1
        description = aiortc_sdp.SessionDescription.parse(sdp)
        for media in description.media:
            if media.msid and media.direction == "sendonly":
                self.mid_publisher[media.rtp.muxId] = media.msid.split()[0]
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.room.handle_answer(self.id, self.pc.localDescription.sdp)

    def first_frame_after(self, publisher: str, kind: str, since: float) -> float | None:
        times = [t for t in self.received[(publisher, kind)].times if t >= since]
        return times[0] if times else None

    def publishers_seen(self, kind: str, since: float = 0.0) -> set[str]:
        return {p for (p, k), r in self.received.items() if k == kind and any(t >= since for t in r.times)}

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.pc.close()
        self.video.stop()
        self.audio.stop()

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        self._spawn(self._read(track, transceiver.mid))

    async def _read(self, track: MediaStreamTrack, mid: str) -> None:
        try:
            while True:
                await track.recv()
                publisher = self.mid_publisher.get(mid)
                if publisher is not None:
                    self.received[(publisher, track.kind)].times.append(time.monotonic())
        except MediaStreamError:
            pass

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class Group:
    """A MediaRoom plus its clients, wired as the signalling layer would."""

    def __init__(self, room_id: str = "room", **room_kwargs) -> None:
        self.clients: dict[str, Client] = {}
        self.speakers: list[str | None] = []
        self.room = MediaRoom(room_id, on_offer=self._on_offer, on_active_speaker=self.speakers.append, **room_kwargs)

    async def _on_offer(self, participant_id: str, sdp: str) -> None:
        client = self.clients.get(participant_id)
        if client is not None:
            client.deliver_offer(sdp)

    async def join(self, participant_id: str, **client_kwargs) -> Client:
        client = Client(participant_id, self.room, **client_kwargs)
        self.clients[participant_id] = client
        await client.join()
        return client

    async def leave(self, participant_id: str) -> None:
        client = self.clients.pop(participant_id)
        await self.room.remove(participant_id)
        await client.close()

    async def close(self) -> None:
        await self.room.close()
        for client in list(self.clients.values()):
            await client.close()
        self.clients.clear()


async def wait_for(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()
