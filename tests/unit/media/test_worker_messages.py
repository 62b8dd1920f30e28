"""The media worker channel's one serialise / parse pair."""

from __future__ import annotations

import pytest

from media.worker_messages import (
    Answer,
    Candidate,
    CloseRoom,
    MessageError,
    Offer,
    ParticipantFailed,
    Ready,
    Remove,
    Result,
    ServerOffer,
    SetPaused,
    SetReceiving,
    SpeakerChanged,
    dump,
    parse,
)

EVERY_MESSAGE = [
    Offer(request=1, room="r", participant="p", sdp="v=0\r\n"),
    Answer(request=2, room="r", participant="p", sdp="v=0\r\n"),
    Candidate(request=3, room="r", participant="p", candidate={"candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host",
                                                                "sdpMid": "0", "sdpMLineIndex": 0}),
    Candidate(request=4, room="r", participant="p", candidate=None),
    SetPaused(room="r", participant="p", kind="video", paused=True),
    SetReceiving(room="r", participant="p", kind="video", receiving=False),
    Remove(request=5, room="r", participant="p"),
    CloseRoom(request=6, room="r"),
    Ready(pid=42),
    Result(request=1, sdp="v=0\r\n", participants=["p", "q"]),
    Result(request=2, code="negotiation_collision", message="an offer awaits its answer", participants=["p"]),
    ServerOffer(room="r", participant="p", sdp="v=0\r\n"),
    SpeakerChanged(room="r", participant=None),
    ParticipantFailed(room="r", participant="p", code="negotiation_timeout", message="no answer"),
]


@pytest.mark.parametrize("message", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
def test_every_message_survives_the_wire(message):
    line = dump(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one line, whatever the SDP holds
    assert parse(line) == message


def test_a_result_says_whether_it_succeeded():
    assert Result(request=1).ok and not Result(request=1, code="invalid_sdp").ok


@pytest.mark.parametrize("line", [b"", b"not json", b"[]", b'{"type": "Nope"}', b'{"room": "r"}',
                                  b'{"type": "Remove", "request": 1, "room": "r"}',
                                  b'{"type": "Remove", "request": 1, "room": "r", "participant": "p", "x": 1}'])
def test_anything_else_is_refused_by_name(line):
    with pytest.raises(MessageError):
        parse(line)
