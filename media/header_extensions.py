"""Keeping RTP header-extension ids stable across renegotiation, and leaving out the
bandwidth-estimation feedback the SFU does not use.

aiortc numbers the extensions of every offer it makes from its own fixed table, while a browser's
first offer uses the browser's numbering; the answer aiortc gives keeps the browser's numbers.
Browsers (Chrome) refuse a later offer that gives a number already in use in the BUNDLE to another
extension. So the server's offers are rewritten to the numbering the participant already uses:
aiortc then applies the numbers of the participant's answer, which are the same."""

from __future__ import annotations

import re

_EXTMAP = re.compile(r"^a=extmap:(\d+)(/\w+)? (\S+)(.*)$")
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
_REMB = re.compile(r"^a=rtcp-fb:\S+ goog-remb$")


def extension_ids(sdp: str) -> dict[str, int]:
    """The participant's numbering: extension URI → id, from their SDP."""
    ids: dict[str, int] = {}
    for line in sdp.splitlines():
        match = _EXTMAP.match(line.strip())
        if match:
            ids.setdefault(match.group(3), int(match.group(1)))
    return ids


def renumber(sdp: str, ids: dict[str, int]) -> str:
    """Rewrite our offer's extmap lines to ``ids``; drop extensions the participant never offered."""
    if not ids:
        return sdp
    lines = []
    for line in sdp.split("\r\n"):
        match = _EXTMAP.match(line)
        if match is None:
            lines.append(line)
        elif match.group(3) in ids:
            lines.append(f"a=extmap:{ids[match.group(3)]}{match.group(2) or ''} {match.group(3)}{match.group(4)}")
    return "\r\n".join(lines)


def without_bandwidth_feedback(sdp: str) -> str:
    """Our offer without abs-send-time and goog-remb: forwarded media has no congestion
    control (no simulcast, no encoder to steer), so receiver estimates (REMB) would only
    cost every subscriber and the server an RTCP packet or two a second for nothing."""
    kept = []
    for line in sdp.split("\r\n"):
        match = _EXTMAP.match(line)
        if (match is not None and match.group(3) == ABS_SEND_TIME) or _REMB.match(line):
            continue
        kept.append(line)
    return "\r\n".join(kept)
