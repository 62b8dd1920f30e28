"""The standing link ("my Steadyline"): shown once, kept only as a hash, rotated by issuing a new one,
revoked at once (the open page stops too), never a way into a session the client is not in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import socketio
from sqlalchemy import select

from tests.conftest import make_settings
from tests.integration.home.helpers import open_home, standing_link

from server.access.links import hash_token
from server.app_keys import CLIENTS
from server.db.home_tables import HomeLinkRecord
from server.db.tables import StaffRole, utcnow


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def _client(world, name: str = "Client A"):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], name)
    return therapist, session, link["participant"]["client_id"]


async def test_the_link_is_shown_once_and_only_its_hash_is_kept(world):
    therapist, _, client_id = await _client(world)
    token = await standing_link(world, therapist, client_id)
    assert len(token) >= 43  # 256 bits
    status, profile = await world.request("GET", f"/api/clients/{client_id}", therapist.access_token)
    assert status == 200 and profile["home_link"]["last_used_at"] is None, profile
    assert token not in str(profile)
    assert [r.token_hash for r in await _rows(world)] == [hash_token(token)]
    await open_home(world, token)
    status, profile = await world.request("GET", f"/api/clients/{client_id}", therapist.access_token)
    assert profile["home_link"]["last_used_at"] is not None


async def _rows(world) -> list[HomeLinkRecord]:
    async with world.app[CLIENTS]._sm() as db:
        return list((await db.execute(select(HomeLinkRecord))).scalars())


async def test_a_new_link_replaces_the_old_and_revoking_stops_the_open_page(world):
    therapist, _, client_id = await _client(world)
    first = await standing_link(world, therapist, client_id)
    page = await open_home(world, first)
    second = await standing_link(world, therapist, client_id)
    status, body = await world.request("POST", "/api/home/open", json={"token": first})
    assert status == 410 and body["code"] == "link_invalid"
    status, _ = await world.request("GET", "/api/home", page)
    assert status == 401  # the page opened with the old link stops at once
    page = await open_home(world, second)
    assert (await world.request("GET", "/api/home", page))[0] == 200
    status, revoked = await world.request("DELETE", f"/api/clients/{client_id}/home-link", therapist.access_token)
    assert status == 200 and revoked["revoked"] == 1
    assert (await world.request("GET", "/api/home", page))[0] == 401
    assert (await world.request("POST", "/api/home/open", json={"token": second}))[0] == 410


async def test_an_expired_link_does_not_open(world):
    therapist, _, client_id = await _client(world)
    token = await standing_link(world, therapist, client_id)
    async with world.app[CLIENTS]._sm() as db, db.begin():
        row = (await db.execute(select(HomeLinkRecord))).scalars().one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert (await world.request("POST", "/api/home/open", json={"token": token}))[0] == 410


async def test_the_page_joins_only_the_clients_own_sessions_and_only_when_open(world):
    therapist, session, client_id = await _client(world)
    page = await open_home(world, await standing_link(world, therapist, client_id))
    status, home = await world.request("GET", "/api/home", page)
    assert [s["session_id"] for s in home["upcoming"]] == [session["id"]]
    status, joined = await world.request("POST", f"/api/home/sessions/{session['id']}/join", page)
    assert status == 200 and joined["participant"]["client_id"] == client_id
    sock = await world.socket(joined["participant_token"])
    assert (await sock.call("join"))["state"]["you"]["status"] == "lobby"  # the therapist lets them in

    _, other_session, _ = await _client(world, "Client B")  # another client's session, another program
    status, body = await world.request("POST", f"/api/home/sessions/{other_session['id']}/join", page)
    assert status == 404, body
    colleague_session = await world.session(therapist)  # same program, the client is not in it
    status, body = await world.request("POST", f"/api/home/sessions/{colleague_session['id']}/join", page)
    assert status == 404, body
    later = await world.session(therapist, starts_at=utcnow() + timedelta(hours=3),
                                ends_at=utcnow() + timedelta(hours=4))
    await world.add_client(therapist, later["id"], "Client A")  # a new client record: not this client
    status, body = await world.request("POST", f"/api/home/sessions/{later['id']}/join", page)
    assert status == 404, body


async def test_a_session_not_open_yet_says_when(world):
    therapist, _, client_id = await _client(world)
    later = await world.session(therapist, starts_at=utcnow() + timedelta(hours=3),
                                ends_at=utcnow() + timedelta(hours=4))
    status, _ = await world.request("POST", f"/api/sessions/{later['id']}/participants", therapist.access_token,
                                    json={"display_name": "Client A", "client_id": client_id})
    assert status == 201
    page = await open_home(world, await standing_link(world, therapist, client_id))
    status, body = await world.request("POST", f"/api/home/sessions/{later['id']}/join", page)
    assert status == 409 and body["code"] == "session_not_open", body


async def test_program_settings_refuse_nonsense(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    for bad in ({"timezone": "Mars/Olympus_Mons", "office_hours": "Mon-Fri 09:00-17:00"},
                {"timezone": "UTC", "office_hours": "whenever"},
                {"timezone": "UTC", "office_hours": "Mon-Fri 17:00-09:00"}):
        status, body = await world.request("PUT", "/api/program/settings", admin.access_token, json=bad)
        assert status == 422, (bad, body)
    status, body = await world.request("PUT", "/api/program/settings", admin.access_token,
                                       json={"timezone": "Europe/Lisbon", "office_hours": "mon,tue 8:00-12:30"})
    assert status == 200 and body["office_hours"] == "Mon,Tue 08:00-12:30" and body["timezone"] == "Europe/Lisbon"
    assert body["crisis_line"]  # the deployment's line until the program sets its own


async def test_switching_the_link_off_ends_a_call_the_page_started(world):
    therapist, session, client_id = await _client(world)
    page = await open_home(world, await standing_link(world, therapist, client_id))
    status, joined = await world.request("POST", f"/api/home/sessions/{session['id']}/join", page)
    assert status == 200
    token = joined["participant_token"]
    assert (await world.request("GET", "/api/participant/safety-plan", token))[0] in (200, 404)
    sock = await world.socket(token)
    assert (await sock.call("join"))["ok"]
    status, _ = await world.request("DELETE", f"/api/clients/{client_id}/home-link", therapist.access_token)
    assert status == 200
    assert (await world.request("GET", "/api/participant/safety-plan", token))[0] == 401  # REST: at once
    removed = await sock.wait_for("removed")  # the call it opened ends now
    assert removed["reason"] == "link_revoked"
    with pytest.raises(socketio.exceptions.ConnectionError):
        await world.socket(token)  # a new connection with it is refused
