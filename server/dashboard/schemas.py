"""Request bodies of the dashboard's alert actions, and what a push carries."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.http.schemas import Body
from server.plans.schemas import AlertView


class AcknowledgeAlert(Body):
    note: str | None = Field(default=None, max_length=2000)


class AssignAlert(Body):
    staff_id: str | None = Field(default=None, max_length=64, description="A therapist or admin of the program; "
                                 "default: you.")


class ResolveAlert(Body):
    note: str = Field(min_length=1, max_length=2000, description="What was done (called them, safe, seen in "
                      "session, …). Encrypted at rest.")


class AlertPush(BaseModel):
    """Socket event ``alert`` on ``/staff``: an alert was raised or changed (acknowledged, assigned,
    resolved); the same view ``GET /api/alerts`` gives."""

    alert: AlertView
