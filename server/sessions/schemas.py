"""Bodies of the sessions API: sessions, participants, join links, co-facilitators."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from server.http.schemas import Body, Name


class Colleague(BaseModel):
    id: str
    display_name: str


class ColleagueList(BaseModel):
    therapists: list[Colleague]


class AddCoFacilitator(Body):
    staff_id: str = Field(min_length=1, max_length=64)


class CreateSession(Body):
    kind: Literal["individual", "group"]
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must include a timezone, e.g. 2026-01-01T10:00:00Z")
        try:
            return value.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("is outside the supported range of dates") from None

    @model_validator(mode="after")
    def _ordered(self) -> CreateSession:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).total_seconds() > 12 * 3600:
            raise ValueError("a session lasts at most 12 hours")
        return self


class AddParticipant(Body):
    display_name: str = Name
    client_id: str | None = Field(default=None, max_length=64)


class ParticipantView(BaseModel):
    id: str
    role: str
    display_name: str
    removed: bool
    client_id: str | None = None
    staff_id: str | None = None  # a therapist's place: whose


class SessionView(BaseModel):
    id: str
    program_id: str
    therapist_id: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    on_demand: bool = False  # opened by a client's help press outside a session (an urgent help room)
    participants: list[ParticipantView] | None = None


class SessionList(BaseModel):
    sessions: list[SessionView]


class JoinLink(BaseModel):
    participant: ParticipantView
    join_url: str = Field(description="Shown once; only its hash is stored.")
    expires_at: datetime


class RedeemRequest(Body):
    token: str = Field(min_length=16, max_length=256)


class ParticipantToken(BaseModel):
    participant_token: str
    expires_in: int
    session_id: str
    participant: ParticipantView
    therapist_name: str | None = Field(default=None, description="The session's therapist, by name (the waiting "
                                       "room says who will let the client in); on redeeming a join link")


class Revoked(BaseModel):
    revoked: int
