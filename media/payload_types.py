"""Keeping RTP payload types stable across renegotiation.

aiortc's ``createOffer`` numbers codecs from its own fixed table (Opus 96, VP8 97, its RTX 98),
while a browser numbers them its own way (Chrome: VP8 96, RTX 97, Opus 111). A browser sends with
the payload types of the latest remote description, so after a server offer in aiortc's numbering
it switches the tracks it publishes to new payload types. aiortc's receivers, though, keep the
payload-type table of their first start and its RTP router matches SSRC *and* payload type: the
publisher's packets are dropped from then on (Opus arrives as "96", which is the browser's VP8;
VP8 as "97", which is the browser's RTX). So the server's offers are rewritten to the numbering
the participant already uses; its answer keeps that numbering and aiortc takes the answer's
payload types for its senders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([^/\s]+)/(\d+)(?:/(\d+))?")
_FMTP_APT = re.compile(r"(?:^|;)\s*apt=(\d+)")
_PT_ATTRIBUTE = re.compile(r"^a=(rtpmap|fmtp|rtcp-fb):(\d+)(.*)$")
_MEDIA = re.compile(r"^m=(audio|video) (\S+) (\S+)((?: \d+)*)$")
_DYNAMIC = (*range(96, 128), *range(35, 64))

# ("vp8", 90000, None), ("opus", 48000, 2); RTX: ("rtx", <key of its base codec>)
CodecKey = tuple


def _sections(sdp: str) -> list[list[str]]:
    sections: list[list[str]] = [[]]
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append([])
        sections[-1].append(line.strip())
    return sections[1:]


def _codec_keys(section: Iterable[str]) -> dict[int, CodecKey]:
    """Payload type -> codec key for one m-section."""
    base: dict[int, CodecKey] = {}
    rtx: dict[int, int | None] = {}
    apt: dict[int, int] = {}
    for line in section:
        match = _RTPMAP.match(line)
        if match:
            pt, name = int(match.group(1)), match.group(2).lower()
            channels = int(match.group(4)) if match.group(4) else None
            if name == "rtx":
                rtx[pt] = None
            else:
                base[pt] = (name, int(match.group(3)), channels)
        elif line.startswith("a=fmtp:"):
            head, _, params = line[len("a=fmtp:"):].partition(" ")
            found = _FMTP_APT.search(params)
            if head.isdigit() and found:
                apt[int(head)] = int(found.group(1))
    keys: dict[int, CodecKey] = dict(base)
    for pt in rtx:
        if apt.get(pt) in base:
            keys[pt] = ("rtx", base[apt[pt]])
    return keys


def payload_types(sdp: str) -> dict[CodecKey, int]:
    """The participant's numbering: codec key -> payload type, from their SDP (first use wins)."""
    numbering: dict[CodecKey, int] = {}
    for section in _sections(sdp):
        for pt, key in _codec_keys(section).items():
            numbering.setdefault(key, pt)
    return numbering


def _plan(sdp: str, numbering: dict[CodecKey, int]) -> dict[int, int]:
    """Our payload type -> the participant's (or a free one if theirs is unknown or taken)."""
    ours: dict[int, CodecKey] = {}
    for section in _sections(sdp):
        for pt, key in _codec_keys(section).items():
            ours.setdefault(pt, key)
    mapping = {pt: numbering[key] for pt, key in ours.items() if key in numbering}
    taken = set(numbering.values()) | set(mapping.values())
    for pt in ours:
        if pt in mapping:
            continue
        if pt not in taken:
            mapping[pt] = pt
        else:
            mapping[pt] = next(candidate for candidate in _DYNAMIC if candidate not in taken)
        taken.add(mapping[pt])
    return mapping


def renumber_payload_types(sdp: str, numbering: dict[CodecKey, int]) -> str:
    """Rewrite our offer's payload types (m= lines, rtpmap, fmtp incl. RTX ``apt``, rtcp-fb) to
    ``numbering``; codecs the participant never used keep ours unless that collides."""
    if not numbering:
        return sdp
    mapping = _plan(sdp, numbering)
    lines = []
    for line in sdp.split("\r\n"):
        media = _MEDIA.match(line)
        attribute = _PT_ATTRIBUTE.match(line)
        if media:
            formats = " ".join(str(mapping.get(int(pt), int(pt))) for pt in media.group(4).split())
            line = f"m={media.group(1)} {media.group(2)} {media.group(3)} {formats}"
        elif attribute:
            kind, pt, rest = attribute.group(1), int(attribute.group(2)), attribute.group(3)
            if kind == "fmtp":
                rest = re.sub(r"apt=(\d+)", lambda m: f"apt={mapping.get(int(m.group(1)), int(m.group(1)))}", rest)
            line = f"a={kind}:{mapping.get(pt, pt)}{rest}"
        lines.append(line)
    return "\r\n".join(lines)
