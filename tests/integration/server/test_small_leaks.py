"""Small leaks closed: one answer for unknown and foreign crises, no ``Server`` header naming versions,
consent grants and revocations in a client's audit export, and a participant token on a staff
endpoint told plainly it is the wrong kind (403), not to sign in again (401)."""

from __future__ import annotations

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis


async def test_another_programs_crisis_answers_like_an_unknown_one(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    stranger = await world.therapist()  # another program
    for path in (f"/api/crises/{crisis['crisis_id']}", "/api/crises/crisis-made-up"):
        status, body = await world.request("GET", path, stranger.access_token)
        assert (status, body["code"], body["title"]) == (404, "crisis_not_found", "crisis not found"), (path, body)
    for path in (f"/api/crises/{crisis['crisis_id']}/transitions", "/api/crises/crisis-made-up/transitions"):
        status, body = await world.request("POST", path, stranger.access_token,
                                           json={"action": "stabilise", "expected_version": 1})
        assert (status, body["code"]) == (404, "crisis_not_found"), (path, body)


async def test_no_server_header_names_python_or_aiohttp(world):
    s = await scene(world)
    for path in ("/healthz", "/api/me", "/api/nothing-here", "/static/js/lib/api.js", "/join", "/api/openapi.json"):
        async with world.http.get(world.base_url + path,
                                  headers={"Authorization": f"Bearer {s.therapist.access_token}"}) as resp:
            assert "Server" not in resp.headers, (path, resp.headers.get("Server"))


async def test_a_clients_audit_export_holds_consent_grants_and_revocations(world):
    s = await scene(world)
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    status, revoked = await world.request(
        "POST", f"/api/clients/{s.client.client_id}/consents/{grant['grant_id']}/revoke", s.therapist.access_token)
    assert status == 200, revoked
    status, trail = await world.request("GET", f"/api/audit?client_id={s.client.client_id}", admin.access_token)
    assert status == 200, trail
    about_grant = {(r["action"], r["outcome"]) for r in trail["records"] if r["target_id"] == grant["grant_id"]}
    assert about_grant == {("consent.record", "success"), ("consent.revoke", "success")}


async def test_a_participant_token_on_a_staff_endpoint_is_forbidden_not_signed_out(world):
    s = await scene(world)
    for method, path in (("GET", "/api/me"), ("GET", f"/api/sessions/{s.session_id}"),
                         ("GET", f"/api/clients/{s.client.client_id}/safety-plan")):
        status, body = await world.request(method, path, s.client.token)
        assert (status, body["code"]) == (403, "staff_only"), (path, body)
        assert "sign in again" not in body["title"].lower()
    status, body = await world.request("GET", "/api/me", "not-a-token")
    assert (status, body["code"]) == (401, "invalid_token")  # a broken token still means: sign in
