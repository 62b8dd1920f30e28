"""The forwarded track's sender: its RTP loop replaced, its sender-report counters fed, and the
direct path that protects and sends a frame's packets to the nominated UDP pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aioice.ice import StunProtocol
from aiortc import RTCDtlsTransport, RTCRtpSender
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtp import HeaderExtensionsMap

from ..datagram_batch import DatagramBatcher
from ..errors import AiortcContractError
from ..fanout_group import FanoutBatch
from ..rtp_frame import RtpFrame
from .contract import _require
from .srtp import SrtpCodec

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

    def send_ready(self, frame: RtpFrame, batch: FanoutBatch | None = None) -> None:
        """Send now, or with ``batch`` (a frame's fan-out to all its subscribers in one C call)
        add this subscriber's target to it when the C path can take it; :meth:`sent` follows."""
        batcher = self._batcher
        if batch is not None:
            target = batcher.target(frame, self._srtp, self._addr)  # type: ignore[union-attr, arg-type]
            if target is not None:
                batch.add(self, frame, target)
                return
        datagrams, sent = batcher.send_frame(frame, self._srtp, self._addr)  # type: ignore[union-attr, arg-type]
        counters = self.transport.__dict__
        counters[_DTLS_TX[0]] += sent
        counters[_DTLS_TX[1]] += datagrams

    def sent(self, frame: RtpFrame, result: tuple | None) -> None:
        """The fan-out's result for this subscriber (see :class:`~media.fanout_group.FanoutBatch`)."""
        batcher = self._batcher
        if batcher is None:  # closed meanwhile: nothing was sent through it
            return
        datagrams, sent = batcher.finish(frame, self._srtp, self._addr, result)  # type: ignore[arg-type]
        counters = self.transport.__dict__
        counters[_DTLS_TX[0]] += sent
        counters[_DTLS_TX[1]] += datagrams

    def close(self) -> None:
        batcher, self._batcher, self._pair = self._batcher, None, None
        if batcher is not None:
            batcher.close()
