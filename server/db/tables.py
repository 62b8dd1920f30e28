"""Durable records as SQLAlchemy 2 tables. A treatment program is the tenant of every record."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timezone

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, TypeDecorator, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC — the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class StaffRole(str, enum.Enum):
    THERAPIST = "therapist"
    ADMIN = "admin"


class SessionKind(str, enum.Enum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class SessionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    ENDED = "ended"


class ParticipantRole(str, enum.Enum):
    THERAPIST = "therapist"
    CLIENT = "client"
    SUPPORT = "support"
    RESPONDER = "responder"  # an emergency responder let into a crisis call from their responder link


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e])


DEFAULT_OFFICE_HOURS = "Mon-Fri 09:00-17:00"


class Program(Base):
    __tablename__ = "programs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # office hours, rosters and follow-ups are read on this wall clock (``STEADYLINE_PROGRAM_TIMEZONE`` at creation)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    office_hours: Mapped[str] = mapped_column(String(100), default=DEFAULT_OFFICE_HOURS,
                                              server_default=DEFAULT_OFFICE_HOURS)  # handoff.office_hours text
    crisis_line: Mapped[str | None] = mapped_column(String(40), nullable=True)  # none: STEADYLINE_CRISIS_LINE


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ENCRYPTED_TEXT = 2048  # room for AES-GCM tokens of encrypted fields


class StaffSession(Base):
    """One staff sign-in: idle and absolute limits, and sign-out, are enforced against this row."""

    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Client(Base):
    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(ENCRYPTED_TEXT))  # encrypted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # their own therapist: paged first when they ask for help in office hours, told the story after
    therapist_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    # where the notifier reaches the client themselves (their next-day session, check-in reminders)
    email: Mapped[str | None] = mapped_column(String(ENCRYPTED_TEXT), nullable=True)  # encrypted
    phone: Mapped[str | None] = mapped_column(String(ENCRYPTED_TEXT), nullable=True)  # encrypted


class Session(Base):
    """A scheduled therapy session (individual or group) led by one therapist."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    therapist_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the host locked the room (nobody more is let in): durable, so it survives the loss of Redis
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # opened on demand by a client's help press (no schedule): the on-call clinician is paged into it
    on_demand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Participant(Base):
    """One person's place in one session; every person has their own (links are never shared)."""

    __tablename__ = "participants"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(_enum(ParticipantRole, "participant_role"))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id"), nullable=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    display_name: Mapped[str] = mapped_column(String(ENCRYPTED_TEXT))  # encrypted
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # survives restarts
    # first let in (never cleared, unlike admitted_at after they are gone): they came to the session
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a crisis guest (support person) the clinician kept for the rest of the session when the crisis closed
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invite(Base):
    """A personal join link. Only the SHA-256 of its token is stored."""

    __tablename__ = "invites"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    single_use: Mapped[bool] = mapped_column(Boolean, default=False)
    redeem_count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditRecord(Base):
    """One sealed audit entry (see ``audit_chain``). Append-only: never updated or deleted."""

    __tablename__ = "audit_records"
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    program_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[str] = mapped_column(String(4000))
    previous_hmac: Mapped[str] = mapped_column(String(64))
    hmac: Mapped[str] = mapped_column(String(64))
