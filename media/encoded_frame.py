"""One encoded frame as it travels from a publisher's receiver to subscribers."""

from __future__ import annotations

import fractions
from dataclasses import dataclass, field
from functools import lru_cache

import av


@lru_cache(maxsize=8)
def time_base(clock_rate: int) -> fractions.Fraction:
    return fractions.Fraction(1, clock_rate)


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """An encoded frame, shared read-only by every subscriber.

    ``timestamp`` is in RTP clock units (90 kHz video, 48 kHz Opus), relative
    to the publisher's first frame. ``audio_level`` is the RFC 6464 level
    (0 loudest, 127 silence) when the publisher sent one.
    """

    kind: str
    codec: str
    data: bytes
    timestamp: int
    clock_rate: int
    keyframe: bool
    audio_level: int | None = None
    complete: bool = True
    _chunks: tuple[int | None, tuple[bytes, ...]] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("audio", "video"):
            raise ValueError(f"kind must be audio or video, not {self.kind!r}")
        if self.clock_rate <= 0:
            raise ValueError("clock_rate must be positive")

    def chunks(self, size: int | None) -> tuple[bytes, ...]:
        """The frame split into RTP payload bodies of at most ``size`` bytes (``None``: one),
        computed once and shared by every subscriber (only the headers differ between them)."""
        cached = self._chunks
        if cached is None or cached[0] != size:
            data = self.data
            if size is None or len(data) <= size:
                chunks: tuple[bytes, ...] = (data,)
            else:
                chunks = tuple(data[pos:pos + size] for pos in range(0, len(data), size))
            cached = (size, chunks)
            object.__setattr__(self, "_chunks", cached)
        return cached[1]

    def to_packet(self, pts: int) -> av.Packet:
        """An ``av.Packet`` that aiortc's sender packetizes without encoding."""
        packet = av.Packet(self.data)
        packet.pts = pts
        packet.time_base = time_base(self.clock_rate)
        return packet
