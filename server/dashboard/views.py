"""Stored alerts as the API and the live dashboard show them."""

from __future__ import annotations

from server.db.plan_tables import AlertRecord
from server.plans.schemas import AlertView


def alert_view(row: AlertRecord, client_name: str | None = None) -> AlertView:
    return AlertView(
        alert_id=row.id, kind=row.kind, urgency=row.urgency, recipient_id=row.recipient_id, client_id=row.client_id,
        subject=row.subject, body=row.body, created_at=row.created_at, rule=row.rule,
        acknowledged_at=row.acknowledged_at, acknowledged_by=row.acknowledged_by,
        acknowledged_note=row.acknowledged_note, assigned_to=row.assigned_to, resolved_at=row.resolved_at,
        resolved_by=row.resolved_by, resolved_note=row.resolved_note, client_name=client_name)
