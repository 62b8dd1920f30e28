"""The RTP packets of one forwarded frame for one subscriber, described once.

A forwarded frame becomes, per subscriber, a run of RTP packets that differ only
in sequence number and marker bit: one RTP header, one header-extension block,
a payload-descriptor prefix (VP8's; empty for Opus) and the frame's payload
chunks, which every subscriber shares. :class:`RtpFrame` keeps exactly that, so
the packets can be written by the C send path (:mod:`media._fanout`) without
building them in Python, rebuilt for a NACK, or built here for the Python path.
"""

from __future__ import annotations

from typing import NamedTuple


class RtpFrame(NamedTuple):
    header: bytes  # the first packet's 12-byte RTP header, marker bit clear
    extension: bytes  # RFC 8285 header-extension block (with its 4-byte header), or b""
    first_prefix: bytes  # before the first chunk (e.g. VP8 payload descriptor with S=1)
    next_prefix: bytes  # before every other chunk
    chunks: tuple[bytes, ...]  # payload bodies, shared by every subscriber of the frame

    @property
    def sequence(self) -> int:
        """The first packet's sequence number."""
        return int.from_bytes(self.header[2:4], "big")

    @property
    def payload_octets(self) -> int:
        """Payload bytes (prefixes and chunks), as RTCP sender reports count them."""
        count = len(self.chunks)
        if not count:
            return 0
        return len(self.first_prefix) + (count - 1) * len(self.next_prefix) + sum(map(len, self.chunks))

    def packet(self, index: int) -> bytes:
        """Packet ``index`` (0-based) of the frame, in plaintext."""
        header, last = self.header, len(self.chunks) - 1
        if not 0 <= index <= last:
            raise IndexError(index)
        second = header[1] | 0x80 if index == last else header[1]
        sequence = (int.from_bytes(header[2:4], "big") + index) & 0xFFFF
        return b"".join((
            header[:1], bytes((second,)), sequence.to_bytes(2, "big"), header[4:],
            self.extension, self.next_prefix if index else self.first_prefix, self.chunks[index],
        ))

    def packets(self) -> list[bytes]:
        return [self.packet(index) for index in range(len(self.chunks))]
