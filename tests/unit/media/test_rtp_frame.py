"""RtpFrame: one frame's RTP packets for one subscriber, described once."""

from struct import Struct

import pytest
from aiortc.rtp import RtpPacket

from media.rtp_frame import RtpFrame

HEADER = Struct("!BBHLL")


def frame(sequence: int = 65534, chunks=(b"a" * 5, b"b" * 5, b"c" * 2)) -> RtpFrame:
    return RtpFrame(HEADER.pack(0x80, 96, sequence, 123456, 0xCAFE), b"", b"\x90\x80\x81\x02", b"\x80\x80\x81\x02",
                    tuple(chunks))


def test_packets_number_on_across_the_wrap_and_mark_the_last():
    packets = [RtpPacket.parse(p) for p in frame().packets()]
    assert [p.sequence_number for p in packets] == [65534, 65535, 0]
    assert [p.marker for p in packets] == [0, 0, 1]
    assert {(p.timestamp, p.ssrc, p.payload_type) for p in packets} == {(123456, 0xCAFE, 96)}
    assert [p.payload for p in packets] == [b"\x90\x80\x81\x02aaaaa", b"\x80\x80\x81\x02bbbbb", b"\x80\x80\x81\x02cc"]


def test_one_packet_frame_is_marked_and_counts_payload_octets():
    single = frame(chunks=(b"opus",))
    assert RtpPacket.parse(single.packet(0)).marker == 1
    assert single.payload_octets == 8
    assert frame().payload_octets == 4 * 3 + 12
    assert frame(chunks=()).payload_octets == 0


def test_a_packet_outside_the_frame_is_refused():
    with pytest.raises(IndexError):
        frame().packet(3)
