"""Typed bodies of the crisis REST API (requests and responses), and the ``crisis`` socket event."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from handoff.crisis import Crisis, TimelineEvent
from handoff.crisis_state import Action
from handoff.responder_packet import SITUATION_MAX_CHARS, ResponderPacket

from .api_models import Body, ParticipantView

ActionName = Literal["dispatch_help", "help_arrived", "stabilise", "reactivate", "close"]
Reason = Field(default=None, min_length=1, max_length=4000)


class StartCrisis(Body):
    client_id: str | None = Field(default=None, max_length=64, description="Which client (group sessions).")


class TransitionRequest(Body):
    action: ActionName
    expected_version: int = Field(ge=1, le=1_000_000)


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


class ResponderPacketView(BaseModel):
    packet: ResponderPacket
    responder_url: str
    pidf_url: str
    expires_at: datetime
