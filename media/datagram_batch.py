"""Writes the RTP packets of one frame to a UDP socket in one system call.

Linux UDP generic segmentation offload (``UDP_SEGMENT``, kernel ≥ 4.18): one
``sendmsg`` carries the concatenated datagrams and the kernel splits them at a
fixed size, so the network stack is walked once per frame instead of once per
packet. The datagrams on the wire are the same. It needs every datagram but
the last to have the same size (true for a frame's SRTP packets: same header,
full-size payloads, a short last one); anything else, a non-Linux system, a
transport with queued data (order must hold) or a refusal by the kernel falls
back to ``transport.sendto`` per datagram.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
from asyncio import DatagramTransport
from struct import Struct

logger = logging.getLogger(__name__)

UDP_SEGMENT = 103  # linux/udp.h
MAX_SEGMENTS = 32  # the kernel allows 64 and 64 KiB per call
MAX_BYTES = 60000
_SEGMENT_SIZE = Struct("=H")
_GSO_REFUSED = {errno.EIO, errno.EINVAL, errno.ENOPROTOOPT, errno.EOPNOTSUPP}


class DatagramBatcher:
    """Sends bursts of datagrams through one asyncio datagram transport."""

    def __init__(self, transport: DatagramTransport, gso: bool = sys.platform == "linux") -> None:
        self._transport = transport
        self._socket: socket.socket | None = None
        self._gso = gso and hasattr(socket, "SOL_UDP")
        self.calls = 0

    @property
    def transport(self) -> DatagramTransport:
        return self._transport

    @property
    def gso(self) -> bool:
        return self._gso

    def send(self, datagrams: list[bytes], addr: tuple[str, int]) -> None:
        segment = len(datagrams[0])
        if (
            len(datagrams) < 2
            or not self._gso
            or self._transport.is_closing()
            or self._transport.get_write_buffer_size()
            or any(len(d) != segment for d in datagrams[:-1])
            or len(datagrams[-1]) > segment
        ):
            self._each(datagrams, addr)
            return
        per_call = max(1, min(MAX_SEGMENTS, MAX_BYTES // segment))
        for start in range(0, len(datagrams), per_call):
            self._segmented(datagrams[start:start + per_call], segment, addr)

    def close(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()

    def _segmented(self, datagrams: list[bytes], segment: int, addr: tuple[str, int]) -> None:
        if len(datagrams) == 1:
            self._transport.sendto(datagrams[0], addr)
            return
        try:
            self._raw().sendmsg(
                [b"".join(datagrams)], [(socket.SOL_UDP, UDP_SEGMENT, _SEGMENT_SIZE.pack(segment))], 0, addr
            )
            self.calls += 1
        except (BlockingIOError, InterruptedError):
            self._each(datagrams, addr)  # the transport queues them
        except OSError as exc:
            if exc.errno not in _GSO_REFUSED:
                return  # as transport.sendto would: a UDP send error loses the packets
            logger.info("UDP segmentation offload refused (%s): sending packet by packet", exc)
            self._gso = False
            self.close()
            self._each(datagrams, addr)

    def _each(self, datagrams: list[bytes], addr: tuple[str, int]) -> None:
        sendto = self._transport.sendto
        for datagram in datagrams:
            sendto(datagram, addr)

    def _raw(self) -> socket.socket:
        """A duplicate of the transport's socket descriptor (same socket), closed by :meth:`close`."""
        if self._socket is None:
            fd = self._transport.get_extra_info("socket").fileno()
            self._socket = socket.socket(fileno=os.dup(fd))
            self._socket.setblocking(False)
        return self._socket
