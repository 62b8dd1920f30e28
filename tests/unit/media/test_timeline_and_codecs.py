import av
import fractions
import pytest

from media.codec_inspect import is_h264_keyframe, is_keyframe, is_vp8_frame_complete, is_vp8_keyframe
from media.encoded_frame import EncodedFrame
from media.timeline import TimestampRewriter


def test_timestamps_continue_across_a_source_switch():
    rewriter = TimestampRewriter(90000)
    assert rewriter.rewrite(500_000, now=10.0) == 0
    assert rewriter.rewrite(503_000, now=10.033) == 3000
    rewriter.rebase()
    assert rewriter.rewrite(7, now=11.033) == 3000 + 90000  # one second later
    assert rewriter.rewrite(3007, now=11.066) == 96000


def vp8_frames(count: int) -> list[bytes]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 64, 48, "yuv420p"
    codec.time_base = fractions.Fraction(1, 30)
    codec.gop_size = 100
    frames = []
    for index in range(count):
        frame = av.VideoFrame(64, 48, "yuv420p")
        frame.pts = index
        frames += [bytes(p) for p in codec.encode(frame)]
    return frames


def test_vp8_keyframes_and_completeness():
    frames = vp8_frames(5)
    assert is_vp8_keyframe(frames[0]) and not is_vp8_keyframe(frames[1])
    assert all(map(is_vp8_frame_complete, frames))
    assert not is_vp8_frame_complete(frames[0][:8])
    assert not is_vp8_frame_complete(b"\x00")


def test_h264_idr_detection_and_audio_always_decodable():
    assert is_h264_keyframe(b"\x00\x00\x00\x01\x67\x00\x00\x00\x01\x65\x88")
    assert not is_h264_keyframe(b"\x00\x00\x00\x01\x41\x9a")
    assert is_keyframe("opus", b"\x01")


def test_encoded_frame_becomes_a_packet_in_its_clock():
    frame = EncodedFrame("video", "VP8", b"abc", 9000, 90000, keyframe=False)
    packet = frame.to_packet(1234)
    assert bytes(packet) == b"abc" and packet.pts == 1234 and packet.time_base == fractions.Fraction(1, 90000)
    with pytest.raises(ValueError):
        EncodedFrame("data", "VP8", b"", 0, 90000, keyframe=True)
