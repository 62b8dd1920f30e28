"""Durable escalation steps of a crisis: one row per step, written in the same transaction as the
timeline event that arms it (a drop arms the lost-contact steps, a page arms its acknowledgement
deadline) and cancelled in the same transaction as the event that makes it moot (a return, an
acknowledgement). A step is carried out once: ``pending`` → ``running`` (claimed) → ``done``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime


class CrisisStepRecord(Base):
    __tablename__ = "crisis_steps"
    __table_args__ = (Index("ix_crisis_steps_state_due", "state", "due_at"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    crisis_id: Mapped[str] = mapped_column(ForeignKey("crises.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))  # see server.crises.steps.StepKind
    participant_id: Mapped[str] = mapped_column(String(64))  # whose absence armed it (or who was paged)
    since: Mapped[datetime] = mapped_column(UTCDateTime)  # when they were last seen (or paged)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | running | done | cancelled
    data: Mapped[str] = mapped_column(Text, default="{}")  # the step's own arguments (JSON, no health information)
    armed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the procrastinate job (PostgreSQL)
