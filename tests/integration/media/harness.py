"""Real aiortc clients and synthetic media for MediaRoom scenario tests."""

from __future__ import annotations

import asyncio
import fractions
import json
import math
import signal
import sys
from pathlib import Path
import struct
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc import sdp as aiortc_sdp
from aiortc.exceptions import InvalidStateError
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, CodecContext, Packet, VideoFrame

import av
from aiortc.codecs import get_decoder
from aiortc.jitterbuffer import JitterBuffer

from media import MediaError, MediaRoom, aiortc_internals
from media.codec_inspect import is_frame_complete
from loadtest.camera import PacedVideoTrack
from loadtest.receive_buffers import enlarge_receive_buffers

ROOT = Path(__file__).resolve().parents[3]
AUDIO_RATE = 48000
AUDIO_SAMPLES = 960  # 20 ms


class PatternVideoTrack(PacedVideoTrack):
    """A diagonal pattern that moves every frame, so the encoder has work."""

    def __init__(self, width: int = 320, height: int = 240, fps: int = 15) -> None:
        super().__init__(width, height, fps)
        self._strip = bytes((i * 7) & 0xFF for i in range(width * 4 + height * 4))

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


class OpusPacketTrack(MediaStreamTrack):
    """Pre-encoded Opus in long (120 ms) frames, sent through aiortc's pack path.

    A real Opus stream at a sixth of the packet rate of aiortc's 20 ms frames,
    which keeps a dozen in-process peers within a loaded 2-core machine.
    """

    kind = "audio"

    def __init__(self, amplitude: float = 0.1, frame_ms: int = 120, loop_frames: int = 8) -> None:
        super().__init__()
        self._payloads, self._samples = self._encode(amplitude, frame_ms, loop_frames)
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._index * self._samples / AUDIO_RATE - time.monotonic()))
        packet = Packet(self._payloads[self._index % len(self._payloads)])
        packet.pts = self._index * self._samples
        packet.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._index += 1
        return packet

    @staticmethod
    def _encode(amplitude: float, frame_ms: int, count: int) -> tuple[list[bytes], int]:
        codec = CodecContext.create("libopus", "w")
        codec.sample_rate, codec.layout, codec.format = AUDIO_RATE, "mono", "s16"
        codec.time_base = fractions.Fraction(1, AUDIO_RATE)
        codec.options = {"frame_duration": str(frame_ms), "application": "voip"}
        codec.open()
        samples = codec.frame_size
        payloads: list[bytes] = []
        for k in range(count + 2):
            frame = AudioFrame(format="s16", layout="mono", samples=samples)
            frame.planes[0].update(struct.pack(f"<{samples}h", *(
                int(amplitude * 32767 * math.sin(2 * math.pi * 400 * (i + k * samples) / AUDIO_RATE))
                for i in range(samples)
            )))
            frame.sample_rate, frame.pts = AUDIO_RATE, k * samples
            frame.time_base = fractions.Fraction(1, AUDIO_RATE)
            payloads += [bytes(p) for p in codec.encode(frame)]
        return payloads[:count], samples


@dataclass
class Reception:
    """Frames one client decoded from one publisher's track of one kind."""

    times: list[float] = field(default_factory=list)

    def count_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.times if start <= t < end)


def peer_connection() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


class LoopDecoder:
    """Decodes a receiver's encoded frames with aiortc's own decoders, on the
    event loop thread instead of one thread per receiver.

    Hundreds of decoder threads in one process make the event loop wait on the
    GIL; a dozen in-process peers then measure the test harness, not the SFU.
    Frames still pass through aiortc's jitter buffer and depayloader.
    """

    def __init__(self, publisher: Callable[[], str | None], kind: str, client: "Client") -> None:
        self._publisher = publisher
        self._kind = kind
        self._client = client
        self._decoder = None
        self._codec_name = None

    def __call__(self, codec, jitter_frame) -> None:
        if not is_frame_complete(codec.name, jitter_frame.data):
            # aiortc's jitter buffer resynchronised mid-frame after a local
            # packet loss (an overloaded test process drops UDP): not a frame
            # the SFU sent. Counted apart, never decoded.
            self._client.incomplete_frames += 1
            return
        if codec.name != self._codec_name:
            self._decoder, self._codec_name = get_decoder(codec), codec.name
        try:
            frames = self._decoder.decode(jitter_frame)
        except av.FFmpegError:
            self._client.decode_errors += 1
            return
        for _ in frames:
            self._client.record(self._publisher(), self._kind)


class Client:
    """A participant: publishes synthetic media, decodes everything it gets."""

    def __init__(self, participant_id: str, room: MediaRoom, *, fps: int = 15, tone: float = 0.0,
                 size: tuple[int, int] = (320, 240), long_audio_frames: bool = False,
                 decode_in_loop: bool = True) -> None:
        self.id = participant_id
        self.room = room
        self.video = PatternVideoTrack(*size, fps=fps)
        self.audio = OpusPacketTrack(max(tone, 0.05)) if long_audio_frames else ToneAudioTrack(tone)
        self.pc = peer_connection()
        self.received: dict[tuple[str, str], Reception] = defaultdict(Reception)
        self.mid_publisher: dict[str, str] = {}
        self.offers = 0
        self.decode_errors = 0
        self.incomplete_frames = 0
        self.decode_in_loop = decode_in_loop
        self.joined_at = 0.0
        self._tasks: set[asyncio.Task] = set()
        self.pc.on("track", self._on_track)

    async def join(self) -> None:
        self.joined_at = time.monotonic()
        self.pc.addTransceiver(self.audio, direction="sendonly")
        self.pc.addTransceiver(self.video, direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        enlarge_receive_buffers(self.pc)
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
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            await self.room.handle_answer(self.id, self.pc.localDescription.sdp)
            self.first_answer_at = getattr(self, "first_answer_at", None) or time.monotonic()
        except (MediaError, InvalidStateError):
            if self.pc.signalingState != "closed" and self.id in self.room.participants:
                raise

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
        if self.decode_in_loop:
            decoder = LoopDecoder(lambda: self.mid_publisher.get(transceiver.mid), track.kind, self)
            aiortc_internals.install_decoder_tap(transceiver.receiver, decoder)
            if track.kind == "video":
                # aiortc NACKs a gap once; if the retransmission is lost too its
                # 512-packet buffer stalls for a minute at 10 packets/s. A small
                # buffer overflows within seconds, sends a PLI and recovers.
                aiortc_internals.replace_jitter_buffer(transceiver.receiver, JitterBuffer(capacity=64, is_video=True))
        else:
            self._spawn(self._read(track, transceiver.mid))

    def record(self, publisher: str | None, kind: str) -> None:
        if publisher is not None:
            self.received[(publisher, kind)].times.append(time.monotonic())

    async def _read(self, track: MediaStreamTrack, mid: str) -> None:
        try:
            while True:
                await track.recv()
                self.record(self.mid_publisher.get(mid), track.kind)
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
        self.remotes: dict[str, "RemotePeer"] = {}
        self.speakers: list[str | None] = []
        self.room = MediaRoom(room_id, on_offer=self._on_offer, on_active_speaker=self.speakers.append, **room_kwargs)

    async def _on_offer(self, participant_id: str, sdp: str) -> None:
        client = self.clients.get(participant_id) or self.remotes.get(participant_id)
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

    async def join_remote(self, participant_id: str) -> "RemotePeer":
        remote = RemotePeer(participant_id, self.room)
        self.remotes[participant_id] = remote
        await remote.start()
        return remote

    async def close(self) -> None:
        await self.room.close()
        await asyncio.gather(*(peer.close() for peer in [*self.remotes.values(), *self.clients.values()]))
        self.clients.clear()


async def wait_for(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()


class RemotePeer:
    """A participant in a child process (see remote_peer.py)."""

    def __init__(self, participant_id: str, room: MediaRoom) -> None:
        self.id = participant_id
        self.room = room
        self.frames = {"video": 0, "audio": 0}
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.media.remote_peer", self.id,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
        )
        offer = json.loads(await self.process.stdout.readline())
        answer = await self.room.handle_offer(self.id, offer["sdp"])
        self._send({"type": "answer", "sdp": answer})
        self._reader = asyncio.ensure_future(self._read())

    def deliver_offer(self, sdp: str) -> None:
        self._send({"type": "offer", "sdp": sdp})

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    async def close(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
        await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        self.process = None

    def _send(self, message: dict) -> None:
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    async def _read(self) -> None:
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if message["type"] == "answer":
                try:
                    await self.room.handle_answer(self.id, message["sdp"])
                except MediaError:
                    pass
            elif message["type"] == "frames":
                self.frames = {"video": message["video"], "audio": message["audio"]}
