"""Location at a join: stored encrypted, returned by no endpoint, read by the crisis code through
``latest_location``; a position far from the confirmed address is flagged to the therapist."""

from __future__ import annotations

import asyncio

from server.app_keys import DISCLOSURES
from tests.integration.plans.helpers import FAR_POINT, HOME, NEAR_POINT, enrol, write_plan

URL = "/api/participant/location"


async def test_a_far_away_device_is_flagged_to_the_therapist_only(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    await write_plan(world, therapist, client.client_id)
    host = await world.host_in_room(therapist, client.session["id"])
    member = await world.socket(client.token)
    await member.call("join")

    status, body = await world.request("POST", URL, client.token, json={"at_planned_address": True,
                                                                          "geolocation": NEAR_POINT})
    assert status == 201 and body["recorded"] is True, body
    status, body = await world.request("POST", URL, client.token, json={"at_planned_address": True,
                                                                          "geolocation": FAR_POINT})
    assert status == 201, body
    flag = await host.wait_for("location_flag")
    assert flag["participant_id"] == client.participant_id and 110_000 < flag["distance_m"] < 112_000
    await asyncio.sleep(0.2)
    assert len(host.events["location_flag"]) == 1  # the near one was not flagged
    assert member.events["location_flag"] == []  # and the client is not told

    latest = await world.app[DISCLOSURES].latest_location(client.client_id)
    assert latest.flagged and latest.source == "planned_address"
    assert latest.confirmed.address.street == "Example" and latest.geolocation.latitude == FAR_POINT["latitude"]
    assert latest.geolocation.accuracy_m == FAR_POINT["accuracy_m"] and latest.geolocation.source.value == "browser"

    status, plan = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan", therapist.access_token)
    assert plan["nearest_from"] == "confirmed_location"
    assert "41.0" not in str(plan)  # the confirmed position itself is never returned


async def test_a_typed_address_is_recorded_and_a_missing_planned_address_is_explained(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    status, body = await world.request("POST", URL, client.token, json={"at_planned_address": True})
    assert (status, body["code"]) == (409, "no_planned_address")
    elsewhere = {**HOME, "house_number": "40", "unit": "2B"}
    status, body = await world.request("POST", URL, client.token, json={"address": elsewhere,
                                                                          "geolocation": FAR_POINT})
    assert status == 201, body
    latest = await world.app[DISCLOSURES].latest_location(client.client_id)
    assert latest.source == "typed_address" and latest.confirmed.address.unit == "2B" and not latest.flagged
    status, body = await world.request("POST", URL, client.token, json={"at_planned_address": True,
                                                                          "address": elsewhere})
    assert status == 422
    status, body = await world.request("POST", URL, client.token, json={"address": {**HOME, "country": "1X"}})
    assert status == 422
    status, body = await world.request("POST", URL, therapist.access_token, json={"address": HOME})
    assert status == 401  # a staff token is not a participant token
