"""``GET /api/crises/{id}/read-out``: what the therapist reads out on a phone call to emergency services —
the client's name, the address they confirmed at this join, their device's position and callback numbers
formatted for the program's country; only while the crisis is open; every read audited."""

from __future__ import annotations

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed
from tests.integration.crisis.test_responder_relay import _located_scene
from tests.support.world import SEEN_SECRETS

PLANNED = "12 Example Street, Exampleton, PA, 19000, US"


async def test_the_read_out_gives_the_confirmed_address_and_formatted_numbers(world):
    s = await _located_scene(world)
    crisis = await start_crisis(world, s)
    path = f"/api/crises/{crisis['crisis_id']}/read-out"
    status, read = await world.request("GET", path, s.therapist.access_token)
    assert status == 200, read
    assert read["client_name"] == "Jordan Example"
    assert read["address"] == PLANNED and read["address_source"] == "planned_address"
    assert read["address_confirmed_at"] is not None
    assert read["device_position"] == "latitude 40.00100, longitude -75.00000, within 30 m"
    assert read["warning"] is None
    assert read["callbacks"] == [{"label": "Program crisis line", "number": "555-0100", "tel": "tel:+15550100"}]
    assert read["consent_to_emergency_services"] is False  # reading it out needs the override recorded

    # the numbers given with a responder packet are there to read out too, as people write them
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token,
                                       json={"situation": "Synthetic.", "client_phone": "+1 555 555 0142",
                                             "therapist_phone": "+44 20 7946 0958", "override_reason": "Synthetic: "
                                             "the client is unresponsive and cannot be asked."})
    assert status == 201, made
    SEEN_SECRETS.add(made["token"])
    status, read = await world.request("GET", path, s.therapist.access_token)
    assert [(c["label"], c["number"]) for c in read["callbacks"]] == [
        ("Client (as given to responders)", "(555) 555-0142"), ("You (as given to responders)", "+44 20 7946 0958"),
        ("Program crisis line", "555-0100")]

    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    reads = [r for r in trail["records"] if r["action"] == "crisis.location_read"]
    assert len(reads) == 2 and {r["actor_id"] for r in reads} == {s.therapist.id}
    assert {r["target_id"] for r in reads} == {crisis["crisis_id"]}


async def test_without_a_confirmation_the_address_is_missing_and_a_closed_crisis_answers_409(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    path = f"/api/crises/{crisis['crisis_id']}/read-out"
    status, read = await world.request("GET", path, s.therapist.access_token)
    assert status == 200, read
    assert read["address"] is None and read["device_position"] is None
    await walk_to_closed(world, s, crisis)
    status, body = await world.request("GET", path, s.therapist.access_token)
    assert status == 409 and body["code"] == "crisis_closed"
