import asyncio
import socket
import sys

import pytest

from media.datagram_batch import DatagramBatcher


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
