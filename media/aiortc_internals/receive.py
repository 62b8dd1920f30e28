"""The publisher's receive path: packets taken from the UDP socket's callback and handled
synchronously, without the decoder-only work."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiortc import RTCDtlsTransport, RTCRtpReceiver
from aiortc import clock
from aiortc.codecs import depayload, is_rtx
from aiortc.rtcrtpreceiver import StreamStatistics
from aiortc.rtp import RtpPacket, unwrap_rtx

from .contract import _require
from .srtp import SrtpCodec
from .tap import _DECODER_QUEUE, _DECODER_THREAD, _JITTER_BUFFER

logger = logging.getLogger(__name__)

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
