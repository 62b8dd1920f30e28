"""Every use of a private aiortc name, in one place.

aiortc (pinned to 1.16.0 in pyproject.toml) has no public API to tap encoded
frames, to send a PLI upstream, or to hear a subscriber's keyframe request when
a track yields pre-encoded packets, nor to send or receive media without its
per-packet machinery. The SFU needs all of these, so this module
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
- The receive path of a publication (:class:`LeanRtpReceive`, :class:`SrtpIntake`):
  ``RTCRtpReceiver._handle_rtp_packet`` is replaced per instance by a synchronous
  version that reads the receiver's ``__codecs``, ``__remote_streams``
  (``StreamStatistics``, for receiver reports), ``__rtx_ssrc``, ``__nack_generator``,
  ``__active_ssrc``, ``__decoder_error``, ``__timestamp_mapper``, ``__kind``,
  ``__jitter_buffer``, ``__decoder_thread`` and ``__decoder_queue`` and sends through
  ``_send_rtcp_nack`` / ``_send_rtcp_pli``; ``__remote_bitrate_estimator`` is no
  longer fed (no REMB). The aioice ``Connection.data_received`` of the DTLS
  transport's ICE connection is replaced per instance, reading the DTLS transport's
  ``_rx_srtp``, ``_rtp_router.ssrc_table`` / ``.payload_type_table``,
  ``_rtp_header_extensions_map`` and updating ``__rx_bytes`` / ``__rx_packets``.
- pylibsrtp's ``Session._srtp`` / ``._cdata`` / ``._buffer`` and its cffi
  ``_binding`` (:class:`SrtpCodec`): the same libsrtp calls without the
  ``Session`` method's per-call allocation.
- ``RTCRtpTransceiver._codecs`` / ``._headerExtensions``: the negotiated codecs
  and header extensions. ``createOffer`` resets both to aiortc's own table
  (payload types and extension ids) on every transceiver, while the senders and
  receivers of the last answer are started later by a task (``__connect``) that
  reads them then: they would start with numbers the participant never agreed
  to. :func:`create_offer` puts the negotiated values back at once.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable
from typing import Any, Protocol

import pylibsrtp
from pylibsrtp import ERRORS as _SRTP_ERRORS
from pylibsrtp import SRTP_MAX_TRAILER_LEN as _SRTP_TRAILER
from pylibsrtp._binding import ffi as _srtp_ffi
from pylibsrtp._binding import lib as _srtp_lib
from aioice.ice import StunProtocol
from aiortc import RTCDtlsTransport, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription
from aiortc import clock
from aiortc.codecs import depayload, is_rtx
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpreceiver import StreamStatistics
from aiortc.rtp import HeaderExtensionsMap, RtpPacket, unwrap_rtx

from .datagram_batch import DatagramBatcher, NativeProtect
from .errors import AiortcContractError
from .rtp_frame import RtpFrame

logger = logging.getLogger(__name__)

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
    state = sender.__dict__
    state[_NTP] = ntp_timestamp
    state[_RTP_TS] = rtp_timestamp
    state[_PACKETS] += packets
    state[_OCTETS] += octets


def sender_report_counters(sender: RTCRtpSender) -> tuple[int, int, int, int]:
    return tuple(_require(sender, f"{_SENDER}{name}") for name in _SR_COUNTERS)  # type: ignore[return-value]


async def send_rtp(transport: RTCDtlsTransport, data: bytes) -> None:
    """aiortc's own path: SRTP-protect and send through DTLS/ICE (async)."""
    await _require(transport, "_send_rtp")(data)


_SRTP_PROTECT_SIGNATURE = "srtp_err_status_t(*)(struct srtp_ctx_t_ *, void *, int *)"  # as media/_fanout.c calls it


def _srtp_protect_address() -> int | None:
    """libsrtp's ``srtp_protect`` (inside pylibsrtp's binding) as an address, if its C
    signature is the one the C send path calls; otherwise that path stays off."""
    function = _srtp_ffi.addressof(_srtp_lib, "srtp_protect")
    if _srtp_ffi.typeof(function).cname != _SRTP_PROTECT_SIGNATURE:
        logger.warning("pylibsrtp's srtp_protect has another signature: C send path off")
        return None
    return int(_srtp_ffi.cast("uintptr_t", function))


_SRTP_PROTECT_ADDRESS = _srtp_protect_address()


class SrtpCodec:
    """SRTP protect / unprotect with a ``pylibsrtp.Session``'s own libsrtp context and
    buffer, without the ``Session`` method's per-call checks and its ``ffi.new`` (they
    were half the Python cost of forwarding a packet). Same libsrtp calls, same
    results; an error status raises ``pylibsrtp.Error`` as the ``Session`` would."""

    def __init__(self, session: Any) -> None:
        for name in ("_srtp", "_cdata", "_buffer"):
            _require(session, name)
        self.session = session
        self._context = session._srtp[0]
        self._cdata, self._buffer = session._cdata, session._buffer
        self._length = _srtp_ffi.new("int *")
        self._room = len(session._cdata) - _SRTP_TRAILER
        # for the C send path (media._fanout): libsrtp's srtp_protect and this context, as addresses
        self.native = None if _SRTP_PROTECT_ADDRESS is None else NativeProtect(
            _SRTP_PROTECT_ADDRESS, int(_srtp_ffi.cast("uintptr_t", self._context)), _SRTP_TRAILER)

    def protect(self, packets: list[bytes]) -> list[bytes]:
        protect, context, cdata, buffer, length, room = (
            _srtp_lib.srtp_protect, self._context, self._cdata, self._buffer, self._length, self._room)
        out = []
        for packet in packets:
            size = len(packet)
            if size > room:
                raise ValueError("packet is too long")
            buffer[0:size] = packet
            length[0] = size
            status = protect(context, cdata, length)
            if status:
                raise pylibsrtp.Error(_SRTP_ERRORS[status] if status < len(_SRTP_ERRORS) else str(status))
            out.append(buffer[0:length[0]])
        return out

    def unprotect(self, packet: bytes) -> bytes | None:
        """The plain RTP packet, or None if it fails authentication or replay checks."""
        size = len(packet)
        if size > len(self._cdata):
            return None
        self._buffer[0:size] = packet
        self._length[0] = size
        if _srtp_lib.srtp_unprotect(self._context, self._cdata, self._length):
            return None
        return self._buffer[0:self._length[0]]


class DirectRtpPath:
    """Sends a frame's RTP packets synchronously: SRTP-protected with the DTLS
    transport's outbound session, then written to the nominated pair's UDP
    socket in one call (:class:`~media.datagram_batch.DatagramBatcher`).

    :meth:`ready` says whether that is possible now (DTLS connected, a nominated
    UDP pair; not a TURN or TCP pair: then use :func:`send_rtp`, aiortc's own
    path) and keeps what it found for :meth:`send_ready`, which sends without
    looking again (call it in the same callback). Call :meth:`close` when done.
    """

    def __init__(self, transport: RTCDtlsTransport) -> None:
        for name in ("_state", "_tx_srtp", *_DTLS_TX):
            _require(transport, name)
        _require(_require(transport.transport, "_connection"), "_nominated")
        self.transport = transport
        self._pair: Any = None
        self._addr: tuple[str, int] = ("", 0)
        self._batcher: DatagramBatcher | None = None
        self._srtp: SrtpCodec | None = None

    def ready(self) -> bool:
        dtls = self.transport
        if dtls._state is not DtlsState.CONNECTED:
            return False
        pair = dtls.transport._connection._nominated.get(1)
        if pair is None:
            return False
        if pair is not self._pair:
            if type(pair.protocol) is not StunProtocol:
                return False
            self.close()
            self._batcher = DatagramBatcher(pair.protocol.transport)
            self._pair, self._addr = pair, pair.remote_addr
        srtp = self._srtp
        if srtp is None or srtp.session is not dtls._tx_srtp:
            self._srtp = SrtpCodec(dtls._tx_srtp)
        return True

    def send(self, frame: RtpFrame) -> bool:
        """:meth:`ready`, then :meth:`send_ready`; False if not ready (nothing sent)."""
        if not self.ready():
            return False
        self.send_ready(frame)
        return True

    def send_ready(self, frame: RtpFrame) -> None:
        datagrams, sent = self._batcher.send_frame(frame, self._srtp, self._addr)  # type: ignore[union-attr]
        counters = self.transport.__dict__
        counters[_DTLS_TX[0]] += sent
        counters[_DTLS_TX[1]] += datagrams

    def close(self) -> None:
        batcher, self._batcher, self._pair = self._batcher, None, None
        if batcher is not None:
            batcher.close()


# --------------------------------------------------------------------------- receiver RTP path

_RECEIVER = "_RTCRtpReceiver__"
_RECEIVER_STATE = ("codecs", "remote_streams", "rtx_ssrc", "nack_generator", "active_ssrc",
                   "decoder_error", "timestamp_mapper", "kind")
_DTLS_RX = ("_RTCDtlsTransport__rx_bytes", "_RTCDtlsTransport__rx_packets")


class LeanRtpReceive:
    """``RTCRtpReceiver._handle_rtp_packet`` for a tapped receiver, synchronous and
    without the decoder-only work.

    Kept from aiortc, in its order: ``_enabled``, the codec lookup, the RTCP
    receiver-report statistics, RTX unwrapping, NACKs for missing packets,
    depayloading, the jitter buffer (ours, see :mod:`media.receiver_tap`), a PLI when
    it asks for one, the RTP timestamp mapping and the decoder queue (our tap; the
    ``None`` stop sentinel is aiortc's). Left out: the remote bitrate estimator and its
    REMB feedback (the SFU sends the publisher no bandwidth estimate) and the
    ``datetime`` per packet for ``getSynchronizationSources`` (stamped per frame).
    RTCP (NACK, PLI) is sent from tasks this object owns (:meth:`close`).

    The first packets arrive through aiortc's own loop (the DTLS transport calls the
    replaced ``_handle_rtp_packet``); from then on :class:`SrtpIntake` hands the
    packets of this receiver's SSRCs straight from the UDP socket's callback.
    """

    def __init__(self, receiver: RTCRtpReceiver) -> None:
        _require(receiver, "_handle_rtp_packet")
        for name in (*_RECEIVER_STATE, "decoder_queue", "decoder_thread", "jitter_buffer"):
            _require(receiver, f"{_RECEIVER}{name}")
        for name in ("_send_rtcp_nack", "_send_rtcp_pli", "_enabled"):
            _require(receiver, name)
        self.receiver = receiver
        (self._codecs, self._streams, self._rtx_ssrc, self._nack, self._active_ssrc, self._decoder_error,
         self._timestamps, kind) = (getattr(receiver, f"{_RECEIVER}{name}") for name in _RECEIVER_STATE)
        self._video = kind == "video"
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        receiver._handle_rtp_packet = self._handle_from_aiortc  # type: ignore[method-assign]

    async def _handle_from_aiortc(self, packet: RtpPacket, arrival_time_ms: int = 0) -> None:
        if not self._closed:
            SrtpIntake.of(self.receiver.transport).add(self)
        self.handle(packet)

    def handle(self, packet: RtpPacket) -> None:
        receiver = self.receiver
        if not receiver._enabled:
            return
        codec = self._codecs.get(packet.payload_type)
        if codec is None:
            return
        stream = self._streams.get(packet.ssrc)
        if stream is None:
            stream = self._streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stream.add(packet)
        if is_rtx(codec):
            original_ssrc = self._rtx_ssrc.get(packet.ssrc)
            apt = codec.parameters.get("apt")
            if original_ssrc is None or len(packet.payload) < 2 or not isinstance(apt, int) or apt not in self._codecs:
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=original_ssrc)
            codec = self._codecs[apt]
        nack = self._nack
        if nack is not None and nack.add(packet):
            self._spawn(receiver._send_rtcp_nack(packet.ssrc, sorted(nack.missing)))
        try:
            packet._data = depayload(codec, packet.payload) if packet.payload else b""  # type: ignore[attr-defined]
        except ValueError:
            return
        pli, frame = getattr(receiver, _JITTER_BUFFER).add(packet)
        if self._decoder_error.is_set():
            self._decoder_error.clear()
            pli = pli or self._video
        if pli:
            self._spawn(receiver._send_rtcp_pli(packet.ssrc))
        if frame is not None:
            self._active_ssrc[packet.ssrc] = clock.current_datetime()
            if getattr(receiver, _DECODER_THREAD):
                frame.timestamp = self._timestamps.map(frame.timestamp)
                getattr(receiver, _DECODER_QUEUE).put((codec, frame))

    def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()

    def _spawn(self, coro: Any) -> None:
        if self._closed:
            coro.close()
            return
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class SrtpIntake:
    """Takes the SRTP packets of :class:`LeanRtpReceive` receivers off one DTLS
    transport as the UDP socket delivers them, instead of aioice's queue and the DTLS
    transport's receive task (a task wake-up and four coroutines per packet).

    It stands in for the aioice ``Connection.data_received`` of the transport's ICE
    connection (per instance). A packet is taken when SRTP is keyed, it is RTP (not
    RTCP, not DTLS) and aiortc's router already maps its SSRC and payload type to a
    lean receiver; it is then unprotected, counted and parsed as
    ``RTCDtlsTransport._recv_next`` / ``_handle_rtp_data`` would. Everything else goes
    on to aioice's queue as before.
    """

    def __init__(self, dtls: RTCDtlsTransport) -> None:
        for name in ("_rx_srtp", "_rtp_router", "_rtp_header_extensions_map", *_DTLS_RX):
            _require(dtls, name)
        connection = _require(dtls.transport, "_connection")
        self._queue_datagram = _require(connection, "data_received")
        router = dtls._rtp_router
        self._ssrc_table, self._payload_type_table = router.ssrc_table, router.payload_type_table
        self._dtls = dtls
        self._connection = connection
        self._lean: dict[Any, LeanRtpReceive] = {}
        self._srtp: SrtpCodec | None = None
        self.taken = 0
        connection.data_received = self._data_received

    @classmethod
    def of(cls, dtls: RTCDtlsTransport) -> "SrtpIntake":
        """The intake of ``dtls``'s ICE connection, installed on first use."""
        intake = getattr(_require(dtls.transport, "_connection").data_received, "__self__", None)
        if not isinstance(intake, cls) or intake._dtls is not dtls:
            intake = cls(dtls)
        return intake

    def add(self, lean: LeanRtpReceive) -> None:
        self._lean[lean.receiver] = lean

    @property
    def receivers(self) -> int:
        return len(self._lean)

    def _data_received(self, data: bytes, component: int) -> None:
        if len(data) >= 12 and 127 < data[0] < 192 and not 191 < data[1] < 209:  # RTP, as aiortc's is_rtcp
            srtp = self._dtls._rx_srtp
            receiver = self._ssrc_table.get(int.from_bytes(data[8:12], "big"))
            lean = self._lean.get(receiver)
            if (
                lean is not None
                and srtp is not None
                and not lean._closed
                and receiver in self._payload_type_table.get(data[1] & 0x7F, ())
            ):
                self._take(lean, srtp, data)
                return
        self._queue_datagram(data, component)

    def _take(self, lean: LeanRtpReceive, srtp: Any, data: bytes) -> None:
        dtls = self._dtls
        self.taken += 1
        rx_bytes, rx_packets = _DTLS_RX
        setattr(dtls, rx_bytes, getattr(dtls, rx_bytes) + len(data))
        setattr(dtls, rx_packets, getattr(dtls, rx_packets) + 1)
        codec = self._srtp
        if codec is None or codec.session is not srtp:
            codec = self._srtp = SrtpCodec(srtp)
        plain = codec.unprotect(data)
        if plain is None:
            return  # as aiortc: a packet that fails authentication or replay checks is dropped
        try:
            packet = RtpPacket.parse(plain, dtls._rtp_header_extensions_map)
        except ValueError:
            return
        try:
            lean.handle(packet)
        except Exception:  # never break the socket's callback
            logger.exception("lean RTP receive failed")
