"""Durable records of follow-up plans: one plan per closed crisis and its items.

The plan header holds ids and times only; each item is a check-in, the next-day individual session or
a family debrief with its due time (UTC) and whether and when someone marked it done. The item wording
is Steadyline's own fixed text (``handoff.follow_up``): no clinical content is stored here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, new_id, utcnow


class FollowUpPlanRecord(Base):
    __tablename__ = "follow_up_plans"
    crisis_id: Mapped[str] = mapped_column(ForeignKey("crises.id"), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    responsible_clinician_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    include_family_debrief: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUpItemRecord(Base):
    __tablename__ = "follow_up_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    crisis_id: Mapped[str] = mapped_column(ForeignKey("follow_up_plans.crisis_id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the session booked for it
