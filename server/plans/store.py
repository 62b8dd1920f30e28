"""The durable store of safety plans, templates, consent, overrides, alerts, confirmed locations and
local resources. Rows in, ``handoff`` domain values out: nothing else builds SQL for these tables."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.consent import ClinicalLeadAlert, ConsentGrant, ConsentLedger, OverrideBasis, Party
from handoff.location import CivicAddress, ConfirmedLocation, GeoLocation, LocationSource
from handoff.plan_template import DEFAULT_TEMPLATE, PlanTemplate
from handoff.resources import Resource
from handoff.safety_plan import PlanVersion, SafetyPlan, SectionEntry

from server.db.plan_tables import (
    AlertRecord,
    ClientLocationRecord,
    ConsentGrantRecord,
    DisclosureOverrideRecord,
    PlanTemplateRecord,
    ResourceRecord,
    SafetyPlanRecord,
    SafetyPlanVersionRecord,
)
from server.db.tables import Staff, StaffRole, new_id
from server.errors import Conflict


class PlannedLocation(BaseModel):
    """Where the plan says the client usually is: a civic address and, when known, its coordinates."""

    address: CivicAddress
    coordinates: GeoLocation | None = None


@dataclass(frozen=True)
class StoredPlan:
    plan: SafetyPlan
    program_id: str
    planned: dict[int, PlannedLocation | None]  # by version number

    @property
    def planned_location(self) -> PlannedLocation | None:
        return self.planned.get(self.plan.latest.number)


@dataclass(frozen=True)
class LocationRecord:
    """One confirmation at a session join: the address the client confirmed and what the browser said."""

    confirmed: ConfirmedLocation
    geolocation: GeoLocation | None
    source: str
    flagged: bool


def _listed(ids: Collection[str]) -> list[str]:
    return sorted(ids) or [""]


def _json_list(values) -> str:
    return json.dumps(sorted(v.value if hasattr(v, "value") else v for v in values))


def _grant(row: ConsentGrantRecord) -> ConsentGrant:
    party = Party(kind=row.party_kind, contact_id=row.contact_id)
    return ConsentGrant(
        grant_id=row.id, client_id=row.client_id, party=party, scope=row.scope,
        categories=frozenset(json.loads(row.categories)), starts_at=row.starts_at, expires_at=row.expires_at,
        recorded_by=row.recorded_by, revoked_at=row.revoked_at, revoked_by=row.revoked_by,
    )


AlertListener = Callable[[AlertRecord], Awaitable[None]]


@dataclass(frozen=True)
class AlertScope:
    """Which of the program's alerts a therapist may see (admins: all): program-wide ones, those of their
    clients (``client_ids``), and those addressed or assigned to them (``staff_id``)."""

    staff_id: str
    client_ids: frozenset[str]


class PlanStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker
        # told of every alert once it is committed (the composition root sets the live dashboard's push)
        self.on_alert: AlertListener | None = None

    async def _told(self, row: AlertRecord) -> None:
        if self.on_alert is not None:
            await self.on_alert(row)

    # templates
    async def template(self, program_id: str) -> PlanTemplate:
        async with self._sm() as db:
            row = (await db.execute(select(PlanTemplateRecord).where(
                PlanTemplateRecord.program_id == program_id))).scalar()
        return DEFAULT_TEMPLATE if row is None else PlanTemplate.model_validate_json(row.template_json)

    async def set_template(self, program_id: str, template: PlanTemplate, by: str, at: datetime) -> None:
        async with self._sm() as db, db.begin():
            row = (await db.execute(select(PlanTemplateRecord).where(
                PlanTemplateRecord.program_id == program_id))).scalar()
            if row is None:
                db.add(PlanTemplateRecord(program_id=program_id, template_json=template.model_dump_json(),
                                          updated_by=by, updated_at=at))
            else:
                row.template_json, row.updated_by, row.updated_at = template.model_dump_json(), by, at

    async def program_templates(self, program_id: str) -> dict[str, PlanTemplate]:
        """Every template a plan of this program may have been written against, by id."""
        current = await self.template(program_id)
        return {DEFAULT_TEMPLATE.template_id: DEFAULT_TEMPLATE, current.template_id: current}

    # safety plans
    async def plan(self, client_id: str) -> StoredPlan | None:
        async with self._sm() as db:
            record = (await db.execute(select(SafetyPlanRecord).where(
                SafetyPlanRecord.client_id == client_id))).scalar()
            if record is None:
                return None
            rows = (await db.execute(select(SafetyPlanVersionRecord).where(
                SafetyPlanVersionRecord.plan_id == record.id).order_by(SafetyPlanVersionRecord.number))).scalars()
            versions, planned = [], {}
            for row in rows:
                content = json.loads(row.content)
                versions.append(PlanVersion(
                    plan_id=record.id, number=row.number, template_id=row.template_id,
                    sections=tuple(SectionEntry.model_validate(s) for s in content["sections"]),
                    author_id=row.author_id, created_at=row.created_at, change_note=content.get("change_note", ""),
                ))
                where = content.get("planned_location")
                planned[row.number] = PlannedLocation.model_validate(where) if where else None
        plan = SafetyPlan(plan_id=record.id, client_id=client_id, versions=tuple(versions))
        return StoredPlan(plan=plan, program_id=record.program_id, planned=planned)

    async def save_version(self, plan: SafetyPlan, program_id: str, planned: PlannedLocation | None) -> None:
        """Append the plan's latest version (creating the plan with version 1). Two people saving the
        same next version: the second gets ``Conflict``."""
        version = plan.latest
        content = {
            "sections": [s.model_dump(mode="json") for s in version.sections],
            "planned_location": planned.model_dump(mode="json") if planned else None,
            "change_note": version.change_note,
        }
        try:
            async with self._sm() as db, db.begin():
                if version.number == 1:
                    db.add(SafetyPlanRecord(id=plan.plan_id, client_id=plan.client_id, program_id=program_id,
                                            created_at=version.created_at))
                    await db.flush()
                db.add(SafetyPlanVersionRecord(
                    plan_id=plan.plan_id, number=version.number, template_id=version.template_id,
                    content=json.dumps(content), author_id=version.author_id, created_at=version.created_at,
                ))
        except IntegrityError:
            raise Conflict("Someone else saved this safety plan first. Reload it and try again.",
                           code="plan_version_conflict") from None

    # consent
    async def ledger(self, client_id: str) -> ConsentLedger:
        async with self._sm() as db:
            rows = (await db.execute(select(ConsentGrantRecord).where(
                ConsentGrantRecord.client_id == client_id).order_by(ConsentGrantRecord.created_at))).scalars()
            grants = tuple(_grant(r) for r in rows)
        return ConsentLedger(client_id=client_id, grants=grants)

    async def add_grant(self, grant: ConsentGrant, program_id: str) -> None:
        async with self._sm() as db, db.begin():
            db.add(ConsentGrantRecord(
                id=grant.grant_id, client_id=grant.client_id, program_id=program_id,
                party_kind=grant.party.kind.value, contact_id=grant.party.contact_id, scope=grant.scope.value,
                categories=_json_list(grant.categories), starts_at=grant.starts_at, expires_at=grant.expires_at,
                recorded_by=grant.recorded_by,
            ))

    async def revoke_grant(self, grant: ConsentGrant) -> None:
        async with self._sm() as db, db.begin():
            row = await db.get(ConsentGrantRecord, grant.grant_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at, row.revoked_by = grant.revoked_at, grant.revoked_by

    # overrides and alerts
    async def clinical_lead(self, program_id: str) -> str | None:
        """The program's clinical lead: its first admin (by creation)."""
        query = select(Staff.id).where(Staff.program_id == program_id, Staff.role == StaffRole.ADMIN,
                                       Staff.disabled.is_(False)).order_by(Staff.created_at).limit(1)
        async with self._sm() as db:
            return (await db.execute(query)).scalar()

    async def add_override(self, basis: OverrideBasis, alert: ClinicalLeadAlert, program_id: str) -> None:
        async with self._sm() as db, db.begin():
            db.add(DisclosureOverrideRecord(
                id=basis.override_id, client_id=basis.client_id, program_id=program_id, crisis_id=basis.crisis_id,
                clinician_id=basis.clinician_id, party_kind=basis.party.kind.value,
                contact_id=basis.party.contact_id, scopes=_json_list(basis.scopes),
                categories=_json_list(basis.categories), reason=basis.reason, at=basis.at,
            ))
            row = AlertRecord(
                id=alert.alert_id, program_id=program_id, recipient_id=alert.recipient_id or None,
                kind="disclosure.override", urgency=alert.urgency, client_id=alert.client_id,
                subject=alert.subject, body=alert.body, created_at=alert.at,
            )
            db.add(row)
        await self._told(row)

    async def add_alert(self, *, program_id: str, kind: str, urgency: str, subject: str, body: str, at: datetime,
                        client_id: str | None = None, recipient_id: str | None = None, rule: str | None = None,
                        dedupe_key: str | None = None) -> str | None:
        """An alert for the program's clinicians (``recipient_id`` None: everyone in the program).
        ``subject`` is shown in lists: keep it free of health information; ``body`` is encrypted. ``rule``
        names the risk rule that raised it; with a ``dedupe_key`` a second alert for the same fact is not
        made (None is returned)."""
        alert_id = new_id()
        try:
            async with self._sm() as db, db.begin():
                if dedupe_key is not None:
                    seen = select(AlertRecord.id).where(AlertRecord.program_id == program_id,
                                                        AlertRecord.dedupe_key == dedupe_key)
                    if (await db.execute(seen)).first() is not None:
                        return None
                row = AlertRecord(id=alert_id, program_id=program_id, recipient_id=recipient_id, kind=kind,
                                  urgency=urgency, client_id=client_id, subject=subject, body=body, created_at=at,
                                  rule=rule, dedupe_key=dedupe_key)
                db.add(row)
        except IntegrityError:
            if dedupe_key is None:
                raise
            return None  # another node wrote the same fact's alert first (unique program, dedupe key)
        await self._told(row)
        return alert_id

    async def alert(self, alert_id: str, program_id: str) -> AlertRecord | None:
        """One alert of this program; None: no such alert (or another program's)."""
        if len(alert_id) > 64:
            return None
        async with self._sm() as db:
            row = await db.get(AlertRecord, alert_id)
        return row if row is not None and row.program_id == program_id else None

    async def assign_alert(self, alert_id: str, staff_id: str) -> AlertRecord | None:
        async with self._sm() as db, db.begin():
            row = await db.get(AlertRecord, alert_id)
            if row is not None:
                row.assigned_to = staff_id
        return row

    async def resolve_alert(self, alert_id: str, *, by: str, note: str, at: datetime) -> AlertRecord | None:
        """Resolve it with a note (the first resolution is kept); resolving also acknowledges it."""
        async with self._sm() as db, db.begin():
            row = await db.get(AlertRecord, alert_id)
            if row is not None and row.resolved_at is None:
                row.resolved_at, row.resolved_by, row.resolved_note = at, by, note
                if row.acknowledged_at is None:
                    row.acknowledged_at, row.acknowledged_by = at, by
        return row

    async def acknowledge_alert(self, alert_id: str, program_id: str, *, by: str, note: str | None,
                                at: datetime) -> AlertRecord | None:
        """Mark an alert of this program seen by ``by`` (the first acknowledgement is kept); None: no such alert."""
        async with self._sm() as db, db.begin():
            row = await db.get(AlertRecord, alert_id)
            if row is None or row.program_id != program_id:
                return None
            if row.acknowledged_at is None:
                row.acknowledged_at, row.acknowledged_by, row.acknowledged_note = at, by, note
            return row

    async def alerts(self, program_id: str, *, urgency: str | None = None, rule: str | None = None,
                     client_id: str | None = None, open_only: bool | None = None, resolved: bool | None = None,
                     scope: AlertScope | None = None) -> list[AlertRecord]:
        """The program's alerts, newest first; ``open_only`` True: not acknowledged yet, False: acknowledged;
        ``resolved`` True: resolved, False: not yet; ``scope``: only those a therapist may see."""
        query = select(AlertRecord).where(AlertRecord.program_id == program_id).order_by(AlertRecord.created_at.desc())
        if scope is not None:
            query = query.where(or_(AlertRecord.client_id.is_(None), AlertRecord.recipient_id == scope.staff_id,
                                    AlertRecord.assigned_to == scope.staff_id,
                                    AlertRecord.client_id.in_(_listed(scope.client_ids))))
        if resolved is not None:
            query = query.where(AlertRecord.resolved_at.is_not(None) if resolved else AlertRecord.resolved_at.is_(None))
        for column, value in ((AlertRecord.urgency, urgency), (AlertRecord.rule, rule),
                              (AlertRecord.client_id, client_id)):
            if value is not None:
                query = query.where(column == value)
        if open_only is not None:
            query = query.where(AlertRecord.acknowledged_at.is_(None) if open_only
                                else AlertRecord.acknowledged_at.is_not(None))
        async with self._sm() as db:
            return list((await db.execute(query.limit(200))).scalars())

    # confirmed locations
    async def add_location(self, record: LocationRecord, *, program_id: str, session_id: str | None,
                           participant_id: str | None) -> None:
        confirmed = record.confirmed
        address = {"address": confirmed.address.model_dump(mode="json"),
                   "coordinates": confirmed.coordinates.model_dump(mode="json") if confirmed.coordinates else None}
        geo = record.geolocation.model_dump_json() if record.geolocation else None
        async with self._sm() as db, db.begin():
            db.add(ClientLocationRecord(
                id=confirmed.location_id, client_id=confirmed.client_id, program_id=program_id,
                session_id=session_id, participant_id=participant_id, source=record.source,
                address=json.dumps(address), geolocation=geo, has_geolocation=geo is not None,
                flagged=record.flagged, confirmed_at=confirmed.confirmed_at,
            ))

    async def latest_location(self, client_id: str) -> LocationRecord | None:
        query = select(ClientLocationRecord).where(ClientLocationRecord.client_id == client_id).order_by(
            ClientLocationRecord.confirmed_at.desc()).limit(1)
        async with self._sm() as db:
            row = (await db.execute(query)).scalar()
        if row is None:
            return None
        address = json.loads(row.address)
        confirmed = ConfirmedLocation(
            location_id=row.id, client_id=row.client_id, address=CivicAddress.model_validate(address["address"]),
            coordinates=GeoLocation.model_validate(address["coordinates"]) if address["coordinates"] else None,
            confirmed_at=row.confirmed_at, confirmed_by=row.participant_id or row.client_id,
            source=LocationSource.CLIENT_CONFIRMED,
        )
        geo = GeoLocation.model_validate_json(row.geolocation) if row.geolocation else None
        return LocationRecord(confirmed=confirmed, geolocation=geo, source=row.source, flagged=row.flagged)

    # local resources
    async def replace_resources(self, program_id: str, resources: tuple[Resource, ...], at: datetime) -> None:
        async with self._sm() as db, db.begin():
            await db.execute(delete(ResourceRecord).where(ResourceRecord.program_id == program_id))
            for resource in resources:
                db.add(ResourceRecord(program_id=program_id, resource_id=resource.resource_id,
                                      data=resource.model_dump_json(), imported_at=at))

    async def resources(self, program_id: str) -> list[Resource]:
        query = select(ResourceRecord).where(ResourceRecord.program_id == program_id).order_by(ResourceRecord.resource_id)
        async with self._sm() as db:
            return [Resource.model_validate_json(r.data) for r in (await db.execute(query)).scalars()]
