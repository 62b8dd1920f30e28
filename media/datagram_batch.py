"""Writes the RTP packets of one frame to a UDP socket in one system call.

:meth:`DatagramBatcher.send_frame` takes a frame's packets as an
:class:`~media.rtp_frame.RtpFrame` and, when the C extension ``media._fanout`` is
built (``pip install`` compiles it; it is optional), writes, SRTP-protects and sends
them in one C call; otherwise they are built, protected and sent from Python. The
datagrams are the same either way. For a frame with several subscribers,
:meth:`DatagramBatcher.target` gives what that C call needs instead of making it, so that
:class:`~media.fanout_group.FanoutBatch` sends the frame to all of them in one C call
(``_fanout.send_frames``), and :meth:`DatagramBatcher.finish` takes each one's result.

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
from typing import NamedTuple, Protocol

from .rtp_frame import RtpFrame

try:
    from . import _fanout
except ImportError:  # built without a C compiler: the Python path
    _fanout = None  # type: ignore[assignment]

NATIVE = _fanout is not None

logger = logging.getLogger(__name__)

UDP_SEGMENT = 103  # linux/udp.h
MAX_SEGMENTS = 32  # the kernel allows 64 and 64 KiB per call
MAX_BYTES = 60000
_SEGMENT_SIZE = Struct("=H")
_GSO_REFUSED = {errno.EIO, errno.EINVAL, errno.ENOPROTOOPT, errno.EOPNOTSUPP}
_TRY_LATER = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR}


class NativeProtect(NamedTuple):
    """What the C path needs to SRTP-protect: libsrtp's ``srtp_protect`` and a context, as
    addresses, and the room an SRTP trailer may take."""

    protect_address: int
    context_address: int
    trailer: int


class FrameProtector(Protocol):
    native: NativeProtect | None

    def protect(self, packets: list[bytes]) -> list[bytes]: ...


class DatagramBatcher:
    """Sends bursts of datagrams through one asyncio datagram transport."""

    def __init__(self, transport: DatagramTransport, gso: bool = sys.platform == "linux") -> None:
        self._transport = transport
        self._socket: socket.socket | None = None
        self._gso = gso and hasattr(socket, "SOL_UDP")
        self._native = NATIVE and sys.platform == "linux"
        self._target: tuple[tuple[str, int] | None, tuple[int, bytes, int] | None] = (None, None)
        self._prefix: tuple[object, object, bool, tuple | None] = (None, None, False, None)  # (addr, srtp, gso, target's first 7)
        self.calls = 0

    @property
    def transport(self) -> DatagramTransport:
        return self._transport

    @property
    def gso(self) -> bool:
        return self._gso

    def send(self, datagrams: list[bytes], addr: tuple[str, int]) -> int:
        """Send ``datagrams`` in order; returns their size in bytes."""
        if not datagrams:
            return 0
        sizes = list(map(len, datagrams))
        count, segment = len(sizes), sizes[0]
        same = sizes.count(segment)
        if (
            count < 2
            or not (same == count or (same == count - 1 and sizes[-1] < segment))
            or not self._gso
            or self._transport.is_closing()
            or self._transport.get_write_buffer_size()
        ):
            self._each(datagrams, addr)
        elif count <= MAX_SEGMENTS and segment * count <= MAX_BYTES:
            self._segmented(datagrams, segment, addr)
        else:
            per_call = max(1, min(MAX_SEGMENTS, MAX_BYTES // segment))
            for start in range(0, count, per_call):
                self._segmented(datagrams[start:start + per_call], segment, addr)
        return sum(sizes)

    def send_frame(self, frame: RtpFrame, srtp: FrameProtector, addr: tuple[str, int]) -> tuple[int, int]:
        """SRTP-protect and send the frame's packets in order; returns (datagrams, bytes)."""
        native, transport = srtp.native, self._transport
        if native is not None and self._native and not transport.is_closing() and not transport.get_write_buffer_size():
            target = self._native_target(addr)
            if target is not None:
                count, size, calls, error, unsent = _fanout.send_frame(
                    self._raw().fileno(), self._gso, *target, native.protect_address, native.context_address,
                    *frame, native.trailer)
                self.calls += calls
                if error:
                    self._after_error(error, unsent, addr)
                return count, size
        datagrams = srtp.protect(frame.packets())
        return len(datagrams), self.send(datagrams, addr)

    def target(self, frame: RtpFrame, srtp: FrameProtector, addr: tuple[str, int]) -> tuple | None:
        """The values ``_fanout.send_frames`` takes to send ``frame`` here (``_fanout.send_frame``'s
        arguments), or None when the C path cannot send it now (not built, no libsrtp address, the
        transport closing or holding queued datagrams, an address it cannot take): then call
        :meth:`send_frame`. Pass the C call's result for it to :meth:`finish`."""
        native, transport = srtp.native, self._transport
        if native is None or not (NATIVE and self._native) or transport.is_closing() or transport.get_write_buffer_size():
            return None
        known_addr, known, gso, prefix = self._prefix
        if known is not native or known_addr is not addr or gso is not self._gso or prefix is None:
            target = self._native_target(addr)
            if target is None:
                return None
            prefix = (self._raw().fileno(), self._gso, *target, native.protect_address, native.context_address)
            self._prefix = (addr, native, self._gso, prefix)
        return (*prefix, *frame, native.trailer)

    def finish(self, frame: RtpFrame, srtp: FrameProtector, addr: tuple[str, int], result: tuple | None) -> tuple[int, int]:
        """After ``_fanout.send_frames`` sent a :meth:`target`: its counts as :meth:`send_frame` returns
        them; unsent datagrams queued or dropped as there; a target the C call refused (``None``) sent
        from Python (same datagrams)."""
        if result is None:
            datagrams = srtp.protect(frame.packets())
            return len(datagrams), self.send(datagrams, addr)
        count, size, calls, error, unsent = result
        self.calls += calls
        if error:
            self._after_error(error, unsent, addr)
        return count, size

    def _native_target(self, addr: tuple[str, int]) -> tuple[int, bytes, int] | None:
        """(address family, packed host, port) for the C path, or None (e.g. an IPv6 scope id)."""
        known, target = self._target
        if known is not addr:
            target = None
            for family in (socket.AF_INET, socket.AF_INET6):
                try:
                    target = (family, socket.inet_pton(family, addr[0]), addr[1])
                    break
                except OSError:
                    continue
            self._target = (addr, target)
        return target

    def _after_error(self, error: int, unsent: list[bytes], addr: tuple[str, int]) -> None:
        if error in _TRY_LATER:
            self._each(unsent, addr)  # the transport queues them
        elif self._gso and error in _GSO_REFUSED:
            logger.info("UDP segmentation offload refused (%s): sending packet by packet", os.strerror(error))
            self._gso = False
            self._prefix = (None, None, False, None)
            self._each(unsent, addr)
        # anything else: as transport.sendto would, a UDP send error loses the packets

    def close(self) -> None:
        self._prefix = (None, None, False, None)
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()

    def _segmented(self, datagrams: list[bytes], segment: int, addr: tuple[str, int]) -> None:
        if len(datagrams) == 1:
            self._transport.sendto(datagrams[0], addr)
            return
        try:
            self._raw().sendmsg(datagrams, [(socket.SOL_UDP, UDP_SEGMENT, _SEGMENT_SIZE.pack(segment))], 0, addr)
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
