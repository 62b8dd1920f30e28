"""The publisher's receive path (aiortc_internals.LeanRtpReceive / SrtpIntake) between two
real aiortc peers: packets are taken from the UDP callback once the stream is known,
frames reach the tap intact and in order, a lost packet is NACKed and recovered by RTX,
aiortc's receiver statistics still count, and the stop sentinel still ends the receiver."""

import asyncio

from media import aiortc_internals
from media.codec_inspect import is_vp8_keyframe
from media.encoded_frame import EncodedFrame
from media.receiver_tap import ReceiverTap
from tests.unit.media.test_forwarding_sender import forwarding_link, vp8_frames, wait_until


async def test_packets_are_taken_from_the_socket_nacked_and_recovered_by_rtx():
    received: list[EncodedFrame] = []
    taps: list[ReceiverTap] = []
    receivers = []

    def tap(receiver):
        receivers.append(receiver)
        taps.append(ReceiverTap(receiver, "video", received.append))

    async with forwarding_link(tap) as (track, forwarding, sender):
        frames = vp8_frames(8)
        direct = forwarding._direct_path()
        batcher = direct._batcher
        send_frame = batcher.send_frame
        dropped = []

        def lossy(rtp, srtp, addr):  # lose the second packet of the fifth frame once
            if forwarding.frames_sent == 5 and not dropped:
                datagrams = srtp.protect(rtp.packets())
                dropped.append(datagrams.pop(1))
                return len(datagrams) + 1, batcher.send(datagrams, addr)
            return send_frame(rtp, srtp, addr)

        batcher.send_frame = lossy
        for index, data in enumerate(frames):
            track.deliver(EncodedFrame("video", "VP8", data, index * 3000, 90000, keyframe=is_vp8_keyframe(data)))
            await asyncio.sleep(1 / 30)
        assert dropped
        assert await wait_until(lambda: len(received) >= len(frames) - 1)
        assert [f.data for f in received] == frames[: len(received)], "a frame was lost or reordered"

        receiver = receivers[0]
        intake = aiortc_internals.SrtpIntake.of(receiver.transport)
        assert intake.receivers == 1 and intake.taken > len(frames), "packets still go through aioice's queue"
        report = list((await receiver.getStats()).values())
        # aiortc reports one inbound-rtp entry per receiver: the last stream seen, here the RTX one
        inbound = next(s for s in report if s.type == "inbound-rtp")
        assert (inbound.ssrc, inbound.packetsReceived) == (aiortc_internals.sender_rtx_ssrc(sender), 1)
        transport = next(s for s in report if s.type == "transport")
        assert transport.packetsReceived >= forwarding.packets_sent, "DTLS transport counters not fed"
    for tap in taps:
        tap.close()
