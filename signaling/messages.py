"""Typed payloads of every Socket.IO event, inbound and outbound (see docs/protocol.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ParticipantId = Field(min_length=1, max_length=64)


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Empty(Inbound):
    pass


class Target(Inbound):
    participant_id: str = ParticipantId


class Lock(Inbound):
    locked: bool


class MediaState(Inbound):
    audio: bool
    video: bool
    receive_video: bool = True  # False: audio only, the SFU stops forwarding others' video to this member


class SessionDescription(Inbound):
    type: Literal["offer", "answer", "pranswer", "rollback"]
    sdp: str = Field(default="", max_length=200_000)


class IceCandidate(Inbound):
    model_config = ConfigDict(extra="ignore", frozen=True)
    candidate: str = Field(max_length=2_000)
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=1024)
    usernameFragment: str | None = Field(default=None, max_length=256)


class Signal(Inbound):
    """An offer, answer or ICE candidate for one other admitted member of the same session."""

    to: str = ParticipantId
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Signal:
        if (self.description is None) == (self.candidate is None):
            raise ValueError("give exactly one of description or candidate")
        return self


class MediaDescription(Inbound):
    """An SDP offer or answer between a member and the server's SFU (group sessions)."""

    sdp: str = Field(min_length=1, max_length=200_000)


class MediaCandidate(Inbound):
    candidate: IceCandidate | None = None  # None: end of candidates


class Chat(Inbound):
    """A text message in the call: to everyone let in (``room``), to the session's therapists only
    (``hosts``: a client's private word, e.g. the quiet "I can't talk right now"), or — a therapist's —
    to one member. Never stored, never logged."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=500)
    to: str = Field(default="room", min_length=1, max_length=64)
    quiet: bool = False  # "I can't talk right now": the therapist is alerted at once


class Hand(Inbound):
    raised: bool


class Outbound(BaseModel):
    model_config = ConfigDict(frozen=True)

    def payload(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class MemberView(Outbound):
    participant_id: str
    display_name: str
    role: str
    status: Literal["lobby", "admitted"]
    connected: bool
    audio: bool
    video: bool
    hand: bool = False  # raised in a group (until lowered, or the therapist lowers it)


class ChatMessage(Outbound):
    from_participant_id: str = Field(serialization_alias="from")
    from_name: str
    from_role: str
    to: Literal["room", "hosts", "you"]
    text: str
    quiet: bool = False
    at: float


class HandState(Outbound):
    participant_id: str
    display_name: str
    raised: bool


class LobbyEntry(Outbound):
    participant_id: str
    display_name: str
    waiting_since: float


class Emergency(Outbound):
    crisis_line: str
    crisis_hotline: str
    emergency_number: str


class CrisisSummary(Outbound):
    """The crisis holding this session open, so a reload or reconnect shows it at once."""

    crisis_id: str
    state: str
    version: int


class RoomState(Outbound):
    session_id: str
    title: str
    kind: str
    you: MemberView
    members: list[MemberView]
    lobby: list[LobbyEntry] | None = None  # hosts only
    host_present: bool
    locked: bool
    ice_servers: list[dict]
    emergency: Emergency
    crisis: CrisisSummary | None = None


class Presence(Outbound):
    participant_id: str
    display_name: str
    role: str
    state: Literal["joined", "left", "reconnecting"]


class HostSteppedOut(Outbound):
    """To the other clients of a group when their therapist leaves it for a client's crisis: neutral, it
    says nothing of whose crisis or why. ``with_you``: the group's other hosts still in the call."""

    participant_id: str
    display_name: str
    with_you: list[str]


class SignalOut(Outbound):
    from_: str = Field(serialization_alias="from")
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None


class LobbyUpdate(Outbound):
    waiting: list[LobbyEntry]


class Notice(Outbound):
    """A short event to one member (admitted, denied, removed, returned to lobby, mute request...)."""

    reason: str | None = None
    message: str | None = None


class ActiveSpeaker(Outbound):
    participant_id: str | None


class MediaOffer(Outbound):
    """The server's SFU offers a member new subscriptions (someone joined or left)."""

    sdp: str


class LiveStateNotice(Outbound):
    """``live_state``: this node lost its shared live state (Redis) — the call goes on, but nothing can
    change and new people cannot join — or has it back (join again to get the room as it is now)."""

    state: Literal["unavailable", "available"]
    message: str
