"""Pre-encoded media for synthetic participants (the load tester's ``--light`` members, the benchmarks'):
real VP8 and Opus, encoded once and looped at the wall clock's pace through aiortc's packetiser, so a
machine can publish many streams without running an encoder for each.

A keyframe request restarts the clip at its keyframe, as a live encoder would answer it with one. A
clip that fell behind (a busy machine) catches up in a burst rather than skipping frames: each VP8
frame of the clip refers to the one before it, so skipping would make the rest undecodable.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import random
import time

import av
from aiortc import MediaStreamTrack, RTCRtpSender
from aiortc.mediastreams import MediaStreamError

FPS = 30
CLIP_FRAMES = 90
VIDEO_CLOCK = 90000
AUDIO_CLOCK, AUDIO_FRAME = 48000, 960  # Opus: 20 ms frames
BITS_PER_PIXEL_SECOND = 400_000 / (320 * 240)  # a 320×240 tile at 400 kbps, scaled by area


def bitrate_for(width: int, height: int) -> int:
    return int(BITS_PER_PIXEL_SECOND * width * height)


def encode_clip(width: int, height: int, bitrate: int, fps: int = FPS) -> list[bytes]:
    """Three seconds of a moving pattern with a band of changing detail (seeded noise, like
    moving hands) as real VP8, keyframe first only: the band keeps libvpx near the target
    bitrate (about 1.35 Mbps at 640x480) instead of undershooting on the plain pattern."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.time_base = fractions.Fraction(1, fps)
    codec.bit_rate = bitrate
    codec.gop_size = 10_000
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0",
                     "minrate": str(bitrate), "maxrate": str(bitrate), "bufsize": str(bitrate)}
    strip = bytes((i * 7 + (i // 640) * 13) & 0xFF for i in range(width * 8 + height * 8))
    detail, noise = height // 30, random.Random(7)
    frames: list[bytes] = []
    for index in range(CLIP_FRAMES):
        frame = av.VideoFrame(width, height, "yuv420p")
        luma = frame.planes[0]
        shift = (index * 9) % (width * 4)
        rows = [strip[shift + 3 * y: shift + 3 * y + luma.line_size] for y in range(height)]
        rows[:detail] = [noise.randbytes(luma.line_size) for _ in range(detail)]
        luma.update(b"".join(rows))
        for plane in frame.planes[1:]:
            plane.update(bytes([(index * 3) & 0xFF]) * plane.buffer_size)
        frame.pts = index
        frames += [bytes(p) for p in codec.encode(frame)]
    frames += [bytes(p) for p in codec.encode(None)]
    return frames[:CLIP_FRAMES]


def encode_voice() -> list[bytes]:
    """One second of a warbling tone as real Opus, 20 ms packets (what browsers send)."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.format, codec.layout = AUDIO_CLOCK, "s16", "mono"
    codec.bit_rate = 32_000
    packets: list[bytes] = []
    for index in range(50):
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_FRAME)
        pitch = 220 + 40 * (index % 10)
        samples = (8000 * math.sin(2 * math.pi * pitch * (index * AUDIO_FRAME + n) / AUDIO_CLOCK)
                   for n in range(AUDIO_FRAME))
        frame.planes[0].update(b"".join(int(v).to_bytes(2, "little", signed=True) for v in samples))
        frame.sample_rate, frame.pts = AUDIO_CLOCK, index * AUDIO_FRAME
        packets += [bytes(p) for p in codec.encode(frame)]
    return packets


class VoiceTrack(MediaStreamTrack):
    """Loops pre-encoded Opus packets every 20 ms through aiortc's pack path."""

    kind = "audio"

    def __init__(self, packets: list[bytes]) -> None:
        super().__init__()
        self.packets = packets
        self.sent = 0
        self.start: float | None = None

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        await asyncio.sleep(max(0.0, self.start + self.sent * AUDIO_FRAME / AUDIO_CLOCK - time.monotonic()))
        packet = av.Packet(self.packets[self.sent % len(self.packets)])
        packet.pts = self.sent * AUDIO_FRAME
        packet.time_base = fractions.Fraction(1, AUDIO_CLOCK)
        self.sent += 1
        return packet


class ClipTrack(MediaStreamTrack):
    """Loops a pre-encoded clip at ``fps`` through aiortc's pack path; a
    keyframe request restarts the clip at its keyframe (:meth:`restart`)."""

    kind = "video"

    def __init__(self, clip: list[bytes], fps: int = FPS) -> None:
        super().__init__()
        self.clip, self.fps = clip, fps
        self.position = 0
        self.sent = 0
        self.start: float | None = None

    def restart(self) -> None:
        self.position = 0

    def answer_keyframe_requests(self, sender: RTCRtpSender) -> None:
        """Restart at the keyframe whenever the far end asks ``sender`` for one (PLI or FIR). Sets an aiortc
        internal — the sender's ``_send_keyframe``, which would otherwise ask an encoder this track does
        not have — as the load tester's other client-side tuning does."""
        if not hasattr(sender, "_send_keyframe"):
            raise RuntimeError("this aiortc's RTCRtpSender has no _send_keyframe: keyframe requests cannot be answered")
        sender._send_keyframe = self.restart

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        await asyncio.sleep(max(0.0, self.start + self.sent / self.fps - time.monotonic()))
        packet = av.Packet(self.clip[self.position])
        packet.pts = self.sent * VIDEO_CLOCK // self.fps
        packet.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.position = (self.position + 1) % len(self.clip)
        self.sent += 1
        return packet
