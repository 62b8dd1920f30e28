"""Every use of a private aiortc name, in one place.

aiortc (pinned to 1.16.0 in pyproject.toml) has no public API to tap encoded
frames, to send a PLI upstream, or to hear a subscriber's keyframe request when
a track yields pre-encoded packets. The SFU needs all three, so this module
reaches into the objects below and nothing else in ``media/`` does.
``tests/unit/media/test_aiortc_contract.py`` exercises each function against
real peers so that an aiortc upgrade which moves these internals fails loudly.

Private names used:

- ``RTCRtpReceiver.__decoder_queue``: the ``queue.Queue`` between the jitter
  buffer and the decoder thread. Items are ``(codec, JitterFrame)`` and
  ``None`` is the stop sentinel the decoder thread waits for.
- ``RTCRtpReceiver.__decoder_thread``: must still be ``None`` when we tap, so the
  thread is started on our queue.
- ``RTCRtpReceiver.__jitter_buffer``: an object with ``add(packet) ->
  (pli_flag, JitterFrame | None)``.
- ``RTCRtpReceiver._send_rtcp_pli(media_ssrc)``: sends a Picture Loss Indication.
- ``RTCRtpSender._send_keyframe()``: called on a received PLI or FIR; the
  ``pack()`` path of the encoders ignores it, so we replace it per instance.
- ``RTCRtpSender._stream_id``: the msid stream id written into the SDP.
- ``RTCRtpSender._run_rtp(codec)`` / ``._retransmit(seq)``: the sender's RTP
  loop and its NACK answer, replaced per instance for forwarded tracks (see
  :mod:`media.forwarding_sender`); the replacement sets the sender's private
  ``__rtp_started`` / ``__rtp_exited`` events (``stop()`` waits on both), reads
  ``__mid``, ``__rtp_header_extensions_map`` and ``__rtx_payload_type`` (set by
  ``send()`` before the loop starts) and keeps the sender-report counters
  ``__ntp_timestamp``, ``__rtp_timestamp``, ``__packet_count``,
  ``__octet_count`` that ``_run_rtcp`` reads. ``_enabled`` (direction) and
  ``_ssrc`` / ``_rtx_ssrc`` are read as they are.
- ``RTCDtlsTransport._state`` / ``._tx_srtp`` / ``._send_rtp(data)``, the
  ``RTCIceTransport._connection`` (aioice ``Connection``) and its
  ``_nominated`` candidate pairs: a forwarded packet is SRTP-protected and
  handed to the UDP socket of the nominated pair directly (TURN or TCP pairs
  go through ``_send_rtp``, aiortc's own path).
- ``RTCRtpTransceiver._codecs`` / ``._headerExtensions``: the negotiated codecs
  and header extensions. ``createOffer`` resets both to aiortc's own table
  (payload types and extension ids) on every transceiver, while the senders and
  receivers of the last answer are started later by a task (``__connect``) that
  reads them then: they would start with numbers the participant never agreed
  to. :func:`create_offer` puts the negotiated values back at once.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any, Protocol

from aioice.ice import StunProtocol
from aiortc import RTCDtlsTransport, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtp import HeaderExtensionsMap

from .datagram_batch import DatagramBatcher
from .errors import AiortcContractError

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


def _require(obj: object, name: str) -> Any:
    if not hasattr(obj, name):
        raise AiortcContractError(f"{type(obj).__name__} has no attribute {name!r}")
    return getattr(obj, name)


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


# --------------------------------------------------------------------------- sender RTP loop

_SENDER = "_RTCRtpSender__"
_SR_COUNTERS = ("ntp_timestamp", "rtp_timestamp", "packet_count", "octet_count")
_DTLS_TX = ("_RTCDtlsTransport__tx_bytes", "_RTCDtlsTransport__tx_packets")

RtpLoop = Callable[[Any], Any]  # (codec) -> coroutine
Retransmit = Callable[[int], Any]  # (sequence_number) -> coroutine


def replace_rtp_loop(sender: RTCRtpSender, run: RtpLoop, retransmit: Retransmit) -> None:
    """Run ``run(codec)`` instead of the sender's own RTP loop once ``send()``
    starts it, and ``retransmit(seq)`` on a NACK. ``run`` must call
    :func:`rtp_loop_started` first and :func:`rtp_loop_exited` last."""
    for name in ("_run_rtp", "_retransmit", f"{_SENDER}rtp_started", f"{_SENDER}rtp_exited"):
        _require(sender, name)
    if _require(sender, f"{_SENDER}started"):
        raise AiortcContractError("RTCRtpSender already started its RTP loop")
    sender._run_rtp = run  # type: ignore[method-assign]
    sender._retransmit = retransmit  # type: ignore[method-assign]


def rtp_loop_started(sender: RTCRtpSender) -> None:
    _require(sender, f"{_SENDER}rtp_started").set()


def rtp_loop_exited(sender: RTCRtpSender) -> None:
    _require(sender, f"{_SENDER}rtp_exited").set()


def sender_parameters(sender: RTCRtpSender) -> tuple[str | None, HeaderExtensionsMap, int | None]:
    """(mid, header-extension map, RTX payload type) as ``send()`` configured them."""
    extensions = _require(sender, f"{_SENDER}rtp_header_extensions_map")
    if not isinstance(extensions, HeaderExtensionsMap):
        raise AiortcContractError("RTCRtpSender header extensions map changed type")
    return _require(sender, f"{_SENDER}mid"), extensions, _require(sender, f"{_SENDER}rtx_payload_type")


def sender_enabled(sender: RTCRtpSender) -> bool:
    return sender._enabled


def sender_ssrc(sender: RTCRtpSender) -> int:
    return sender._ssrc


def sender_rtx_ssrc(sender: RTCRtpSender) -> int:
    return sender._rtx_ssrc


_NTP, _RTP_TS, _PACKETS, _OCTETS = (f"{_SENDER}{name}" for name in _SR_COUNTERS)


def record_sent(sender: RTCRtpSender, ntp_timestamp: int, rtp_timestamp: int, packets: int, octets: int) -> None:
    """Update what the next RTCP sender report says (``_run_rtcp`` reads these)."""
    setattr(sender, _NTP, ntp_timestamp)
    setattr(sender, _RTP_TS, rtp_timestamp)
    setattr(sender, _PACKETS, getattr(sender, _PACKETS) + packets)
    setattr(sender, _OCTETS, getattr(sender, _OCTETS) + octets)


def sender_report_counters(sender: RTCRtpSender) -> tuple[int, int, int, int]:
    return tuple(_require(sender, f"{_SENDER}{name}") for name in _SR_COUNTERS)  # type: ignore[return-value]


async def send_rtp(transport: RTCDtlsTransport, data: bytes) -> None:
    """aiortc's own path: SRTP-protect and send through DTLS/ICE (async)."""
    await _require(transport, "_send_rtp")(data)


class DirectRtpPath:
    """Sends a frame's RTP packets synchronously: SRTP-protected with the DTLS
    transport's outbound session, then written to the nominated pair's UDP
    socket in one call (:class:`~media.datagram_batch.DatagramBatcher`).

    :meth:`send` returns False when that is not possible now (DTLS not
    connected, no nominated pair, a TURN or TCP pair): then use
    :func:`send_rtp`, aiortc's own path. Call :meth:`close` when done.
    """

    def __init__(self, transport: RTCDtlsTransport) -> None:
        for name in ("_state", "_tx_srtp", *_DTLS_TX):
            _require(transport, name)
        _require(_require(transport.transport, "_connection"), "_nominated")
        self.transport = transport
        self._batcher: DatagramBatcher | None = None

    def _pair(self) -> Any:
        dtls = self.transport
        if dtls._state is not DtlsState.CONNECTED:
            return None
        pair = dtls.transport._connection._nominated.get(1)
        if pair is None or type(pair.protocol) is not StunProtocol:
            return None
        return pair

    def ready(self) -> bool:
        return self._pair() is not None

    def send(self, packets: list[bytes]) -> bool:
        pair = self._pair()
        if pair is None:
            return False
        dtls = self.transport
        protect = dtls._tx_srtp.protect
        datagrams = [protect(packet) for packet in packets]
        udp = pair.protocol.transport
        batcher = self._batcher
        if batcher is None or batcher.transport is not udp:
            self.close()
            batcher = self._batcher = DatagramBatcher(udp)
        batcher.send(datagrams, pair.remote_addr)
        tx_bytes, tx_packets = _DTLS_TX
        setattr(dtls, tx_bytes, getattr(dtls, tx_bytes) + sum(map(len, datagrams)))
        setattr(dtls, tx_packets, getattr(dtls, tx_packets) + len(datagrams))
        return True

    def close(self) -> None:
        batcher, self._batcher = self._batcher, None
        if batcher is not None:
            batcher.close()
