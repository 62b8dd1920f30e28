"""Consent to disclose: allowed exactly while a grant is in force (started, not expired, not
revoked); the emergency override needs a written reason, is audited and alerts the clinical lead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.consent import Party, Scope
from handoff.errors import ConsentRequired
from server.app_keys import DISCLOSURES
from server.db.tables import StaffRole, utcnow
from tests.integration.plans.helpers import enrol, write_plan

REASON = ("Client said on video they took pills twenty minutes ago and then stopped answering; "
          "we cannot ask for consent and need responders at the planned address now.")


def _contact(plan: dict, name: str) -> str:
    return next(c["contact_id"] for s in plan["version"]["sections"] for c in s["contacts"] if c["name"] == name)


async def test_disclosure_is_allowed_exactly_while_consent_is_in_force(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    plan = await write_plan(world, therapist, client.client_id)
    sam = _contact(plan, "Sam Example")
    now = utcnow()
    starts, expires = now + timedelta(minutes=5), now + timedelta(days=30)
    status, grant = await world.request("POST", f"/api/clients/{client.client_id}/consents", therapist.access_token,
                                        json={"party": "support_person", "contact_id": sam, "scope": "phone",
                                              "starts_at": starts.isoformat(), "expires_at": expires.isoformat()})
    assert status == 201, grant
    assert grant["contact_name"] == "Sam Example" and grant["recorded_by"] == therapist.id

    check = world.app[DISCLOSURES].check_disclosure
    party = Party.support_person(sam)
    with pytest.raises(ConsentRequired):
        await check(client.client_id, party, Scope.PHONE, now)  # not started yet
    basis = await check(client.client_id, party, Scope.PHONE, starts + timedelta(days=1))
    assert basis.grant_id == grant["grant_id"] and basis.valid_until == expires
    with pytest.raises(ConsentRequired):
        await check(client.client_id, party, Scope.RECEIVE_LOCATION, starts + timedelta(days=1))  # another scope
    with pytest.raises(ConsentRequired):
        await check(client.client_id, Party.support_person(_contact(plan, "Alex Sample")), Scope.PHONE,
                    starts + timedelta(days=1))  # another person
    with pytest.raises(ConsentRequired):
        await check(client.client_id, party, Scope.PHONE, expires + timedelta(seconds=1))  # expired

    status, revoked = await world.request(
        "POST", f"/api/clients/{client.client_id}/consents/{grant['grant_id']}/revoke", therapist.access_token)
    assert status == 200 and revoked["revoked_by"] == therapist.id, revoked
    with pytest.raises(ConsentRequired):
        await check(client.client_id, party, Scope.PHONE, utcnow() + timedelta(days=1))
    status, listed = await world.request("GET", f"/api/clients/{client.client_id}/consents", therapist.access_token)
    assert [(g["scope"], g["active"], g["revoked_at"] is not None) for g in listed["grants"]] == [("phone", False, True)]


async def test_emergency_services_consent_and_bad_grants(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    base = f"/api/clients/{client.client_id}/consents"
    status, body = await world.request("POST", base, therapist.access_token,
                                       json={"party": "support_person", "contact_id": "contact_x", "scope": "phone"})
    assert status == 422, body  # no plan yet
    plan = await write_plan(world, therapist, client.client_id)
    status, body = await world.request("POST", base, therapist.access_token,
                                       json={"party": "support_person", "contact_id": "contact_x", "scope": "phone"})
    assert (status, body["code"]) == (422, "plan_contact_not_found")
    status, body = await world.request("POST", base, therapist.access_token,
                                       json={"party": "emergency_services", "scope": "phone"})
    assert (status, body["code"]) == (422, "consent_invalid")
    now = utcnow()
    status, body = await world.request("POST", base, therapist.access_token, json={
        "party": "support_person", "contact_id": _contact(plan, "Sam Example"), "scope": "receive_location",
        "starts_at": now.isoformat(), "expires_at": (now - timedelta(days=1)).isoformat()})
    assert (status, body["code"]) == (422, "consent_invalid")
    status, body = await world.request("POST", base, therapist.access_token,
                                       json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201 and body["categories"] == ["callback_numbers", "lethal_means", "location", "situation"]
    basis = await world.app[DISCLOSURES].check_disclosure(
        client.client_id, Party.emergency_services(), Scope.SHARE_LOCATION_AND_SITUATION, utcnow())
    assert basis.grant_id == body["grant_id"]
    status, body = await world.request("POST", f"{base}/consent_nope/revoke", therapist.access_token)
    assert (status, body["code"]) == (404, "consent_grant_not_found")


async def _audit(world, admin, client_id: str) -> list[dict]:
    status, body = await world.request("GET", f"/api/audit?client_id={client_id}", admin.access_token)
    assert status == 200, body
    return body["records"]


async def test_an_override_needs_a_reason_is_audited_and_alerts_the_clinical_lead(world):
    lead = await world.therapist(role=StaffRole.ADMIN)
    therapist = await world.therapist(program_id=lead.program_id)
    elsewhere = await world.therapist(role=StaffRole.ADMIN)
    client = await enrol(world, therapist)
    url = f"/api/clients/{client.client_id}/disclosure-overrides"

    for thin in ("", "urgent", "help help help help help help help help"):
        status, body = await world.request("POST", url, therapist.access_token, json={"reason": thin})
        assert (status, body["code"]) == (422, "override_reason_required"), body
        assert "written reason" in body["title"]
    status, body = await world.request("GET", "/api/alerts", lead.access_token)
    assert body["alerts"] == []

    status, crisis = await world.request("POST", f"/api/sessions/{client.session['id']}/crisis",
                                         therapist.access_token)
    assert status == 201, crisis
    status, override = await world.request("POST", url, therapist.access_token,
                                           json={"reason": REASON, "crisis_id": crisis["crisis_id"]})
    assert status == 201, override
    assert override["scopes"] == ["share_location_and_situation"]
    assert override["categories"] == ["callback_numbers", "location", "situation"]  # minimum necessary

    records = [r for r in await _audit(world, lead, client.client_id) if r["action"] == "disclosure.override"]
    assert [(r["outcome"], r["actor_id"]) for r in records] == [("failed", therapist.id)] * 3 + [
        ("success", therapist.id)]
    assert all(REASON[:20] not in str(r) for r in records)  # the audit trail holds no PHI

    status, alerts = await world.request("GET", "/api/alerts", lead.access_token)
    assert status == 200 and len(alerts["alerts"]) == 1, alerts
    alert = alerts["alerts"][0]
    assert alert["recipient_id"] == lead.id and alert["urgency"] == "high" and alert["kind"] == "disclosure.override"
    assert alert["alert_id"] == override["alert_id"] and REASON in alert["body"]
    status, seen = await world.request("GET", "/api/alerts", therapist.access_token)
    assert status == 200 and len(seen["alerts"]) == 1  # staff of the program see it
    status, other = await world.request("GET", "/api/alerts", elsewhere.access_token)
    assert other["alerts"] == []
    status, _ = await world.request("GET", "/api/alerts", client.token)
    assert status == 403  # a participant token is the wrong kind: sign-in would not help


async def test_an_override_for_a_support_person_covers_only_their_location(world):
    lead = await world.therapist(role=StaffRole.ADMIN)
    client = await enrol(world, lead)
    plan = await write_plan(world, lead, client.client_id)
    status, override = await world.request(
        "POST", f"/api/clients/{client.client_id}/disclosure-overrides", lead.access_token,
        json={"reason": REASON, "party": "support_person", "contact_id": _contact(plan, "Sam Example")})
    assert status == 201, override
    assert (override["party"], override["scopes"], override["categories"]) == (
        "support_person", ["receive_location"], ["location"])
