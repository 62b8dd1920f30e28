"""The responder's page: the link carries its token in the fragment; the page posts it and gets the
packet with its location in words (address, device position with accuracy, method and time) and the
program's nearest crisis resources; the PIDF-LO download validates; every opening is audited; an
expired or unknown token is refused with 410 and nothing of the packet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from server.app_keys import ENGINE
from server.db.crisis_tables import ResponderLinkRecord
from server.db.tables import StaffRole, utcnow
from tests.integration.crisis.helpers import RECIPIENT, start_crisis
from tests.integration.crisis.test_responder_relay import SITUATION, _located_scene, schema  # noqa: F401 (fixture)
from tests.integration.plans.test_plans_at_rest import CSV
from tests.support.world import SEEN_SECRETS


async def _packet(world, s) -> tuple[dict, str]:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    crisis = await start_crisis(world, s)
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token, json={"situation": SITUATION})
    assert status == 201, made
    token = made["token"]
    SEEN_SECRETS.add(token)
    return made, token


async def test_the_page_shows_the_location_in_words_and_the_nearest_resources(world, schema):  # noqa: F811
    s = await _located_scene(world)
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, imported = await world.request("POST", "/api/program/resources/import", admin.access_token,
                                           json={"csv": CSV})
    assert status == 200, imported
    made, token = await _packet(world, s)

    async with world.http.get(world.base_url + "/responder") as resp:
        assert resp.status == 200 and "Responder information" in await resp.text()
        assert resp.headers["Cache-Control"] == "no-store" and resp.headers["Referrer-Policy"] == "no-referrer"

    status, view = await world.request("POST", "/api/responder/open", json={"token": token, **RECIPIENT})
    assert status == 200, view
    assert view["packet"]["packet_id"] == made["packet"]["packet_id"] and view["packet"]["situation"] == SITUATION
    address, position = view["location_lines"][:2]
    assert address.startswith("Address confirmed by the client: 12 Example Street, Exampleton, PA, 19000, US")
    assert "latitude 40.00100, longitude -75.00000" in position and "within 30 m" in position
    assert [r["resource_id"] for r in view["resources"]] == ["near", "line", "middle"]  # nearest first
    assert view["resources"][0]["distance_m"] < 3000

    async with world.http.post(world.base_url + "/api/responder/open/pidf", json={"token": token, **RECIPIENT}) as resp:
        assert resp.status == 200 and resp.content_type == "application/pidf+xml"
        assert "attachment" in resp.headers["Content-Disposition"]
        schema.validate((await resp.read()).decode())

    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    opened = [r for r in trail["records"] if r["action"] in ("responder.page", "responder.pidf")]
    assert {(r["action"], r["outcome"], r["actor_role"]) for r in opened} == {
        ("responder.page", "success", "responder"), ("responder.pidf", "success", "responder")}


async def test_an_expired_or_unknown_token_is_refused(world):
    s = await _located_scene(world)
    _, token = await _packet(world, s)
    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(ResponderLinkRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
    for path in ("/api/responder/open", "/api/responder/open/pidf"):
        status, gone = await world.request("POST", path, json={"token": token, **RECIPIENT})
        assert (status, gone["code"]) == (410, "responder_link_invalid"), gone
        assert SITUATION not in str(gone)
    status, gone = await world.request("POST", "/api/responder/open", json={"token": "A" * 43, **RECIPIENT})
    assert (status, gone["code"]) == (410, "responder_link_invalid")
    status, bad = await world.request("POST", "/api/responder/open", json={"token": "../../etc", **RECIPIENT})
    assert status == 422
    status, bad = await world.request("POST", "/api/responder/open", json={"token": token, "extra": 1, **RECIPIENT})
    assert status == 422


async def _joinable(world, s, allow_join: bool) -> tuple[dict, str]:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    crisis = await start_crisis(world, s)
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token, json={"situation": SITUATION, "allow_join": allow_join})
    assert status == 201, made
    token = made["token"]
    SEEN_SECRETS.add(token)
    return crisis, token


async def test_a_responder_may_join_the_call_when_the_clinician_allowed_it(world):
    s = await _located_scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis, token = await _joinable(world, s, allow_join=True)
    status, view = await world.request("POST", "/api/responder/open", json={"token": token, **RECIPIENT})
    assert status == 200 and view["can_join"] is True

    status, joined = await world.request("POST", "/api/responder/join", json={"token": token, **RECIPIENT})
    assert status == 200, joined
    SEEN_SECRETS.add(joined["participant_token"])
    assert joined["participant"]["role"] == "responder" and joined["session_id"] == s.session_id
    status, again = await world.request("POST", "/api/responder/join", json={"token": token, **RECIPIENT})
    assert again["participant"]["id"] == joined["participant"]["id"]  # one place per link
    SEEN_SECRETS.add(again["participant_token"])

    responder = await world.socket(joined["participant_token"])
    ack = await responder.call("join")
    assert ack["state"]["you"]["status"] == "admitted" and ack["state"]["crisis"]["crisis_id"] == crisis["crisis_id"]
    await host.wait_for("presence", lambda d: d["participant_id"] == joined["participant"]["id"]
                        and d["state"] == "joined")
    for event, payload in (("admit", {"participant_id": "x"}), ("lock", {"locked": True}), ("end_session", {})):
        refused = await responder.call(event, payload)
        assert refused["error"]["code"] == "not_permitted", (event, refused)
    for method, path in (("GET", "/api/participant/safety-plan"), ("POST", "/api/participant/help"),
                         ("GET", f"/api/crises/{crisis['crisis_id']}")):
        assert (await world.request(method, path, joined["participant_token"]))[0] in (401, 403), path
    status, current = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", s.therapist.access_token)
    assert any(e["kind"] == "joined" and e["participant_role"] == "responder" for e in current["timeline"])

    for action in ("stabilise", "close"):
        status, current = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/transitions",
                                              s.therapist.access_token,
                                              json={"action": action, "expected_version": current["version"]})
        assert status == 200, current
    status, over = await world.request("POST", "/api/responder/join", json={"token": token, **RECIPIENT})
    assert (status, over["code"]) == (410, "responder_link_invalid")  # the crisis is over


async def test_without_permission_the_responder_cannot_join(world):
    s = await _located_scene(world)
    _, token = await _joinable(world, s, allow_join=False)
    status, view = await world.request("POST", "/api/responder/open", json={"token": token, **RECIPIENT})
    assert view["can_join"] is False
    status, refused = await world.request("POST", "/api/responder/join", json={"token": token, **RECIPIENT})
    assert (status, refused["code"]) == (403, "responder_join_not_allowed")
    participants = await world.store.list_participants(s.session_id)
    assert not [p for p in participants if p.role.value == "responder"]
