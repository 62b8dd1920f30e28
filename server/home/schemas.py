"""Bodies of the client's own page ("my Steadyline")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.http.schemas import Body
from server.plans.schemas import CrisisLineView, OwnPlanView, ResourceView


class OpenHome(Body):
    token: str = Field(min_length=16, max_length=128, description="The standing link's token (its fragment).")


class AskForHelp(Body):
    """No fields: who asks is the page token's client."""


class HomeToken(BaseModel):
    home_token: str = Field(description="Bearer token of the client's own page (not a session token).")
    expires_in: int


class UpcomingSession(BaseModel):
    session_id: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    therapist_name: str
    join_opens_at: datetime = Field(description="From when \u201cJoin\u201d works (the link grace before the start).")


class HelpView(BaseModel):
    """Where the client's call for help stands, in words to show them as they are."""

    crisis_id: str
    session_id: str
    stage: str = Field(description="reaching | reaching_own | joining | with_you | still_trying | closed")
    headline: str
    detail: str
    clinician_name: str | None
    crisis_lines: list[CrisisLineView] = Field(description="What to do if they are in danger now.")


class HomeView(BaseModel):
    client_name: str
    program_name: str
    timezone: str = Field(description="The program's time zone: session times are shown on this clock too.")
    plan: OwnPlanView = Field(description="Their plan, read-only, coping strategies first.")
    crisis_lines: list[CrisisLineView]
    resources: list[ResourceView] = Field(description="The nearest local resources (to the address in their plan).")
    upcoming: list[UpcomingSession]
    help: HelpView | None = Field(description="Their call for help, while it is open.")
