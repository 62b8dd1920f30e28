"""The REST API through the real app: sign-in, sessions, links, scoping and problem responses."""

from __future__ import annotations

from datetime import timedelta

from server.db.tables import StaffRole, utcnow
from tests.support.world import PASSWORD


async def test_sign_in_with_wrong_password_or_unknown_email_gets_the_same_answer(world):
    therapist = await world.therapist()
    wrong = await world.request("POST", "/api/auth/login", json={"email": therapist.email, "password": "nope"})
    unknown = await world.request("POST", "/api/auth/login", json={"email": "who@example.test", "password": "nope"})
    assert wrong[0] == unknown[0] == 401
    assert wrong[1]["code"] == unknown[1]["code"] == "bad_credentials"
    ok = await world.request("POST", "/api/auth/login", json={"email": therapist.email.upper(), "password": PASSWORD})
    assert ok[0] == 200 and ok[1]["staff"]["role"] == "therapist"


async def test_staff_endpoints_need_a_valid_access_token(world):
    for token in (None, "not-a-token"):
        status, body = await world.request("GET", "/api/sessions", token)
        assert status == 401 and body["code"] in ("unauthorized", "invalid_token")
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    participant_token = (await world.redeem(link["join_url"]))["participant_token"]
    status, _ = await world.request("GET", "/api/sessions", participant_token)
    assert status == 403  # a participant token is not an access token: signing in again would not help


async def test_therapist_creates_session_adds_client_and_lists_it(world):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    link = await world.add_client(therapist, session["id"], "Client A")
    assert link["join_url"].startswith(world.settings.public_url + "/join#")
    status, listed = await world.request("GET", "/api/sessions", therapist.access_token)
    assert status == 200 and [s["id"] for s in listed["sessions"]] == [session["id"]]
    status, detail = await world.request("GET", f"/api/sessions/{session['id']}", therapist.access_token)
    assert [p["display_name"] for p in detail["participants"] if p["role"] == "client"] == ["Client A"]


async def test_individual_session_takes_one_client(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    await world.add_client(therapist, session["id"])
    status, body = await world.request("POST", f"/api/sessions/{session['id']}/participants",
                                       therapist.access_token, json={"display_name": "Second"})
    assert status == 409 and "individual" in body["title"]


async def test_another_programs_session_is_not_found(world):
    mine = await world.therapist()
    theirs = await world.therapist()  # another program
    session = await world.session(theirs)
    for method, path in [("GET", ""), ("POST", "/participants"), ("POST", "/host"), ("POST", "/end")]:
        status, body = await world.request(method, f"/api/sessions/{session['id']}{path}", mine.access_token,
                                           json={"display_name": "X"} if path == "/participants" else None)
        assert status == 404, (method, path, body)


async def test_a_colleagues_session_is_forbidden_but_an_admin_may_manage_it(world):
    owner = await world.therapist()
    colleague = await world.therapist(program_id=owner.program_id)
    admin = await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN)
    session = await world.session(owner)
    status, _ = await world.request("GET", f"/api/sessions/{session['id']}", colleague.access_token)
    assert status == 403
    status, _ = await world.request("GET", f"/api/sessions/{session['id']}", admin.access_token)
    assert status == 200
    status, _ = await world.request("POST", f"/api/sessions/{session['id']}/host", admin.access_token)
    assert status == 403  # only the session's therapist hosts the call


async def test_revoked_and_reissued_links(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    pid = link["participant"]["id"]
    status, reissued = await world.request("POST", f"/api/sessions/{session['id']}/participants/{pid}/link",
                                           therapist.access_token)
    assert status == 200 and reissued["join_url"] != link["join_url"]
    old = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#")[1]})
    assert old[0] == 410 and old[1]["code"] == "link_invalid"
    status, revoked = await world.request("DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link",
                                          therapist.access_token)
    assert status == 200 and revoked["revoked"] == 1
    new = await world.request("POST", "/api/join", json={"token": reissued["join_url"].split("#")[1]})
    unknown = await world.request("POST", "/api/join", json={"token": "A" * 43})
    assert new == unknown  # revoked and unknown links get the very same answer


async def test_ending_a_session_stops_its_links(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    status, ended = await world.request("POST", f"/api/sessions/{session['id']}/end", therapist.access_token)
    assert status == 200 and ended["status"] == "ended"
    status, body = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#")[1]})
    assert status == 410


async def test_bad_bodies_get_clear_problems_not_500(world):
    therapist = await world.therapist()
    cases = [
        b"\xff\xfe not utf-8", b"{not json", b"[]", b'{"kind": "party"}',
        b'{"kind": "group", "title": "x", "starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T11:00:00"}',
    ]
    for raw in cases:
        status, body = await _post_raw(world, therapist, raw)
        assert status == 422, (raw, body)
        assert body["code"] == "invalid_input" and "Traceback" not in str(body)
    now = utcnow()
    backwards = {"kind": "group", "title": "x", "starts_at": now.isoformat(),
                 "ends_at": (now - timedelta(hours=1)).isoformat()}
    status, body = await world.request("POST", "/api/sessions", therapist.access_token, json=backwards)
    assert status == 422 and "ends_at" in str(body["errors"])


async def _post_raw(world, therapist, raw: bytes):
    headers = {"Authorization": f"Bearer {therapist.access_token}", "Content-Type": "application/json"}
    async with world.http.post(world.base_url + "/api/sessions", data=raw, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_health_readiness_metrics_and_openapi(world):
    assert (await world.request("GET", "/healthz"))[0] == 200
    assert (await world.request("GET", "/readyz"))[0] == 200
    status, metrics = await world.request("GET", "/metrics")
    assert status == 200 and "steadyline_socket_connections" in metrics and "steadyline_http_requests" in metrics
    status, document = await world.request("GET", "/api/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert {"/api/auth/login", "/api/sessions", "/api/join"} <= set(document["paths"])
    status, body = await world.request("GET", "/no/such/page")
    assert status == 404 and body["code"] == "not_found"


async def test_security_headers_and_private_join_page(world):
    async with world.http.get(world.base_url + "/api/openapi.json") as resp:
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert "max-age" in resp.headers["Strict-Transport-Security"]
    async with world.http.get(world.base_url + "/join") as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["Referrer-Policy"] == "no-referrer"


async def test_metrics_count_connections_rooms_joins_and_messages(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host = await world.host_in_room(therapist, session["id"])
    link = await world.add_client(therapist, session["id"])
    await world.admitted_client(host, link["join_url"])
    await host.call("lock", {"locked": "not a bool"})
    _, metrics = await world.request("GET", "/metrics")
    values = {line.split(" ")[0]: float(line.split(" ")[1]) for line in metrics.splitlines()
              if line and not line.startswith("#")}
    assert values["steadyline_socket_connections"] == 2
    assert values["steadyline_rooms"] == 1
    assert values["steadyline_joins_total"] == 2
    assert values['steadyline_signaling_messages_total{event="admit"}'] == 1
    assert values['steadyline_signaling_errors_total{code="malformed_payload"}'] == 1
