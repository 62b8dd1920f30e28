"""An emergency override names only this client's crisis and this client's plan contacts, and its
written reason must be a reason: repeated, placeholder and keyboard-mash tokens are refused. Every
refusal is audited as a failed ``disclosure.override`` and raises no alert."""

from __future__ import annotations

from server.db.tables import StaffRole
from tests.integration.plans.helpers import enrol, write_plan
from tests.integration.plans.test_consent_api import REASON

FILLER = (
    "aaa bbb ccc ddd eee fff ggg hhh",
    "lorem ipsum dolor sit amet consectetur adipiscing elit",
    "asdf qwer zxcv hjkl uiop tyui ghjk",
    "abc def ghi jkl mno pqr stu vwx yz",
    "test test test test test test test test",
    "reason reason placeholder tbd todo blah whatever",
)


async def _open_crisis(world, therapist, client) -> str:
    status, crisis = await world.request("POST", f"/api/sessions/{client.session['id']}/crisis", therapist.access_token)
    assert status == 201, crisis
    return crisis["crisis_id"]


async def test_the_override_names_only_this_clients_crisis_and_plan_contacts(world):
    lead = await world.therapist(role=StaffRole.ADMIN)
    therapist = await world.therapist(program_id=lead.program_id)
    client = await enrol(world, therapist)
    await write_plan(world, therapist, client.client_id)
    other_client = await enrol(world, therapist, "Riley Example")
    other_plan = await write_plan(world, therapist, other_client.client_id)
    elsewhere = await world.therapist()
    foreign_client = await enrol(world, elsewhere, "Casey Example")
    foreign_crisis = await _open_crisis(world, elsewhere, foreign_client)
    sibling_crisis = await _open_crisis(world, therapist, other_client)
    url = f"/api/clients/{client.client_id}/disclosure-overrides"
    other_contact = next(c["contact_id"] for s in other_plan["version"]["sections"] for c in s.get("contacts") or ())

    for crisis_id in (foreign_crisis, sibling_crisis, "crisis_made_up"):
        status, body = await world.request("POST", url, therapist.access_token,
                                           json={"reason": REASON, "crisis_id": crisis_id})
        assert (status, body["code"]) == (422, "override_crisis_invalid"), (crisis_id, body)
    for contact_id in (other_contact, "contact_made_up"):
        status, body = await world.request("POST", url, therapist.access_token, json={
            "reason": REASON, "party": "support_person", "contact_id": contact_id})
        assert (status, body["code"]) == (422, "plan_contact_not_found"), (contact_id, body)
    status, body = await world.request("POST", url, therapist.access_token,
                                       json={"reason": REASON, "contact_id": other_contact})
    assert status == 422, body  # emergency services are named by no contact id

    own_crisis = await _open_crisis(world, therapist, client)
    status, made = await world.request("POST", url, therapist.access_token,
                                       json={"reason": REASON, "crisis_id": own_crisis})
    assert status == 201 and made["crisis_id"] == own_crisis, made

    status, alerts = await world.request("GET", "/api/alerts", lead.access_token)
    assert len(alerts["alerts"]) == 1  # refusals raise no alert
    status, trail = await world.request("GET", f"/api/audit?client_id={client.client_id}", lead.access_token)
    outcomes = [r["outcome"] for r in trail["records"] if r["action"] == "disclosure.override"]
    assert outcomes == ["failed"] * 6 + ["success"]


async def test_filler_and_placeholder_reasons_are_refused(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    url = f"/api/clients/{client.client_id}/disclosure-overrides"
    for filler in FILLER:
        status, body = await world.request("POST", url, therapist.access_token, json={"reason": filler})
        assert (status, body["code"]) == (422, "override_reason_required"), (filler, body)
    padded = "Client took pills. " + " ".join(["blah"] * 12)
    status, body = await world.request("POST", url, therapist.access_token, json={"reason": padded})
    assert (status, body["code"]) == (422, "override_reason_required"), body
    status, made = await world.request("POST", url, therapist.access_token, json={"reason": REASON})
    assert status == 201, made
