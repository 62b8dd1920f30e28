"""ForwardingSender between two real aiortc peers: what is forwarded arrives byte for
byte, decodes, answers NACKs with RTX and feeds aiortc's sender reports."""

import asyncio
import fractions
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import av
import pytest
from aiortc.codecs import get_decoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from media import aiortc_internals
from media.codec_inspect import codec_preferences, is_vp8_keyframe
from media.encoded_frame import EncodedFrame
from media.forwarding_sender import ForwardingSender
from media.forwarding_track import ForwardingTrack
from tests.integration.media.harness import peer_connection


def vp8_frames(count: int) -> list[bytes]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 320, 240, "yuv420p"
    codec.time_base = fractions.Fraction(1, 30)
    codec.bit_rate = 2_000_000  # large frames: several RTP packets each
    codec.options = {"deadline": "realtime", "lag-in-frames": "0"}
    frames = []
    for index in range(count):
        frame = av.VideoFrame(320, 240, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes((index * 5 + i * 31) & 0xFF for i in range(plane.buffer_size)))
        frame.pts = index
        frames += [bytes(p) for p in codec.encode(frame)]
    return frames


async def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


@asynccontextmanager
async def forwarding_link(on_receiver: Callable) -> AsyncIterator[tuple[ForwardingTrack, ForwardingSender, Any]]:
    """A server peer forwarding one VP8 ForwardingTrack to a client peer, whose receiver goes to
    ``on_receiver`` (to tap it) before any media arrives; both peers close on the way out."""
    server, client = peer_connection(), peer_connection()
    track = ForwardingTrack("video", capacity=30)
    track.switch_source(None)
    transceiver = server.addTransceiver(track, direction="sendonly")
    transceiver.setCodecPreferences(codec_preferences("video", "video/VP8"))
    forwarding = ForwardingSender(transceiver.sender, track)

    @client.on("track")
    def on_track(remote):
        on_receiver(next(t.receiver for t in client.getTransceivers() if t.receiver.track is remote))

    try:
        await server.setLocalDescription(await server.createOffer())
        await client.setRemoteDescription(server.localDescription)
        await client.setLocalDescription(await client.createAnswer())
        await server.setRemoteDescription(client.localDescription)
        assert await wait_until(forwarding.ready), "the sender loop never started"
        yield track, forwarding, transceiver.sender
    finally:
        await asyncio.wait_for(client.close(), 5)  # a tapped decoder thread still gets its stop sentinel
        await asyncio.wait_for(server.close(), 5)


@pytest.fixture
async def link():
    """Forwarding to a client peer that taps encoded frames before aiortc's decoder."""
    received, receivers = [], []

    def tap(receiver):
        receivers.append(receiver)
        aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: received.append(frame))

    async with forwarding_link(tap) as (track, forwarding, sender):
        yield track, forwarding, sender, received, receivers


async def test_frames_arrive_intact_in_order_and_decode(link):
    track, forwarding, sender, received, _ = link
    frames = vp8_frames(12)
    assert is_vp8_keyframe(frames[0]) and max(map(len, frames)) > 2600
    for index, data in enumerate(frames):
        track.deliver(EncodedFrame("video", "VP8", data, index * 3000, 90000, keyframe=is_vp8_keyframe(data)))
        await asyncio.sleep(1 / 30)
    # aiortc's jitter buffer emits a frame when the next one starts: all but the last
    assert await wait_until(lambda: len(received) >= len(frames) - 1)
    assert [f.data for f in received] == frames[: len(received)]
    steps = {b.timestamp - a.timestamp for a, b in zip(received, received[1:])}
    assert steps == {3000}
    decoder = get_decoder(RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96))
    for frame in received:
        assert decoder.decode(frame), "a forwarded frame did not decode"
    assert forwarding.frames_sent == len(frames) and forwarding.packets_sent > len(frames)
    ntp, rtp_timestamp, packets, octets = aiortc_internals.sender_report_counters(sender)
    assert ntp > 0 and packets == forwarding.packets_sent and octets > sum(map(len, frames))


async def test_a_nack_is_answered_with_an_rtx_retransmission(link):
    track, forwarding, sender, received, receivers = link
    sent: list[bytes] = []
    transport = sender.transport
    original = transport._send_rtp

    async def spy(data: bytes) -> None:
        sent.append(data)
        await original(data)

    frames = vp8_frames(3)
    for index, data in enumerate(frames):
        track.deliver(EncodedFrame("video", "VP8", data, index * 3000, 90000, keyframe=is_vp8_keyframe(data)))
    assert await wait_until(lambda: len(received) >= 2)
    _, extensions, rtx_payload_type = aiortc_internals.sender_parameters(sender)
    assert rtx_payload_type is not None
    sequence = (forwarding._sequence - 2) & 0xFFFF  # a packet of the last frame
    transport._send_rtp = spy
    try:
        await receivers[0]._send_rtcp_nack(aiortc_internals.sender_ssrc(sender), [sequence])
        assert await wait_until(lambda: any(not 192 <= d[1] <= 223 for d in sent))
    finally:
        del transport._send_rtp
    rtx = RtpPacket.parse(next(d for d in sent if not 192 <= d[1] <= 223), extensions)
    assert rtx.payload_type == rtx_payload_type
    assert rtx.ssrc == aiortc_internals.sender_rtx_ssrc(sender)
    assert int.from_bytes(rtx.payload[:2], "big") == sequence
