import asyncio
import time

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack
from hypothesis import given
from hypothesis import strategies as st

from loadtest.camera import PatternTrack
from loadtest.header_counter import HeaderCounter, StreamCounter

VIDEO_SSRC, AUDIO_SSRC, RTX_SSRC = 1111, 2222, 3333
OFFER = f"""v=0
o=- 1 1 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=mid:0
a=msid:alice audio-track
a=rtpmap:111 opus/48000/2
a=ssrc:{AUDIO_SSRC} cname:x
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 0.0.0.0
a=mid:1
a=msid:bob video-track
a=rtpmap:96 VP8/90000
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=ssrc-group:FID {VIDEO_SSRC} {RTX_SSRC}
a=ssrc:{VIDEO_SSRC} cname:x
a=ssrc:{RTX_SSRC} cname:x
"""


def rtp(ssrc: int, seq: int, marker: bool = False, payload_type: int = 96) -> bytes:
    return (bytes([0x80, payload_type | (0x80 if marker else 0)]) + (seq & 0xFFFF).to_bytes(2, "big")
            + (0).to_bytes(4, "big") + ssrc.to_bytes(4, "big") + b"\x00" * 100)


def counter() -> tuple[StreamCounter, list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []
    c = StreamCounter(lambda publisher, kind, at: seen.append((publisher, kind)))
    c.learn(OFFER)
    return c, seen


def frame(c: StreamCounter, first_seq: int, packets: int) -> None:
    for n in range(packets):
        c.packet(rtp(VIDEO_SSRC, first_seq + n, marker=n == packets - 1))


def test_a_video_frame_counts_once_its_last_packet_arrives_after_all_others():
    c, seen = counter()
    frame(c, 10, 3)  # we joined at its first packet but cannot know that: not counted
    frame(c, 13, 3)
    frame(c, 16, 1)
    assert seen == [("bob", "video")] * 2
    assert c.lost == 0


def test_a_frame_with_a_missing_packet_is_not_counted_and_the_loss_is():
    c, seen = counter()
    frame(c, 0, 2)
    c.packet(rtp(VIDEO_SSRC, 2))
    c.packet(rtp(VIDEO_SSRC, 4, marker=True))  # 3 lost
    frame(c, 5, 2)
    assert seen == [("bob", "video")]
    assert c.lost == 1


def test_sequence_numbers_wrap():
    c, seen = counter()
    frame(c, 0xFFFE, 1)
    frame(c, 0xFFFF, 2)
    assert seen == [("bob", "video")] and c.lost == 0


def test_audio_counts_every_packet_and_rtcp_rtx_and_unknown_streams_pass_through():
    c, seen = counter()
    assert c.packet(rtp(AUDIO_SSRC, 1, payload_type=111))
    assert not c.packet(rtp(RTX_SSRC, 1, payload_type=97))
    assert not c.packet(rtp(4444, 1))
    assert not c.packet(bytes([0x80, 200]) + b"\x00" * 26)  # an RTCP sender report
    assert not c.packet(b"\x16\xfe\xfd" + b"\x00" * 20)  # DTLS
    assert seen == [("alice", "audio")]


@given(st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=40), st.sets(st.integers(0, 200)))
def test_counted_frames_are_exactly_the_complete_ones_after_the_first(sizes, dropped):
    c, seen = counter()
    seq, complete = 0, 0
    for index, size in enumerate(sizes):
        kept = [s for s in range(seq, seq + size) if s not in dropped]
        # a frame counts when none of its packets, nor the previous frame's marker, went missing
        previous_marker_arrived = index > 0 and (seq - 1) not in dropped
        complete += previous_marker_arrived and len(kept) == size
        for s in kept:
            c.packet(rtp(VIDEO_SSRC, s, marker=s == seq + size - 1))
        seq += size
    assert len(seen) == complete


async def test_counts_a_real_aiortc_peers_frames_without_decoding_them():
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    camera = PatternTrack(fps=15)
    sender.addTrack(camera)
    sender.addTrack(AudioStreamTrack())
    counted: dict[str, list[float]] = {"video": [], "audio": []}
    try:
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        headers = HeaderCounter(receiver, lambda publisher, kind, at: counted[kind].append(at))
        headers.learn(sender.localDescription.sdp)
        await sender.setRemoteDescription(receiver.localDescription)
        deadline = time.monotonic() + 20
        while len(counted["video"]) < 30 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        video, audio = counted["video"], counted["audio"]
        assert len(video) >= 30, counted
        assert len(video) <= camera._index  # never more frames than the camera made
        fps = (len(video) - 1) / (video[-1] - video[0])
        assert 12 <= fps <= 18
        assert len(audio) > 50  # 20 ms packets over the same ~2 s
        assert headers.lost == 0
    finally:
        await sender.close()
        await receiver.close()
