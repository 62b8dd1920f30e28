import asyncio
import socket
import struct
import sys

import pylibsrtp
import pytest

from media.aiortc_internals import SrtpCodec
from media.datagram_batch import NATIVE, DatagramBatcher
from media.rtp_frame import RtpFrame


class _Sink(asyncio.DatagramProtocol):
    pass


@pytest.fixture
async def endpoints():
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(2)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(_Sink, local_addr=("127.0.0.1", 0))
    yield transport, receiver
    transport.close()
    receiver.close()


def _receive(receiver: socket.socket, count: int) -> list[bytes]:
    return [receiver.recv(2048) for _ in range(count)]


def _frame(sizes: list[int]) -> list[bytes]:
    return [bytes([index]) * size for index, size in enumerate(sizes)]


@pytest.mark.skipif(sys.platform != "linux", reason="UDP segmentation offload is Linux only")
async def test_a_frame_goes_out_in_one_call_and_arrives_as_separate_datagrams(endpoints):
    transport, receiver = endpoints
    batcher = DatagramBatcher(transport)
    datagrams = _frame([1238, 1238, 1238, 1238, 611])
    batcher.send(datagrams, receiver.getsockname())
    assert _receive(receiver, 5) == datagrams
    assert batcher.calls == 1 and batcher.gso
    batcher.close()


async def test_sizes_that_cannot_be_segmented_go_one_by_one(endpoints):
    transport, receiver = endpoints
    batcher = DatagramBatcher(transport)
    datagrams = _frame([700, 1238, 1238])  # the first is shorter than the next
    batcher.send(datagrams, receiver.getsockname())
    assert _receive(receiver, 3) == datagrams
    assert batcher.calls == 0


async def test_without_gso_every_datagram_is_sent(endpoints):
    transport, receiver = endpoints
    batcher = DatagramBatcher(transport, gso=False)
    datagrams = _frame([1200] * 40 + [10])
    batcher.send(datagrams, receiver.getsockname())
    assert _receive(receiver, 41) == datagrams
    assert batcher.calls == 0


@pytest.mark.skipif(sys.platform != "linux", reason="UDP segmentation offload is Linux only")
async def test_a_large_keyframe_is_split_over_several_calls(endpoints):
    transport, receiver = endpoints
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    batcher = DatagramBatcher(transport)
    datagrams = _frame([1238] * 70 + [99])
    batcher.send(datagrams, receiver.getsockname())
    assert _receive(receiver, 71) == datagrams
    assert batcher.calls == 3  # at most 32 segments / 60 kB per call
    batcher.close()


# --------------------------------------------------------------------------- frames: C path and Python path

native = pytest.mark.skipif(not NATIVE, reason="media._fanout is not built (no C compiler at install)")


def _srtp(direction: str) -> SrtpCodec:
    policy = pylibsrtp.Policy(key=bytes(range(30)), ssrc_type=getattr(pylibsrtp.Policy, direction))
    return SrtpCodec(pylibsrtp.Session(policy=policy))


def _rtp_frame(chunks: list[int]) -> RtpFrame:
    header = struct.pack("!BBHLL", 0x90, 96, 65530, 90000, 0x1234ABCD)
    extension = b"\xbe\xde\x00\x01\x10\x31\x00\x00"  # mid "1"
    return RtpFrame(header, extension, b"\x90\x80\x80\x01", b"\x80\x80\x80\x01",
                    tuple(bytes([n]) * size for n, size in enumerate(chunks)))


def _python_only(batcher: DatagramBatcher) -> DatagramBatcher:
    batcher._native = False
    return batcher


@native
async def test_the_c_path_sends_what_the_python_path_sends(endpoints):
    transport, receiver = endpoints
    rtp = _rtp_frame([1180] * 4 + [300])
    addr = receiver.getsockname()
    batcher = DatagramBatcher(transport)
    assert batcher.send_frame(rtp, _srtp("SSRC_ANY_OUTBOUND"), addr)[0] == 5
    from_c = _receive(receiver, 5)
    python = _python_only(DatagramBatcher(transport))
    count, size = python.send_frame(rtp, _srtp("SSRC_ANY_OUTBOUND"), addr)
    from_python = _receive(receiver, 5)
    assert from_c == from_python, "the two paths must put the same SRTP packets on the wire"
    assert (count, size) == (5, sum(map(len, from_c)))
    assert batcher.calls == 1 and python.calls == 1, "one sendmsg with segmentation offload each"
    inbound = _srtp("SSRC_ANY_INBOUND")
    assert [inbound.unprotect(d) for d in from_c] == rtp.packets(), "sequence wraps, marker on the last"
    batcher.close()
    python.close()


@native
async def test_the_c_path_splits_a_large_keyframe_and_sends_one_by_one_without_gso(endpoints):
    transport, receiver = endpoints
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    addr, inbound = receiver.getsockname(), _srtp("SSRC_ANY_INBOUND")
    large = _rtp_frame([1180] * 70 + [99])
    batcher = DatagramBatcher(transport)
    batcher.send_frame(large, _srtp("SSRC_ANY_OUTBOUND"), addr)
    assert [inbound.unprotect(d) for d in _receive(receiver, 71)] == large.packets()
    assert batcher.calls == 2, "at most 64 segments and 64 KiB per call"
    plain = DatagramBatcher(transport, gso=False)
    later = _rtp_frame([500, 1180, 20])  # sequence numbers again: a second outbound session
    plain.send_frame(later, _srtp("SSRC_ANY_OUTBOUND"), addr)
    assert [_srtp("SSRC_ANY_INBOUND").unprotect(d) for d in _receive(receiver, 3)] == later.packets()
    assert plain.calls == 0
    batcher.close()


@native
async def test_a_packet_too_long_for_the_c_path_is_refused_like_the_python_path(endpoints):
    transport, receiver = endpoints
    for batcher in (DatagramBatcher(transport), _python_only(DatagramBatcher(transport))):
        with pytest.raises(ValueError, match="too long"):
            batcher.send_frame(_rtp_frame([3000]), _srtp("SSRC_ANY_OUTBOUND"), receiver.getsockname())


def test_addresses_the_c_path_cannot_take_go_the_python_way():
    batcher = DatagramBatcher.__new__(DatagramBatcher)
    batcher._target = (None, None)
    assert batcher._native_target(("fe80::1%eth0", 5000)) is None
    assert batcher._native_target(("::1", 5000)) == (socket.AF_INET6, socket.inet_pton(socket.AF_INET6, "::1"), 5000)
    assert batcher._native_target(("127.0.0.1", 9)) == (socket.AF_INET, bytes([127, 0, 0, 1]), 9)
