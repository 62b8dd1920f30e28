"""Bodies of the follow-up API: a plan and its items."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class FollowUpItemView(BaseModel):
    id: str
    kind: Literal["check_in", "individual_session", "family_debrief"]
    due_at: datetime
    description: str
    done_at: datetime | None
    done_by: str | None
    session_id: str | None = None  # the session booked for this item


class StoryLine(BaseModel):
    at: datetime
    text: str


class FollowUpPlanView(BaseModel):
    crisis_id: str
    client_id: str
    responsible_clinician_id: str | None
    timezone: str
    include_family_debrief: bool
    created_at: datetime
    items: list[FollowUpItemView]
    story: list[StoryLine] = []  # how the crisis went, in plain lines (names and times only)


class FollowUpList(BaseModel):
    plans: list[FollowUpPlanView]
