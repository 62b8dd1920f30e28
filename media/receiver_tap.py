"""Taps encoded frames out of an aiortc ``RTCRtpReceiver``; nothing is decoded.

Packets reach it through :class:`~media.aiortc_internals.LeanRtpReceive`, aiortc's
receive path without the decoder-only work (no remote bitrate estimator / REMB), taken
straight from the UDP socket once the stream is known.

Video keeps aiortc's jitter buffer (reordering, NACK, ~1 frame of delay) and is
tapped after it. Audio replaces the jitter buffer with a pass-through that
emits each Opus packet at once (aiortc's holds ~80 ms), dropping late
out-of-order packets since the forwarding sender renumbers what it sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.utils import uint16_gt

from . import aiortc_internals
from .codec_inspect import is_frame_complete, is_keyframe
from .encoded_frame import EncodedFrame

logger = logging.getLogger(__name__)

FrameSink = Callable[[EncodedFrame], None]


class _LeveledFrame(JitterFrame):
    def __init__(self, data: bytes, timestamp: int, audio_level: int | None) -> None:
        super().__init__(data, timestamp)
        self.audio_level = audio_level


class PassThroughJitterBuffer:
    """One RTP packet is one frame (Opus); forward it immediately."""

    def __init__(self, on_ssrc: Callable[[int], None]) -> None:
        self._max_seq: int | None = None
        self._on_ssrc = on_ssrc

    def add(self, packet: Any) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._max_seq is not None and not uint16_gt(seq, self._max_seq):
            return False, None
        self._max_seq = seq
        self._on_ssrc(packet.ssrc)
        level = packet.extensions.audio_level
        return False, _LeveledFrame(packet._data, packet.timestamp, level[1] if level else None)


class SsrcRecordingJitterBuffer:
    """Delegates to aiortc's buffer; remembers the media SSRC for PLIs."""

    def __init__(self, inner: aiortc_internals.JitterBufferLike, on_ssrc: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_ssrc = on_ssrc

    def add(self, packet: Any) -> tuple[bool, JitterFrame | None]:
        self._on_ssrc(packet.ssrc)
        return self._inner.add(packet)


class ReceiverTap:
    """Delivers each encoded frame of ``receiver`` to ``sink`` on the loop thread.

    Install it from the peer connection's ``track`` event, before the receiver
    starts. Stopping the receiver still ends its (idle) decoder thread.
    """

    def __init__(self, receiver: RTCRtpReceiver, kind: str, sink: FrameSink) -> None:
        self._receiver = receiver
        self._kind = kind
        self._sink = sink
        self._media_ssrc: int | None = None
        self._frames = 0
        aiortc_internals.install_decoder_tap(receiver, self._on_encoded)
        aiortc_internals.replace_jitter_buffer(receiver, self._jitter_buffer(receiver, kind))
        self._lean = aiortc_internals.LeanRtpReceive(receiver)

    @property
    def media_ssrc(self) -> int | None:
        return self._media_ssrc

    @property
    def frames(self) -> int:
        return self._frames

    def close(self) -> None:
        """Stop sending RTCP for this receiver (NACK, PLI); the receiver stops with its
        peer connection."""
        self._lean.close()

    async def request_keyframe(self) -> bool:
        """Send a PLI upstream; False if no media has arrived yet."""
        if self._media_ssrc is None:
            return False
        await aiortc_internals.send_pli(self._receiver, self._media_ssrc)
        return True

    def _jitter_buffer(self, receiver: RTCRtpReceiver, kind: str) -> aiortc_internals.JitterBufferLike:
        if kind == "audio":
            return PassThroughJitterBuffer(self._set_ssrc)
        return SsrcRecordingJitterBuffer(aiortc_internals.jitter_buffer(receiver), self._set_ssrc)

    def _set_ssrc(self, ssrc: int) -> None:
        self._media_ssrc = ssrc

    def _on_encoded(self, codec: Any, jitter_frame: JitterFrame) -> None:
        self._frames += 1
        data = jitter_frame.data
        frame = EncodedFrame(
            kind=self._kind,
            codec=codec.name,
            data=data,
            timestamp=jitter_frame.timestamp,
            clock_rate=codec.clockRate,
            keyframe=is_keyframe(codec.name, data),
            audio_level=getattr(jitter_frame, "audio_level", None),
            complete=is_frame_complete(codec.name, data),
        )
        try:
            self._sink(frame)
        except Exception:  # never break aiortc's receive loop
            logger.exception("ReceiverTap(%s) sink failed", self._kind)
