"""Durable records of monitoring between sessions: a client's check-ins and screener results (answers
encrypted at rest), the care team's check-in schedule, a program's self-harm word list and the screener
instruments a program loads itself (licensed text Steadyline does not ship)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, new_id, utcnow


class CheckInRecord(Base):
    __tablename__ = "check_ins"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answers: Mapped[str] = mapped_column(Text)  # encrypted JSON: mood, sleep, cravings
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted: the client's own words


class ScreenerResultRecord(Base):
    __tablename__ = "screener_results"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers: Mapped[str] = mapped_column(Text)  # encrypted JSON: points by item key
    result: Mapped[str] = mapped_column(Text)  # encrypted JSON: total, band, severe, urgent items


class CheckInScheduleRecord(Base):
    """Daily check-ins the care team asked for: ``days`` days from ``first_day`` at ``at`` on ``timezone``.
    A new schedule for the client replaces the one before (``replaced_at``)."""

    __tablename__ = "check_in_schedules"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    first_day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD on the program's clock
    days: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(5))  # HH:MM on the program's clock
    timezone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CheckInReminderRecord(Base):
    """One reminder of one scheduled check-in: the row is the claim (unique per schedule and due time), so
    whichever node's sweep inserts it first sends it, exactly once."""

    __tablename__ = "check_in_reminders"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at", name="uq_check_in_reminders_schedule_due"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("check_in_schedules.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MonitoringVocabularyRecord(Base):
    """A program's self-harm word list (phrases, JSON); none: Steadyline's default list."""

    __tablename__ = "monitoring_vocabularies"
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    phrases: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgramInstrumentRecord(Base):
    """A screener a program loaded itself (its definition as JSON, e.g. a licensed suicide-risk screener)."""

    __tablename__ = "program_instruments"
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
