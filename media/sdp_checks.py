"""Parsing and checks of SDP from clients, raising media errors."""

from __future__ import annotations

from aiortc import sdp as aiortc_sdp

from .errors import InvalidSdpError


def parse_sdp(text: str, expected_type: str) -> aiortc_sdp.SessionDescription:
    if not isinstance(text, str) or not text.strip():
        raise InvalidSdpError(f"empty {expected_type}")
    try:
        description = aiortc_sdp.SessionDescription.parse(text)
    except Exception as exc:
        raise InvalidSdpError(f"unparsable {expected_type}: {exc}") from None
    if not description.media:
        raise InvalidSdpError(f"{expected_type} has no media sections")
    return description


def ice_ufrag(description: aiortc_sdp.SessionDescription) -> str | None:
    for media in description.media:
        if media.ice and media.ice.usernameFragment:
            return media.ice.usernameFragment
    return None


def media_kinds(description: aiortc_sdp.SessionDescription) -> list[tuple[str, str]]:
    """``(mid, kind)`` of every audio/video section."""
    return [(m.rtp.muxId, m.kind) for m in description.media if m.kind in ("audio", "video")]
