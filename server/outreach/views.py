"""Outreach tasks as the API and the live dashboard show them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from server.db.outreach_tables import OutreachTaskRecord


class OutreachTaskView(BaseModel):
    task_id: str
    kind: str
    client_id: str
    session_id: str
    therapist_id: str | None
    created_at: datetime
    assigned_to: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None
    client_name: str | None = None


class OutreachList(BaseModel):
    tasks: list[OutreachTaskView]


class OutreachPush(BaseModel):
    """Socket event ``outreach_task`` on ``/staff``: a task was made, assigned or resolved."""

    task: OutreachTaskView


def task_view(row: OutreachTaskRecord, client_name: str | None = None) -> OutreachTaskView:
    return OutreachTaskView(task_id=row.id, kind=row.kind, client_id=row.client_id, session_id=row.session_id,
                            therapist_id=row.therapist_id, created_at=row.created_at, assigned_to=row.assigned_to,
                            resolved_at=row.resolved_at, resolved_by=row.resolved_by, note=row.note,
                            client_name=client_name)
