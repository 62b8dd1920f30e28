"""Keeping RTP header-extension ids stable across renegotiation.

aiortc numbers the extensions of every offer it makes from its own fixed table, while a browser's
first offer uses the browser's numbering; the answer aiortc gives keeps the browser's numbers.
Browsers (Chrome) refuse a later offer that gives a number already in use in the BUNDLE to another
extension. So the server's offers are rewritten to the numbering the participant already uses:
aiortc then applies the numbers of the participant's answer, which are the same."""

from __future__ import annotations

import re

_EXTMAP = re.compile(r"^a=extmap:(\d+)(/\w+)? (\S+)(.*)$")


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
