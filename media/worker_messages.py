"""What a media worker process and its parent say to each other: one JSON object a line over a local
socket, each a frozen dataclass with a ``type`` tag. ``dump`` and ``parse`` are the one serialise /
parse pair; nothing else touches the wire format.

Commands (parent -> worker) that expect a result carry ``request``; the worker answers each with one
``Result`` of the same ``request``. Events (worker -> parent) name the room they come from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any


LINE_LIMIT = 16 * 1024 * 1024  # longest line either side reads: a 12-person room's offers are tens of KB


class MessageError(ValueError):
    """A line that is not a message of this protocol."""


# parent -> worker
@dataclass(frozen=True)
class Offer:
    request: int
    room: str
    participant: str
    sdp: str


@dataclass(frozen=True)
class Answer:
    request: int
    room: str
    participant: str
    sdp: str


@dataclass(frozen=True)
class Candidate:
    request: int
    room: str
    participant: str
    candidate: dict[str, Any] | None


@dataclass(frozen=True)
class SetPaused:
    room: str
    participant: str
    kind: str
    paused: bool


@dataclass(frozen=True)
class SetReceiving:
    room: str
    participant: str
    kind: str
    receiving: bool


@dataclass(frozen=True)
class Remove:
    request: int
    room: str
    participant: str


@dataclass(frozen=True)
class CloseRoom:
    request: int
    room: str


# worker -> parent
@dataclass(frozen=True)
class Ready:
    pid: int


@dataclass(frozen=True)
class Result:
    """The outcome of one command: ``sdp`` for an offer; a failure has the media error's ``code``."""

    request: int
    sdp: str | None = None
    code: str | None = None
    message: str = ""
    participants: list[str] | None = None  # who is in the room after the command

    @property
    def ok(self) -> bool:
        return self.code is None


@dataclass(frozen=True)
class ServerOffer:
    room: str
    participant: str
    sdp: str


@dataclass(frozen=True)
class SpeakerChanged:
    room: str
    participant: str | None


@dataclass(frozen=True)
class ParticipantFailed:
    room: str
    participant: str
    code: str
    message: str = ""


Command = Offer | Answer | Candidate | SetPaused | SetReceiving | Remove | CloseRoom
Event = Ready | Result | ServerOffer | SpeakerChanged | ParticipantFailed
Message = Command | Event

_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    Offer, Answer, Candidate, SetPaused, SetReceiving, Remove, CloseRoom,
    Ready, Result, ServerOffer, SpeakerChanged, ParticipantFailed,
)}


def dump(message: Message) -> bytes:
    """One line of the wire format."""
    return json.dumps({"type": type(message).__name__, **asdict(message)}, separators=(",", ":")).encode() + b"\n"


def parse(line: bytes) -> Message:
    try:
        data = json.loads(line)
        cls = _TYPES[data.pop("type")]
        names = {f.name for f in fields(cls)}
        if not names.issuperset(data):
            raise MessageError(f"unknown fields for {cls.__name__}: {sorted(set(data) - names)}")
        return cls(**data)
    except MessageError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise MessageError(f"not a media worker message: {error}") from None
