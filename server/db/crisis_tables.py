"""Durable records of crisis sessions: the crisis header, its timeline and responder links.

The header (``crises``) holds ids, the state, the version and times only: the state is needed in
queries (is a crisis holding this session open?) and the version is the compare-and-set guard.
Each timeline event is its own row whose details (actions, recipients, categories, basis) are
encrypted JSON (``encrypted_fields.ENCRYPTED``). A responder link stores the SHA-256 of its token
and the packet it serves, encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, new_id, utcnow

_OPEN = text("state != 'closed'")


class CrisisRecord(Base):
    """One crisis. At most one open crisis per session: a partial unique index makes two
    simultaneous "start" requests (a therapist and the client's "I need help now") open one."""

    __tablename__ = "crises"
    __table_args__ = (Index("uq_crises_open_per_session", "session_id", unique=True,
                            sqlite_where=_OPEN, postgresql_where=_OPEN),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    state: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[str] = mapped_column(String(64))
    opened_by_role: Mapped[str] = mapped_column(String(32))
    responsible_clinician_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CrisisEventRecord(Base):
    """One timeline event; ``(crisis_id, seq)`` is unique, so an event can never be written twice."""

    __tablename__ = "crisis_events"
    __table_args__ = (UniqueConstraint("crisis_id", "seq", name="uq_crisis_event_seq"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    crisis_id: Mapped[str] = mapped_column(ForeignKey("crises.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # encrypted JSON of handoff.crisis.TimelineEvent


class ResponderLinkRecord(Base):
    """A time-limited link serving one responder packet; only the token's SHA-256 is stored."""

    __tablename__ = "responder_links"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    crisis_id: Mapped[str] = mapped_column(ForeignKey("crises.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    packet: Mapped[str] = mapped_column(Text)  # encrypted JSON of handoff.responder_packet.ResponderPacket
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    allow_join: Mapped[bool] = mapped_column(Boolean, default=False)  # the responder may join the call
    participant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # their place, once joined
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


class ResponderReceiptRecord(Base):
    """Who received a responder packet (42 CFR 2.51: the recipient of an emergency disclosure and their
    affiliation), as they gave it on the responder page or in the request headers; encrypted."""

    __tablename__ = "responder_receipts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("responder_links.id"), index=True)
    crisis_id: Mapped[str] = mapped_column(ForeignKey("crises.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(16))  # page, pidf, json, join
    recipient_name: Mapped[str] = mapped_column(Text)  # encrypted
    recipient_agency: Mapped[str] = mapped_column(Text)  # encrypted
