"""A frame's fan-out to all its subscribers in one C call (media/fanout_group.py,
``_fanout.send_frames``): the same datagrams as each subscriber's own path, one failing or
blocked subscriber never stopping the others, and between real aiortc peers: continuous
sequence numbers, decodable frames, NACKs answered, a subscriber leaving mid-stream, with
the C path and with the pure-Python path."""

import asyncio
import errno
import socket
import struct
from contextlib import AsyncExitStack

import pylibsrtp
import pytest
from aiortc.codecs import get_decoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from media import aiortc_internals, datagram_batch, fanout_group
from media.aiortc_internals import SrtpCodec
from media.codec_inspect import is_vp8_keyframe
from media.datagram_batch import NATIVE, DatagramBatcher
from media.encoded_frame import EncodedFrame
from media.fanout_group import FanoutBatch, fan_out
from media.rtp_frame import RtpFrame
from tests.unit.media.test_forwarding_sender import forwarding_link, vp8_frames, wait_until

native = pytest.mark.skipif(not NATIVE, reason="media._fanout is not built (no C compiler at install)")


class _Sink(asyncio.DatagramProtocol):
    pass


def _srtp(direction: str, key: int = 0) -> SrtpCodec:
    policy = pylibsrtp.Policy(key=bytes((key + n) & 0xFF for n in range(30)), ssrc_type=getattr(pylibsrtp.Policy, direction))
    return SrtpCodec(pylibsrtp.Session(policy=policy))


def _rtp_frame(subscriber: int, chunks: tuple[bytes, ...], sequence: int) -> RtpFrame:
    """What differs between subscribers: payload type, sequence number, timestamp, SSRC, extension, picture id."""
    header = struct.pack("!BBHLL", 0x90, 96 + subscriber, sequence, 90000 * (subscriber + 1), 0x1234ABC0 + subscriber)
    extension = b"\xbe\xde\x00\x01" + bytes((0x10 + subscriber, 0x31, 0, 0))
    picture = bytes((0x80 | subscriber, 0x01))
    return RtpFrame(header, extension, b"\x90\x80" + picture, b"\x80\x80" + picture, chunks)


_CHUNKS = tuple(bytes([n]) * size for n, size in enumerate([1180] * 4 + [300]))


class _Subscriber:
    def __init__(self, transport, key: int) -> None:
        self.receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.receiver.bind(("127.0.0.1", 0))
        self.receiver.settimeout(2)
        self.addr = self.receiver.getsockname()
        self.batcher = DatagramBatcher(transport)
        self.key = key
        self.outbound = _srtp("SSRC_ANY_OUTBOUND", key)
        self.inbound = _srtp("SSRC_ANY_INBOUND", key)
        self.results: list = []

    def receive(self, count: int) -> list[bytes]:
        return [self.receiver.recv(2048) for _ in range(count)]

    def sent(self, frame: RtpFrame, result) -> None:  # fanout_group.BatchedPath
        self.results.append(self.batcher.finish(frame, self.outbound, self.addr, result))

    def close(self) -> None:
        self.batcher.close()
        self.receiver.close()


@pytest.fixture
async def subscribers():
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(_Sink, local_addr=("127.0.0.1", 0))
    made = [_Subscriber(transport, key) for key in range(3)]
    yield made
    for subscriber in made:
        subscriber.close()
    transport.close()


@native
async def test_one_call_sends_each_subscriber_what_its_own_paths_send(subscribers):
    frames = [_rtp_frame(n, _CHUNKS, 65533 - n) for n in range(3)]  # sequence numbers wrap inside the frame
    batch = FanoutBatch()
    for subscriber, frame in zip(subscribers, frames):
        target = subscriber.batcher.target(frame, subscriber.outbound, subscriber.addr)
        assert target is not None
        batch.add(subscriber, frame, target)
    assert len(batch) == 3
    batch.flush()
    assert len(batch) == 0
    from_group = [s.receive(5) for s in subscribers]
    for subscriber, frame, datagrams in zip(subscribers, frames, from_group):
        assert subscriber.results == [(5, sum(map(len, datagrams)))]
        assert subscriber.batcher.calls == 1, "one sendmsg with segmentation offload per subscriber"
        assert [subscriber.inbound.unprotect(d) for d in datagrams] == frame.packets()
    # the same frames through each subscriber's own C call, then through Python, with fresh
    # SRTP sessions of the same keys: byte for byte the same datagrams
    for subscriber, frame, datagrams in zip(subscribers, frames, from_group):
        subscriber.batcher.send_frame(frame, _srtp("SSRC_ANY_OUTBOUND", subscriber.key), subscriber.addr)
        assert subscriber.receive(5) == datagrams
        subscriber.batcher._native = False
        subscriber.batcher.send_frame(frame, _srtp("SSRC_ANY_OUTBOUND", subscriber.key), subscriber.addr)
        assert subscriber.receive(5) == datagrams


@native
async def test_sequence_numbers_continue_across_calls_on_one_srtp_session(subscribers):
    subscriber = subscribers[0]
    sequence = 65530
    for _ in range(4):  # 4 frames of 5 packets: through the wrap, each protected once on one session
        frame = _rtp_frame(0, _CHUNKS, sequence)
        batch = FanoutBatch()
        batch.add(subscriber, frame, subscriber.batcher.target(frame, subscriber.outbound, subscriber.addr))
        batch.flush()
        assert [subscriber.inbound.unprotect(d) for d in subscriber.receive(5)] == frame.packets()
        sequence = (sequence + 5) & 0xFFFF


@native
async def test_a_failing_subscriber_does_not_stop_the_others(subscribers, caplog):
    first, second, third = subscribers
    frames = [_rtp_frame(n, _CHUNKS, 100) for n in range(3)]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    too_long = _rtp_frame(2, (b"x" * 3000,), 100)
    batch = FanoutBatch()
    batch.add(first, frames[0], first.batcher.target(frames[0], first.outbound, first.addr))
    broken = list(second.batcher.target(frames[1], second.outbound, second.addr))
    broken[0] = listener.fileno()  # a socket that cannot send there: an error for this one only
    batch.add(second, frames[1], tuple(broken))
    batch.add(third, too_long, third.batcher.target(too_long, third.outbound, third.addr))  # refused before protecting
    batch.add(third, frames[2], third.batcher.target(frames[2], third.outbound, third.addr))
    results = datagram_batch._fanout.send_frames(list(batch._targets))
    assert results[1][3] != 0 and results[1][4], "the error and the datagrams it did not send"
    assert results[2] is None
    batch.flush()  # the refused one goes the Python way, which refuses it too: logged, the rest goes on
    assert "failed after the fan-out" in caplog.text
    assert [first.inbound.unprotect(d) for d in first.receive(5)] == frames[0].packets()
    assert [third.inbound.unprotect(d) for d in third.receive(5)] == frames[2].packets()
    listener.close()


def test_send_frames_refuses_what_is_not_a_target():
    if not NATIVE:
        pytest.skip("media._fanout is not built")
    assert datagram_batch._fanout.send_frames([]) == []
    assert datagram_batch._fanout.send_frames([(1, 2), "x", None, (0,) * 13]) == [None, None, None, None]
    with pytest.raises(TypeError):
        datagram_batch._fanout.send_frames(7)


@native
async def test_a_blocked_subscriber_queues_its_datagrams_and_sends_on_its_own_until_drained(subscribers):
    subscriber = subscribers[0]
    frame = _rtp_frame(0, _CHUNKS, 1)
    protected = _srtp("SSRC_ANY_OUTBOUND", 0).protect(frame.packets())
    # what send_frames returns when the socket would block after the first two datagrams
    subscriber.sent(frame, (5, sum(map(len, protected)), 1, errno.EAGAIN, protected[2:]))
    assert subscriber.receive(3) == protected[2:], "the rest goes through the transport (queued if need be)"
    transport = subscriber.batcher.transport
    transport.get_write_buffer_size = lambda: 4096  # still draining
    assert subscriber.batcher.target(frame, subscriber.outbound, subscriber.addr) is None
    del transport.get_write_buffer_size
    assert subscriber.batcher.target(frame, subscriber.outbound, subscriber.addr) is not None


# --------------------------------------------------------------------------- real aiortc peers


@pytest.fixture(params=["c", "python"])
def send_path(request, monkeypatch):
    if request.param == "c" and not NATIVE:
        pytest.skip("media._fanout is not built")
    if request.param == "python":
        monkeypatch.setattr(datagram_batch, "NATIVE", False)
    calls: list[int] = []
    if request.param == "c":
        real = datagram_batch._fanout

        class Counting:
            STRIDE = real.STRIDE
            send_frame = staticmethod(real.send_frame)

            @staticmethod
            def send_frames(targets):
                calls.append(len(targets))
                return real.send_frames(targets)

        monkeypatch.setattr(datagram_batch, "_fanout", Counting)
    return request.param, calls


async def test_every_subscriber_decodes_with_continuous_sequences_when_one_leaves_mid_stream(send_path):
    path, calls = send_path
    async with AsyncExitStack() as stack:
        links, received = [], []
        for _ in range(3):
            frames_in: list = []
            received.append(frames_in)

            def tap(receiver, frames_in=frames_in):
                aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: frames_in.append(frame))

            links.append(await stack.enter_async_context(forwarding_link(tap)))
        first_sequences = [forwarding._sequence for _, forwarding, _ in links]
        frames = vp8_frames(12)
        for index, data in enumerate(frames):
            if index == 6:
                links[1][0].stop()  # the second subscriber leaves (its m-line's track ends)
            fan_out(EncodedFrame("video", "VP8", data, index * 3000, 90000, keyframe=is_vp8_keyframe(data)),
                    [track for track, _, _ in links])
            await asyncio.sleep(1 / 30)
        if path == "c":
            assert calls == [3] * 6 + [2] * 6, "one C call per frame for all ready subscribers"
        assert await wait_until(lambda: len(received[0]) >= 11 and len(received[2]) >= 11)
        decoder = get_decoder(RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96))
        for n in (0, 2):
            assert [f.data for f in received[n]] == frames[: len(received[n])]
            assert {b.timestamp - a.timestamp for a, b in zip(received[n], received[n][1:])} == {3000}
            assert all(decoder.decode(f) for f in received[n])
        assert [f.data for f in received[1]] == frames[: len(received[1])] and len(received[1]) <= 6
        for (track, forwarding, sender), first in zip(links, first_sequences):
            assert (forwarding._sequence - first) & 0xFFFF == forwarding.packets_sent & 0xFFFF
            _, _, packets, _ = aiortc_internals.sender_report_counters(sender)
            assert packets == forwarding.packets_sent
            last = forwarding._sent[-1]
            assert forwarding._sent_packet(last.sequence) == last.packet(0), "NACK history of what was sent"
        assert links[0][1].frames_sent == 12 and links[2][1].frames_sent == 12 and links[1][1].frames_sent == 6
        assert links[0][2].transport._RTCDtlsTransport__tx_packets >= links[0][1].packets_sent


async def test_a_nack_for_a_frame_sent_in_the_fan_out_is_answered_with_rtx(send_path):
    received, receivers = [], []

    def tap(receiver):
        receivers.append(receiver)
        aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: received.append(frame))

    async with forwarding_link(tap) as (track, forwarding, sender):
        for index, data in enumerate(vp8_frames(3)):
            fan_out(EncodedFrame("video", "VP8", data, index * 3000, 90000, keyframe=is_vp8_keyframe(data)), [track])
        assert await wait_until(lambda: len(received) >= 2)
        sent: list[bytes] = []
        transport = sender.transport
        original = transport._send_rtp

        async def spy(data: bytes) -> None:
            sent.append(data)
            await original(data)

        sequence = (forwarding._sequence - 2) & 0xFFFF
        transport._send_rtp = spy
        try:
            await receivers[0]._send_rtcp_nack(aiortc_internals.sender_ssrc(sender), [sequence])
            assert await wait_until(lambda: any(not 192 <= d[1] <= 223 for d in sent))
        finally:
            del transport._send_rtp
        rtx = next(d for d in sent if not 192 <= d[1] <= 223)
        _, extensions, rtx_payload_type = aiortc_internals.sender_parameters(sender)
        packet = RtpPacket.parse(rtx, extensions)
        assert packet.payload_type == rtx_payload_type
        assert int.from_bytes(packet.payload[:2], "big") == sequence


def test_no_batch_without_the_c_path(monkeypatch):
    monkeypatch.setattr(datagram_batch, "NATIVE", False)
    assert fanout_group.new_batch() is None


def test_what_was_added_is_sent_even_if_a_later_track_raises(monkeypatch):
    flushed = []

    class Batch:
        def flush(self):
            flushed.append(True)

    class Track:
        def deliver(self, frame, batch):
            raise RuntimeError("broken subscriber")

    monkeypatch.setattr(fanout_group, "new_batch", Batch)
    with pytest.raises(RuntimeError):
        fan_out(object(), [Track()])
    assert flushed == [True]
