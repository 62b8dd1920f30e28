"""Typed bodies of the crisis REST API (requests and responses), and the ``crisis`` socket event."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from handoff.crisis import Crisis, TimelineEvent
from handoff.crisis_state import Action
from handoff.responder_packet import SITUATION_MAX_CHARS, ResponderPacket

from server.http.schemas import Body
from server.plans.schemas import ResourceView
from server.sessions.schemas import ParticipantView, SessionView

ActionName = Literal["dispatch_help", "help_arrived", "stabilise", "reactivate", "close"]
Reason = Field(default=None, min_length=1, max_length=4000)

NAME_HEADER = "Steadyline-Recipient-Name"
AGENCY_HEADER = "Steadyline-Recipient-Agency"
RECIPIENT_MAX_CHARS = 120


class StartCrisis(Body):
    client_id: str | None = Field(default=None, max_length=64, description="Which client (group sessions).")


class TransitionRequest(Body):
    action: ActionName
    expected_version: int = Field(ge=1, le=1_000_000)
    include_family_debrief: bool = Field(
        default=False, description="With ``close``: the follow-up plan includes a debrief with family or "
        "support persons (the client wants it).")
    book_follow_up: bool | None = Field(
        default=None, description="With ``close``: book the next-day session (the client's link sent) and daily "
        "check-ins with reminders. Default: yes after a help press outside a session, no otherwise.")
    keep_support_persons: list[str] = Field(
        default_factory=list, max_length=20,
        description="With ``close``: participant ids of support persons who stay for the rest of the session "
        "(audited as ``crisis.keep_support_person``). Every other support person and every responder leaves "
        "the call when the crisis closes; their tokens and links stop working.")


class CrisisView(BaseModel):
    crisis_id: str
    session_id: str
    client_id: str
    state: str
    version: int
    opened_at: datetime
    opened_by: str
    responsible_clinician_id: str | None
    closed_at: datetime | None
    allowed_actions: list[str]
    timeline: list[TimelineEvent]

    @classmethod
    def of(cls, crisis: Crisis, session_id: str, allowed: tuple[Action, ...]) -> "CrisisView":
        return cls(
            crisis_id=crisis.crisis_id, session_id=session_id, client_id=crisis.client_id, state=crisis.state.value,
            version=crisis.version, opened_at=crisis.opened_at, opened_by=crisis.opened_by.actor_id,
            responsible_clinician_id=crisis.responsible_clinician_id, closed_at=crisis.closed_at,
            allowed_actions=[a.value for a in allowed], timeline=list(crisis.timeline),
        )


class TimelineExport(BaseModel):
    crisis_id: str
    session_id: str
    state: str
    version: int
    exported_at: datetime
    events: list[TimelineEvent]


class CrisisNotice(BaseModel):
    """The ``crisis`` socket event: one new timeline event; ``seq`` orders them (replay with
    ``GET /api/crises/{id}/timeline?after=seq``)."""

    crisis_id: str
    session_id: str
    state: str
    version: int
    event: TimelineEvent


class AddSupportPerson(Body):
    contact_id: str = Field(min_length=1, max_length=64)
    override_reason: str | None = Reason


class SupportInviteView(BaseModel):
    participant: ParticipantView
    join_url: str
    expires_at: datetime
    basis: Literal["consent", "override"]
    notifications: dict[str, str]


class ResponderPacketRequest(Body):
    situation: str = Field(min_length=1, max_length=SITUATION_MAX_CHARS)
    override_reason: str | None = Reason
    include_lethal_means: bool = True
    client_phone: str | None = Field(default=None, min_length=3, max_length=32,
                                     description="where responders can call the client back")
    therapist_phone: str | None = Field(default=None, min_length=3, max_length=32,
                                        description="the clinician's direct callback number")
    allow_join: bool = Field(default=False, description="the responder page offers to join the call (for "
                             "STEADYLINE_SUPPORT_LINK_TTL seconds after the link is made)")
    substance_use: bool = Field(default=False, description="the packet carries substance-use information "
                                "(42 CFR part 2): it gets the notice against redisclosure")


class ResponderPacketView(BaseModel):
    packet: ResponderPacket
    link_id: str  # to revoke the link
    token: str  # shown once: a system sends it as `Authorization: Bearer <token>`
    page_url: str  # for a person: the responder page, token in the fragment (never sent to a server)
    responder_url: str  # for a system: the packet as JSON (token in the Authorization header)
    pidf_url: str  # for a system: the packet as PIDF-LO (token in the Authorization header)
    expires_at: datetime


class ResponderReceiptView(BaseModel):
    """Who received the packet (as they gave it), when, and through what: ``page``, ``pidf``, ``json``,
    ``join``."""

    at: datetime
    via: str
    recipient_name: str
    recipient_agency: str


class ResponderLinkView(BaseModel):
    link_id: str
    created_at: datetime | None
    expires_at: datetime
    ends_at: datetime  # the expiry, or the crisis's close plus STEADYLINE_RESPONDER_LINK_GRACE if sooner
    revoked_at: datetime | None
    live: bool
    allow_join: bool
    joined: bool  # a responder took the link's place in the call
    receipts: list[ResponderReceiptView]


class ResponderLinkList(BaseModel):
    links: list[ResponderLinkView]


class PrivateRoomRequest(Body):
    participant_id: str = Field(min_length=1, max_length=64, description="The client's place in the group.")


class PrivateRoomView(BaseModel):
    """The private crisis room made from a group session: the new individual session, the crisis now
    held open in it, and the moving therapist's host token for it."""

    session: SessionView
    from_session_id: str
    crisis: CrisisView
    crisis_moved: bool  # an open crisis about this client moved from the group (else a new one was opened)
    participant_token: str  # the moving therapist's host token for the private room
    expires_in: int
    host: ParticipantView
    client_notified: bool  # the client was connected and got ``moved_to_room``


class MovedToRoom(BaseModel):
    """The ``moved_to_room`` socket event, to the moved client only: leave this session and join
    ``session_id`` with ``participant_token`` (already admitted: no waiting room)."""

    session_id: str
    from_session_id: str
    title: str
    participant_token: str
    expires_in: int
    participant: ParticipantView
    reason: str


class HelpRequested(BaseModel):
    crisis_id: str | None  # None: another client's crisis holds the session open (theirs is not told)
    state: str | None
    already_open: bool  # the crisis was open before this press
    therapist_connected: bool  # a therapist of the session is connected and has been told


class OpenCrisisView(BaseModel):
    crisis_id: str
    session_id: str
    state: str
    opened_at: datetime
    opened_by_role: str  # "client": the client pressed "I need help now"
    responsible_clinician_id: str | None
    responsible_clinician_name: str | None
    session_therapist_id: str
    yours: bool  # you lead it, or lead its session


class OpenCrisisList(BaseModel):
    crises: list[OpenCrisisView]


class OpenResponderLink(Body):
    token: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$", description="the token from the link's fragment")
    recipient_name: str = Field(min_length=2, max_length=RECIPIENT_MAX_CHARS,
                                description="who is reading this: the responder's name (42 CFR 2.51)")
    recipient_agency: str = Field(min_length=2, max_length=RECIPIENT_MAX_CHARS,
                                  description="the agency they are with (e.g. the county EMS, a police service)")

    @field_validator("recipient_name", "recipient_agency")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 2:
            raise ValueError("write at least two characters")
        return value


DISPLAY_MAX = 100


class CallbackNumber(BaseModel):
    label: str  # "Program crisis line", "Client (given to responders)", …
    number: str  # formatted for the program's country (STEADYLINE_PHONE_REGION)
    tel: str | None


class ResponderPageView(BaseModel):
    packet: ResponderPacket
    expires_at: datetime
    can_join: bool  # the clinician let the responder join the call from this page
    location_lines: list[str]  # the location in words, for reading out over a radio
    resources: list[ResourceView]  # the program's crisis resources nearest the device position
    person_name: str | None = None  # the person in crisis, as their program knows them
    shared_at_text: str = ""  # when the packet was made, and when the link stops: written as every time on
    expires_at_text: str = ""  # the page is (24-hour clock, the program's time zone, named)
    callbacks: list[CallbackNumber] = Field(default_factory=list)  # formatted for the program's country


class CrisisReadOut(BaseModel):
    """What the therapist reads out on a phone call to emergency services: the client's name, the address
    they last confirmed, their device's position, and callback numbers. Only while the crisis is open, to
    whoever manages it; every read is audited (``crisis.location_read``)."""

    client_name: str | None
    address: str | None  # one line, as confirmed by the client (None: never confirmed)
    address_confirmed_at: datetime | None
    address_source: str | None  # "planned_address" | "typed_address"
    device_position: str | None  # latitude, longitude and accuracy in words
    device_observed_at: datetime | None
    warning: str | None  # the device is far from the confirmed address
    callbacks: list[CallbackNumber]
    consent_to_emergency_services: bool  # the client consented to share location and situation with them


class AnswerPage(Body):
    token: str = Field(min_length=20, max_length=2048, pattern=r"^[A-Za-z0-9_.-]+$",
                       description="the token from the page's \"I'm on it\" link (its fragment)")


class PageAnswered(Body):
    acknowledged: bool = Field(description="true: this answer stopped the paging; false: nothing was waiting for "
                               "it (answered already, too late, or the crisis closed)")
    message: str
