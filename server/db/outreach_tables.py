"""Outreach tasks: a client the care team should reach out to (today: they missed a session). One task
per missed place (the unique key makes every node's sweep insert it once); assigned, then resolved with
a note (encrypted: it may say what the client told them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import ENCRYPTED_TEXT, Base, UTCDateTime, new_id, utcnow


class OutreachTaskRecord(Base):
    __tablename__ = "outreach_tasks"
    __table_args__ = (UniqueConstraint("participant_id", "kind", name="uq_outreach_tasks_participant_kind"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    kind: Mapped[str] = mapped_column(String(32))  # "missed_session"
    therapist_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # whose session it was
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_to: Mapped[str | None] = mapped_column(String(36), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    note: Mapped[str | None] = mapped_column(String(ENCRYPTED_TEXT), nullable=True)  # encrypted
