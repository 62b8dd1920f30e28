"""Durable records of safety plans, consent, confirmed locations, local resources and alerts.

Health information (plan content, contact details, addresses, coordinates, override reasons) is in
``Text`` columns listed in ``encrypted_fields.ENCRYPTED``: JSON text sealed with AES-GCM. The other
columns hold ids, times and kinds only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import Base, UTCDateTime, new_id, utcnow


class PlanTemplateRecord(Base):
    """A program's own safety-plan template (JSON of ``handoff.plan_template.PlanTemplate``)."""

    __tablename__ = "plan_templates"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), unique=True)
    template_json: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlanRecord(Base):
    """One client's safety plan; its content lives in versions, never edited in place."""

    __tablename__ = "safety_plans"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), unique=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlanVersionRecord(Base):
    __tablename__ = "safety_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version_number"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("safety_plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[str] = mapped_column(String(80))
    content: Mapped[str] = mapped_column(Text)  # encrypted JSON: sections, planned location, change note
    author_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentGrantRecord(Base):
    """One consent grant (``handoff.consent.ConsentGrant``); revoking sets ``revoked_at``."""

    __tablename__ = "consent_grants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    party_kind: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scope: Mapped[str] = mapped_column(String(64))
    categories: Mapped[str] = mapped_column(String(200))  # JSON list of category names
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(36))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DisclosureOverrideRecord(Base):
    """An emergency override of consent: who, when, to whom; the reason is encrypted."""

    __tablename__ = "disclosure_overrides"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    crisis_id: Mapped[str] = mapped_column(String(64))
    clinician_id: Mapped[str] = mapped_column(String(36))
    party_kind: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scopes: Mapped[str] = mapped_column(String(200))  # JSON list
    categories: Mapped[str] = mapped_column(String(200))  # JSON list
    reason: Mapped[str] = mapped_column(Text)  # encrypted
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertRecord(Base):
    """Something the program's clinical lead must see (e.g. an emergency override)."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("program_id", "dedupe_key", name="uq_alerts_program_dedupe_key"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    recipient_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    urgency: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # encrypted: it quotes the clinician's reason
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rule: Mapped[str | None] = mapped_column(String(48), nullable=True)  # the risk rule that raised it
    dedupe_key: Mapped[str | None] = mapped_column(String(128), nullable=True)  # one alert per fact
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_note: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted
    # the live dashboard (migration 0020): who took it on, and its resolution with a note
    assigned_to: Mapped[str | None] = mapped_column(String(36), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    resolved_note: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted


class ClientLocationRecord(Base):
    """Where a client said they were at a session join, and what their browser reported."""

    __tablename__ = "client_locations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    participant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    source: Mapped[str] = mapped_column(String(32))  # planned_address | typed_address
    address: Mapped[str] = mapped_column(Text)  # encrypted JSON: civic address (+ its coordinates)
    geolocation: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted JSON: point + accuracy
    has_geolocation: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResourceRecord(Base):
    """One entry of a program's local crisis-resource directory (public information)."""

    __tablename__ = "local_resources"
    __table_args__ = (UniqueConstraint("program_id", "resource_id", name="uq_program_resource"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    resource_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # JSON of handoff.resources.Resource
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
