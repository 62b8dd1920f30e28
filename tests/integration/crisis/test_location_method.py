"""How each position was found is recorded and carried to responders: the location API takes the
device position's method (an IANA PIDF-LO method token, RFC 4119), the packet keeps it, the PIDF-LO
gives the geodetic tuple its ``method`` (the civic one says ``Manual``) and the responder page says
it in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from handoff.pidf_lo import GP, PIDF
from tests.integration.crisis.helpers import RECIPIENT, scene, start_crisis
from tests.integration.crisis.test_responder_relay import schema  # noqa: F401 (fixture)
from tests.integration.plans.helpers import NEAR_POINT
from tests.support.world import SEEN_SECRETS

NS = {"p": PIDF, "gp": GP}


async def test_the_location_api_needs_a_known_method_for_a_device_position(world):
    s = await scene(world)
    without = {k: v for k, v in NEAR_POINT.items() if k != "method"}
    for point in (without, {**NEAR_POINT, "method": "Magic"}, {**NEAR_POINT, "method": "gps"}):
        status, body = await world.request("POST", "/api/participant/location", s.client.token,
                                           json={"at_planned_address": True, "geolocation": point})
        assert status == 422, (point, body)
    status, body = await world.request("POST", "/api/participant/location", s.client.token,
                                       json={"at_planned_address": True})
    assert status == 201, body  # no device position: nothing to say about one


async def test_the_method_reaches_the_packet_the_pidf_lo_and_the_page(world, schema):  # noqa: F811
    s = await scene(world)
    status, body = await world.request("POST", "/api/participant/location", s.client.token,
                                       json={"at_planned_address": True,
                                             "geolocation": {**NEAR_POINT, "method": "802.11"}})
    assert status == 201, body
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    crisis = await start_crisis(world, s)
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token, json={"situation": "Synthetic situation."})
    assert status == 201, made
    token = made["page_url"].split("#", 1)[1]
    SEEN_SECRETS.add(token)
    assert made["packet"]["geolocation"]["method"] == "802.11"
    assert made["packet"]["civic"]["method"] == "Manual"

    async with world.http.post(world.base_url + "/api/responder/open/pidf", json={"token": token, **RECIPIENT}) as resp:
        assert resp.status == 200
        document = (await resp.read()).decode()
    schema.validate(document)
    root = ET.fromstring(document)
    methods = {t.get("id"): t.find("p:status/gp:geopriv/gp:method", NS).text for t in root.findall("p:tuple", NS)}
    assert methods == {"loc-civic": "Manual", "loc-geo": "802.11"}

    status, view = await world.request("POST", "/api/responder/open", json={"token": token, **RECIPIENT})
    assert status == 200, view
    assert "found by Wi-Fi (802.11)" in view["location_lines"][1]
