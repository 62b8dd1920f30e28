"""Counting the media a peer connection receives from RTP headers alone, for load generators that
stand in for many clients on one machine.

SRTP encrypts an RTP packet's payload and leaves its header in the clear: SSRC, sequence number and
the marker bit (set on a video frame's last packet). So a receiver can count complete frames —
a marker packet with no sequence gap since the previous one — without decrypting, depacketising or
buffering anything: a few header reads per packet instead of aiortc's receive path (about a fifth
of the CPU). What it cannot say is that the bytes decode; a load generator keeps at least one peer
on the full path for that (``benchmarks/sfu.py``: one decoding subscriber per process).

It stands in for aioice's ``Connection.data_received`` of the peer's ICE connection, per instance,
as :class:`media.aiortc_internals.SrtpIntake` does: RTP packets of a known SSRC are counted and
dropped; everything else (STUN, DTLS, RTCP, unknown SSRCs) goes on to aiortc as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCPeerConnection
from aiortc import sdp as aiortc_sdp

FrameHandler = Callable[[str, str, float], None]  # (publisher, kind, monotonic time): a frame or audio packet


@dataclass
class _Stream:
    publisher: str
    kind: str
    next_seq: int | None = None
    intact: bool = False  # every packet since the previous marker arrived, in order
    packets: int = 0
    lost: int = 0


class StreamCounter:
    """Pure logic: RTP headers in, complete video frames and audio packets out (``on_frame``)."""

    def __init__(self, on_frame: FrameHandler) -> None:
        self._on_frame = on_frame
        self._streams: dict[int, _Stream] = {}

    def learn(self, sdp: str) -> None:
        """The sending SSRC of every m-section of the far end's description, with its publisher (the
        first word of its ``a=msid``) and kind. RTX SSRCs are not counted."""
        for media in aiortc_sdp.SessionDescription.parse(sdp).media:
            if not media.msid or not media.ssrc:
                continue
            groups = [g.items for g in media.ssrc_group if g.semantic == "FID" and g.items]
            primary = groups[0][0] if groups else media.ssrc[0].ssrc
            known = self._streams.get(primary)
            publisher = media.msid.split()[0]
            if known is None or (known.publisher, known.kind) != (publisher, media.kind):
                self._streams[primary] = _Stream(publisher, media.kind)

    def packet(self, data: bytes, now: float | None = None) -> bool:
        """Count ``data`` if it is an RTP packet of a known stream; True when it was counted."""
        if len(data) < 12 or not 127 < data[0] < 192 or 191 < data[1] < 224:  # not RTP (RTCP: PT 192-223)
            return False
        stream = self._streams.get(int.from_bytes(data[8:12], "big"))
        if stream is None:
            return False
        seq = int.from_bytes(data[2:4], "big")
        stream.packets += 1
        gap = 0 if stream.next_seq is None else (seq - stream.next_seq) & 0xFFFF
        if gap:
            stream.intact = False
            if gap >= 0x8000:  # a late packet (reordered or repeated): already counted as lost
                return True
            stream.lost += gap
        stream.next_seq = (seq + 1) & 0xFFFF
        if stream.kind == "audio":
            self._on_frame(stream.publisher, "audio", time.monotonic() if now is None else now)
        elif data[1] & 0x80:  # marker: the frame's last packet
            if stream.intact:
                self._on_frame(stream.publisher, "video", time.monotonic() if now is None else now)
            stream.intact = True  # the next frame starts here
        return True

    @property
    def lost(self) -> int:
        """Packets missing from sequence gaps, over all streams."""
        return sum(s.lost for s in self._streams.values())


class HeaderCounter(StreamCounter):
    """A :class:`StreamCounter` fed by ``pc``'s ICE connection. Install after ``setLocalDescription``
    (the connection exists then) and :meth:`learn` each offer or answer of the far end before media
    for it flows."""

    def __init__(self, pc: RTCPeerConnection, on_frame: FrameHandler) -> None:
        super().__init__(on_frame)
        transports = getattr(pc, "_RTCPeerConnection__iceTransports", ())
        if not transports:
            raise RuntimeError("HeaderCounter: the peer connection has no ICE transport yet (setLocalDescription)")
        for ice_transport in transports:
            connection = ice_transport._connection
            connection.data_received = self._wrap(connection.data_received)

    def _wrap(self, deliver: Callable[[bytes, int], None]) -> Callable[[bytes, int], None]:
        def data_received(data: bytes, component: int) -> None:
            if not self.packet(data):
                deliver(data, component)
        return data_received
