"""Bodies of the audit API: records and the export."""

from __future__ import annotations

from pydantic import BaseModel


class AuditRecordView(BaseModel):
    sequence: int
    occurred_at: str
    actor_id: str
    actor_role: str
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    program_id: str | None
    remote_addr: str | None
    details: dict
    previous_hmac: str
    hmac: str


class AuditExport(BaseModel):
    records: list[AuditRecordView]
