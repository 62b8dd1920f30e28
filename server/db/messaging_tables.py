"""Durable records of secure messaging between a client and their care team: one thread per client, its
messages (the text encrypted at rest) and when the other side first read each one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, new_id, utcnow


class MessageThreadRecord(Base):
    """The client's thread with their care team (one per client, made by the first message)."""

    __tablename__ = "message_threads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), unique=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageRecord(Base):
    """One message. ``sender_kind`` is ``client`` or ``staff``; ``read_at`` / ``read_by``: when (and by whom)
    the other side first opened the thread after it was sent — the read receipt."""

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(ForeignKey("message_threads.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    sender_kind: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(Text)  # encrypted: the message itself
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    read_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
