"""Relaying a crisis to responders: the packet is built on consent (or an override with a reason), holds
the client's confirmed location, the program's callback line, the situation and the plan's means-safety
notes; the disclosure is on the crisis timeline and in the audit log; the responder link serves the
packet as JSON and as schema-valid PIDF-LO until it expires, then answers 410."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import update

from handoff.pidf_lo import CA, GML, GP, GS
from server.app_keys import CRISES, ENGINE
from server.db.crisis_tables import ResponderLinkRecord
from server.db.tables import StaffRole, utcnow
from tests.integration.crisis.helpers import responder_get, scene, start_crisis
from tests.integration.plans.helpers import NEAR_POINT
from tests.support.world import SEEN_SECRETS

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
SITUATION = "Client disclosed taking pills about twenty minutes ago; still talking on video, slow speech."
REASON = ("Client disclosed an overdose on video and is now drowsy; we cannot ask for consent and "
          "responders must go to her address now.")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "pidf.xsd"), locations=[
        (GP, str(SCHEMAS / "geopriv10.xsd")), (CA, str(SCHEMAS / "civicAddr.xsd")),
        (GS, str(SCHEMAS / "geoShape.xsd")), (GML, str(SCHEMAS / "gml-subset.xsd")),
    ])


async def _located_scene(world):
    s = await scene(world)
    status, body = await world.request("POST", "/api/participant/location", s.client.token,
                                       json={"at_planned_address": True, "geolocation": NEAR_POINT})
    assert status == 201, body
    return s


async def test_packet_on_consent_is_recorded_and_served_until_the_link_expires(world, schema):
    s = await _located_scene(world)
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    cid = crisis["crisis_id"]

    status, made = await world.request("POST", f"/api/crises/{cid}/responder-packet", s.therapist.access_token,
                                       json={"situation": SITUATION})
    assert status == 201, made
    token = made["token"]
    SEEN_SECRETS.add(token)
    packet = made["packet"]
    assert packet["basis"]["kind"] == "consent" and packet["basis"]["reference"] == grant["grant_id"]
    assert sorted(packet["included"]) == ["callback_numbers", "lethal_means", "location", "situation"]
    assert packet["civic"]["address"]["street"] == "Example" and packet["geolocation"]["latitude"] == 40.001
    assert packet["callbacks"] == [{"role": "program_line", "phone": "+15550100"}]
    assert packet["lethal_means_notes"] == ["Sam keeps the spare medication at her place"]
    assert (made["responder_url"], made["pidf_url"]) == (f"{world.settings.public_url}/api/responder/packet",
                                                         f"{world.settings.public_url}/api/responder/pidf")
    assert made["page_url"] == f"{world.settings.public_url}/responder#{token}" and token not in made["responder_url"]

    notice = await host.wait_for("crisis", lambda d: d["event"]["kind"] == "disclosure")
    assert notice["event"]["recipient"] == {"kind": "emergency_services", "contact_id": None}
    status, got = await world.request("GET", f"/api/crises/{cid}", s.therapist.access_token)
    disclosure = got["timeline"][-1]
    assert (disclosure["kind"], disclosure["basis_ref"]) == ("disclosure", grant["grant_id"])
    assert sorted(disclosure["categories"]) == sorted(packet["included"]) and got["state"] == "active"

    status, served = await responder_get(world, "packet", token)
    assert status == 200 and served["packet_id"] == packet["packet_id"] and served["situation"] == SITUATION
    status, document = await responder_get(world, "pidf", token)
    assert status == 200
    schema.validate(document)
    document = document.encode()
    assert b"Example" in document and b"tel:+15550100" in document

    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(ResponderLinkRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
    for what in ("packet", "pidf"):
        status, gone = await responder_get(world, what, token)
        assert (status, gone["code"]) == (410, "responder_link_invalid")
    status, gone = await responder_get(world, "pidf", "not-a-token")
    assert (status, gone["code"]) == (410, "responder_link_invalid")

    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    actions = [(r["action"], r["outcome"]) for r in trail["records"]]
    assert ("crisis.disclosure", "success") in actions


async def test_without_consent_only_an_override_with_a_reason_relays(world, schema):
    s = await _located_scene(world)
    crisis = await start_crisis(world, s)
    path = f"/api/crises/{crisis['crisis_id']}/responder-packet"
    status, refused = await world.request("POST", path, s.therapist.access_token, json={"situation": SITUATION})
    assert (status, refused["code"]) == (409, "consent_required")
    status, made = await world.request("POST", path, s.therapist.access_token,
                                       json={"situation": SITUATION, "override_reason": REASON})
    assert status == 201, made
    SEEN_SECRETS.add(made["token"])
    packet = made["packet"]
    assert packet["basis"]["kind"] == "override" and packet["basis"]["audit_required"] is True
    assert "lethal_means" not in packet["included"]  # not covered by an override unless chosen
    assert REASON not in str(packet)  # the written reason is for the audit trail, not responders
    status, document = await responder_get(world, "pidf", made["token"])
    schema.validate(document)
    crisis_now = await world.app[CRISES].load(crisis["crisis_id"])
    assert crisis_now.timeline[-1].basis_kind == "override"


async def test_callback_numbers_for_the_client_and_the_clinician(world):
    s = await _located_scene(world)
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    crisis = await start_crisis(world, s)
    path = f"/api/crises/{crisis['crisis_id']}/responder-packet"
    status, bad = await world.request("POST", path, s.therapist.access_token,
                                      json={"situation": SITUATION, "client_phone": "call me maybe"})
    assert status == 422, bad
    status, made = await world.request("POST", path, s.therapist.access_token, json={
        "situation": SITUATION, "client_phone": "+1 555 0100 120", "therapist_phone": "+1-555-0100-121"})
    assert status == 201, made
    SEEN_SECRETS.add(made["token"])
    assert made["packet"]["callbacks"] == [
        {"role": "client", "phone": "+15550100120"}, {"role": "therapist", "phone": "+15550100121"},
        {"role": "program_line", "phone": "+15550100"}]
