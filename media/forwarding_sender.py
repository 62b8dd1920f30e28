"""A lean RTP sender for forwarded tracks, in place of ``RTCRtpSender._run_rtp``.

aiortc's loop costs ~29 µs per RTP packet per subscriber: an ``av.Packet`` per
frame, the codec's ``pack()`` splitting the frame again for every subscriber,
an ``RtpPacket`` object with header extensions per packet, four awaited
coroutines (DTLS, ICE, protocol, socket) and a system call per packet, and a
task wake-up per frame. Here:

- each frame is split once for all subscribers (:meth:`EncodedFrame.chunks`);
  per subscriber only the RTP header (SSRC, sequence number, timestamp,
  payload type, marker), the header extensions (packed once per sender; only
  abs-send-time, where negotiated, changes) and the VP8 picture id are written;
- a frame's packets are described once per subscriber as an
  :class:`~media.rtp_frame.RtpFrame`, then written, SRTP-protected and sent to
  the nominated UDP pair in one synchronous call, one ``sendmsg`` with UDP
  segmentation offload (:class:`~media.aiortc_internals.DirectRtpPath`,
  :class:`~media.datagram_batch.DatagramBatcher`; in C when ``media._fanout``
  is built, else in Python: same datagrams);
- while this sender's loop is idle, :meth:`ForwardingTrack.deliver` hands the
  frame straight to :meth:`ForwardingSender.send_now` (no wake-up); otherwise
  frames go through the track's bounded drop-to-keyframe queue to the loop.

TURN or TCP pairs, or a DTLS transport that is not connected, take aiortc's
own async path per packet. Everything else stays aiortc's: the sender's RTCP
loop (sender reports, fed through :func:`aiortc_internals.record_sent`),
PLI/FIR (routed by :mod:`media.keyframe_bridge`), NACK (answered from this
sender's last 128 frames, with RTX when negotiated), ``stop()`` and the transceiver
direction (``_enabled``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from struct import Struct

from aiortc import RTCRtpSender
from aiortc.codecs import get_encoder
from aiortc.codecs.vpx import PACKET_MAX
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpsender import random_sequence_number
from aiortc.rtp import RTP_HISTORY_SIZE, HeaderExtensions, RtpPacket, wrap_rtx
from aiortc.utils import random32, uint16_add

from . import aiortc_internals
from .encoded_frame import EncodedFrame
from .fanout_group import FanoutBatch
from .forwarding_track import ForwardingTrack
from .rtp_frame import RtpFrame

logger = logging.getLogger(__name__)

_RTP_HEADER = Struct("!BBHLL")
_EXTENSION_HEADER = Struct("!HH")
_PICTURE_ID = Struct("!H")
# VP8 payload descriptor (RFC 7741) as aiortc writes it: X=1, S on the first
# packet, then I=1 and a 15-bit picture id.
_VP8_FIRST, _VP8_NEXT = b"\x90\x80", b"\x80\x80"
_VP8_BODY = PACKET_MAX - 4
_NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900 to 1970
_FRAME_HISTORY = RTP_HISTORY_SIZE  # frames kept for NACKs: at least aiortc's 128 packets


Payloads = tuple[bytes, bytes, tuple[bytes, ...], int]  # first prefix, next prefix, chunks, their bytes


def ntp_now() -> int:
    """The wall clock as a 64-bit NTP timestamp (what ``aiortc.clock.current_ntp_time`` gives)."""
    return int((time.time() + _NTP_EPOCH_OFFSET) * 4294967296.0)


def _extension_template(extensions, mid: str | None) -> tuple[bytes, bytes | None]:
    """The packed header extensions (with their RFC 8285 header) of this sender's packets as
    (bytes before abs-send-time, bytes after it), or (all, None) without abs-send-time: only
    the 3-byte send time changes from frame to frame."""
    low = extensions.set(HeaderExtensions(mid=mid, abs_send_time=0))
    high = extensions.set(HeaderExtensions(mid=mid, abs_send_time=0xFFFFFF))
    profile, value = low
    packed = _EXTENSION_HEADER.pack(profile, len(value) >> 2) + value if value else b""
    if low == high:
        return packed, None
    at = 4 + next(i for i, (a, b) in enumerate(zip(value, high[1])) if a != b)
    return packed[:at], packed[at + 3:]


class ForwardingSender:
    """Drives one subscriber's ``RTCRtpSender`` from its :class:`ForwardingTrack`."""

    def __init__(self, sender: RTCRtpSender, track: ForwardingTrack) -> None:
        self._sender = sender
        self._track = track
        self._sent: deque[RtpFrame] = deque(maxlen=_FRAME_HISTORY)
        self._sequence = random_sequence_number()
        self._timestamp_origin = random32()
        self._picture_id = random.randint(0, 0x7FFF)
        self._rtx_sequence = random_sequence_number()
        self._rtx_payload_type: int | None = None
        self._extensions = None
        self._mid: str | None = None
        self._extension_template: tuple[bytes, bytes | None] = (b"", None)
        self._direct: aiortc_internals.DirectRtpPath | None = None
        self._payload_type: int | None = None  # set while the loop runs
        self._ssrc = aiortc_internals.sender_ssrc(sender)
        self._packetize = None
        self.packets_sent = 0
        self.frames_sent = 0
        aiortc_internals.replace_rtp_loop(sender, self._run, self._retransmit)

    def ready(self) -> bool:
        """Whether :meth:`send_now` can send a frame synchronously now."""
        return (
            self._payload_type is not None
            and aiortc_internals.sender_enabled(self._sender)
            and self._direct_path().ready()
        )

    def send_now(self, frame: EncodedFrame, pts: int, batch: FanoutBatch | None = None) -> None:
        """Send a frame at once: the track calls this from ``deliver`` right after :meth:`ready`.
        With ``batch``, the packets go out when the publication flushes it, in the same callback
        (one C call for all the frame's subscribers); they are counted and kept for NACKs here."""
        try:
            rtp = self._frame(frame, pts)
            if rtp is not None:
                self._direct.send_ready(rtp, batch)  # type: ignore[union-attr]
        except Exception:  # never break the publisher's receive loop
            logger.exception("forwarding sender of %s failed to send", self._track.kind)

    async def _run(self, codec: RTCRtpCodecParameters) -> None:
        sender = self._sender
        aiortc_internals.rtp_loop_started(sender)
        try:
            self._mid, self._extensions, self._rtx_payload_type = aiortc_internals.sender_parameters(sender)
            self._extension_template = _extension_template(self._extensions, self._mid)
            self._packetize = self._packetizer(codec)
            self._payload_type = codec.payloadType
            self._track.set_immediate_sender(self)
            while True:
                frame, pts = await self._track.next_frame()
                if not aiortc_internals.sender_enabled(sender):
                    continue  # inactive direction: read and drop, as aiortc does
                rtp = self._frame(frame, pts)
                if rtp is not None and not self._direct_path().send(rtp):
                    for packet in rtp.packets():
                        await aiortc_internals.send_rtp(sender.transport, packet)
        except (asyncio.CancelledError, ConnectionError, MediaStreamError):
            pass
        except Exception:  # stop() waits for the exit event: never leave without it
            logger.exception("forwarding sender of %s failed", self._track.kind)
        finally:
            self._payload_type = None
            self._track.set_immediate_sender(None)
            self._track.stop()
            if self._direct is not None:
                self._direct.close()
            aiortc_internals.rtp_loop_exited(sender)

    def _packetizer(self, codec: RTCRtpCodecParameters) -> Callable[[EncodedFrame], Payloads]:
        """(first prefix, next prefix, chunks, chunk bytes) of a frame for this codec."""
        mime = codec.mimeType.lower()
        if mime == "video/vp8":
            return self._vp8_payloads
        if mime == "audio/opus":
            return lambda frame: (b"", b"", frame.chunks(None), len(frame.data))
        encoder = get_encoder(codec)  # other codecs: aiortc's own pack()

        def pack(frame: EncodedFrame) -> Payloads:
            chunks = tuple(encoder.pack(frame.to_packet(frame.timestamp))[0])
            return b"", b"", chunks, sum(map(len, chunks))
        return pack

    def _vp8_payloads(self, frame: EncodedFrame) -> Payloads:
        picture_id = _PICTURE_ID.pack(0x8000 | self._picture_id)
        self._picture_id = (self._picture_id + 1) & 0x7FFF
        return _VP8_FIRST + picture_id, _VP8_NEXT + picture_id, frame.chunks(_VP8_BODY), len(frame.data)

    def _frame(self, frame: EncodedFrame, pts: int) -> RtpFrame | None:
        """The frame's RTP packets for this subscriber (kept for NACKs), or None if it has none."""
        first_prefix, next_prefix, chunks, chunk_bytes = self._packetize(frame)
        if not chunks:
            return None
        timestamp = (self._timestamp_origin + pts) & 0xFFFFFFFF
        ntp = ntp_now()
        head, tail = self._extension_template
        extension = head if tail is None else head + ((ntp >> 14) & 0xFFFFFF).to_bytes(3, "big") + tail
        sequence, count = self._sequence, len(chunks)
        rtp = RtpFrame(
            _RTP_HEADER.pack(0x90 if extension else 0x80, self._payload_type, sequence, timestamp, self._ssrc),
            extension, first_prefix, next_prefix, chunks,
        )
        self._sent.append(rtp)
        self._sequence = (sequence + count) & 0xFFFF
        self.frames_sent += 1
        self.packets_sent += count
        # payload octets as RtpFrame.payload_octets counts them (the chunks split the frame's data)
        octets = len(first_prefix) + (count - 1) * len(next_prefix) + chunk_bytes
        aiortc_internals.record_sent(self._sender, ntp, timestamp, count, octets)
        return rtp

    def _direct_path(self) -> aiortc_internals.DirectRtpPath:
        transport = self._sender.transport
        direct = self._direct
        if direct is None or direct.transport is not transport:
            if direct is not None:
                direct.close()
            direct = self._direct = aiortc_internals.DirectRtpPath(transport)
        return direct

    async def _retransmit(self, sequence_number: int) -> None:
        """Answer a NACK from the frames sent last, wrapped in RTX when negotiated."""
        data = self._sent_packet(sequence_number)
        if data is None:
            return
        if self._rtx_payload_type is not None:
            rtx = wrap_rtx(
                RtpPacket.parse(data, self._extensions),
                payload_type=self._rtx_payload_type,
                sequence_number=self._rtx_sequence,
                ssrc=aiortc_internals.sender_rtx_ssrc(self._sender),
            )
            self._rtx_sequence = uint16_add(self._rtx_sequence, 1)
            data = rtx.serialize(self._extensions)
        try:
            await aiortc_internals.send_rtp(self._sender.transport, data)
        except ConnectionError:
            pass

    def _sent_packet(self, sequence_number: int) -> bytes | None:
        for rtp in reversed(self._sent):
            index = (sequence_number - rtp.sequence) & 0xFFFF
            if index < len(rtp.chunks):
                return rtp.packet(index)
        return None
