"""Keyframe detection on depayloaded encoded frames (no decoding)."""

from __future__ import annotations

from aiortc import RTCRtpCodecCapability, RTCRtpSender

_VP8_START_CODE = b"\x9d\x01\x2a"
_H264_IDR = 5


def is_vp8_keyframe(data: bytes) -> bool:
    """A VP8 frame tag with P=0 followed by the start code (RFC 6386 9.1)."""
    return len(data) >= 6 and not data[0] & 0x01 and data[3:6] == _VP8_START_CODE


def is_vp8_frame_complete(data: bytes) -> bool:
    """Whether the VP8 frame header is consistent with the data (RFC 6386 9.1).

    A frame whose first packets were lost (a jitter buffer resynchronising
    mid-frame after loss) fails this check; forwarding it would only make
    every subscriber's decoder fail.
    """
    if len(data) < 3:
        return False
    tag = data[0] | data[1] << 8 | data[2] << 16
    keyframe = not tag & 0x01
    version = (tag >> 1) & 0x07
    first_partition = (tag >> 5) & 0x7FFFF
    header = 10 if keyframe else 3
    if version > 3 or header + first_partition > len(data):
        return False
    return not keyframe or data[3:6] == _VP8_START_CODE


def is_frame_complete(codec_name: str, data: bytes) -> bool:
    return is_vp8_frame_complete(data) if codec_name.lower() == "vp8" else True


def _h264_nal_types(data: bytes) -> list[int]:
    types = []
    index = data.find(b"\x00\x00\x01")
    while index != -1 and index + 3 < len(data):
        types.append(data[index + 3] & 0x1F)
        index = data.find(b"\x00\x00\x01", index + 3)
    return types


def is_h264_keyframe(data: bytes) -> bool:
    """An Annex-B access unit holding an IDR slice."""
    return _H264_IDR in _h264_nal_types(data)


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Whether ``data`` can start decoding; audio frames always can."""
    name = codec_name.lower()
    if name == "vp8":
        return is_vp8_keyframe(data)
    if name == "h264":
        return is_h264_keyframe(data)
    return True


def codec_preferences(kind: str, mime_type: str) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for ``kind`` limited to ``mime_type`` (and RTX)."""
    wanted = {mime_type.lower(), f"{kind}/rtx"}
    return [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() in wanted]
