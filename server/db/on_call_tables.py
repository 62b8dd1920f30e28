"""Durable records of a program's on-call roster: its time zone and its weekly shifts.

Shifts are wall-clock times in the roster's time zone (``HH:MM``), so they stay right across
daylight-saving changes; ``handoff.roster`` decides who covers a moment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, utcnow


class OnCallRosterRecord(Base):
    __tablename__ = "on_call_rosters"
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OnCallShiftRecord(Base):
    __tablename__ = "on_call_shifts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("on_call_rosters.program_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # roster order: earlier primaries are asked first
    clinician_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start: Mapped[str] = mapped_column(String(8))  # HH:MM[:SS], local to the roster's time zone
    end: Mapped[str] = mapped_column(String(8))
    coverage: Mapped[str] = mapped_column(String(16))  # primary | backup
