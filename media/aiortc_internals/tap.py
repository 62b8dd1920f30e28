"""Receivers and offers: the decoder-queue tap, the jitter buffer, PLI upstream, keyframe requests
from subscribers, the msid stream id and offers that keep negotiated codecs."""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any, Protocol

from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription

from ..errors import AiortcContractError
from .contract import _require

_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"
_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"


class JitterBufferLike(Protocol):
    def add(self, packet: Any) -> tuple[bool, Any]: ...


EncodedFrameSink = Callable[[Any, Any], None]


class TapQueue:
    """Stands in for the receiver's decoder queue.

    Encoded frames go to ``sink(codec, jitter_frame)`` on the event loop thread
    (``RTCRtpReceiver._handle_rtp_packet`` runs there) instead of the decoder.
    The ``None`` stop sentinel goes on to the original queue so the idle decoder
    thread still ends when the receiver stops.
    """

    def __init__(self, original: queue.Queue, sink: EncodedFrameSink) -> None:
        self._original = original
        self._sink = sink

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            self._original.put(None)
            return
        codec, jitter_frame = item
        self._sink(codec, jitter_frame)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return self._original.get(block, timeout)


def install_decoder_tap(receiver: RTCRtpReceiver, sink: EncodedFrameSink) -> None:
    """Route the receiver's encoded frames to ``sink`` instead of its decoder."""
    original = _require(receiver, _DECODER_QUEUE)
    if not isinstance(original, queue.Queue):
        raise AiortcContractError("RTCRtpReceiver decoder queue is not a queue.Queue")
    if _require(receiver, _DECODER_THREAD) is not None:
        raise AiortcContractError("RTCRtpReceiver already started its decoder thread")
    setattr(receiver, _DECODER_QUEUE, TapQueue(original, sink))


def jitter_buffer(receiver: RTCRtpReceiver) -> JitterBufferLike:
    buffer = _require(receiver, _JITTER_BUFFER)
    if not callable(getattr(buffer, "add", None)):
        raise AiortcContractError("RTCRtpReceiver jitter buffer has no add()")
    return buffer


def replace_jitter_buffer(receiver: RTCRtpReceiver, buffer: JitterBufferLike) -> None:
    jitter_buffer(receiver)
    setattr(receiver, _JITTER_BUFFER, buffer)


async def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the remote sender of ``media_ssrc`` for a keyframe (RFC 4585 PLI)."""
    await _require(receiver, "_send_rtcp_pli")(media_ssrc)


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the remote peer sends PLI or FIR to ``sender``."""
    _require(sender, "_send_keyframe")
    sender._send_keyframe = callback  # type: ignore[method-assign]


def set_stream_id(sender: RTCRtpSender, stream_id: str) -> None:
    """Set the msid stream id the next offer announces for ``sender``'s track."""
    _require(sender, "_stream_id")
    sender._stream_id = stream_id


async def create_offer(pc: RTCPeerConnection) -> RTCSessionDescription:
    """``pc.createOffer()`` that leaves already negotiated transceivers' codecs and
    header extensions as negotiated (``createOffer`` runs without suspending, so
    nothing sees the reset values in between)."""
    saved = [
        (t, _require(t, "_codecs"), _require(t, "_headerExtensions"))
        for t in pc.getTransceivers()
        if t.currentDirection is not None
    ]
    offer = await pc.createOffer()
    for transceiver, codecs, extensions in saved:
        transceiver._codecs = codecs
        transceiver._headerExtensions = extensions
    return offer
