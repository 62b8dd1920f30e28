"""A client not in their session ten minutes after it started becomes an outreach task and an alert for
their therapist (no health information in the subject); a client waiting in the lobby, let in, or in an
urgent help room never does; a second miss alerts the clinical lead; the care team takes the task and
resolves it with a note kept encrypted. The sweep runs on a FakeClock the tests advance."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import make_settings
from tests.support.access import unnamed
from tests.support.fake_clock import FakeClock
from tests.support.smtp import eventually

from server.app_keys import ENGINE, MISSED_SESSIONS
from server.db.tables import StaffRole

AFTER = 600.0
SWEEP = 30.0
OUTREACH_ENDPOINTS = {
    ("GET", "/api/outreach"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    # a colleague not on the client's care team (the live dashboard's scoping) finds no such task
    ("POST", "/api/outreach/{task_id}/assign"): {"owner": 200, "colleague": 404, "admin": 422,
                                                 "other_admin": 404},
    ("POST", "/api/outreach/{task_id}/resolve"): {"owner": 200, "colleague": 404, "admin": 200,
                                                  "other_admin": 404},
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sweep_interval() -> float:
    return 0.0  # the tests sweep themselves (no race with the owned loop); one test runs the loop


@pytest.fixture
def settings(database_url, sweep_interval):
    return make_settings(database_url, missed_session_after=AFTER, outreach_sweep_interval=sweep_interval,
                         missed_session_escalate=2)


async def _open_tasks(world, token: str) -> list[dict]:
    status, body = await world.request("GET", "/api/outreach", token)
    assert status == 200, body
    return body["tasks"]


async def _swept(world, clock: FakeClock, seconds: float) -> None:
    await clock.advance(seconds)
    await world.app[MISSED_SESSIONS].sweep()


@pytest.mark.parametrize("sweep_interval", [SWEEP], ids=["loop"])
async def test_the_owned_loop_finds_a_missed_session_on_its_own(world, clock):
    therapist = await world.therapist()
    session = await world.session(therapist)
    await world.add_client(therapist, session["id"], "Client A")
    await clock.advance(AFTER)  # the loop's looks before the session is ten minutes old find nothing
    await clock.sleeping()  # the loop waits for its next look
    await clock.advance(2 * SWEEP)
    tasks = await eventually(lambda: _open_tasks(world, therapist.access_token), timeout=10)
    assert [t["session_id"] for t in tasks] == [session["id"]]


async def test_a_missed_session_becomes_an_outreach_task_and_twice_alerts_the_lead(world, clock):
    therapist = await world.therapist()
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    first = await world.session(therapist)
    missed = await world.add_client(therapist, first["id"], "Client A")
    client_id = missed["participant"]["client_id"]
    await _swept(world, clock, AFTER - 60)
    assert await _open_tasks(world, therapist.access_token) == []  # not yet ten minutes

    await _swept(world, clock, 120)
    tasks = await _open_tasks(world, therapist.access_token)
    assert client_id in {t["client_id"] for t in tasks}
    task = next(t for t in tasks if t["client_id"] == client_id)
    assert task["session_id"] == first["id"] and task["therapist_id"] == therapist.id
    await _swept(world, clock, SWEEP)  # a second look records nothing twice
    assert len([t for t in await _open_tasks(world, therapist.access_token) if t["client_id"] == client_id]) == 1
    status, alerts = await world.request("GET", "/api/alerts", therapist.access_token)
    missed_alerts = [a for a in alerts["alerts"] if a["kind"] == "outreach.missed_session"]
    assert missed_alerts and all("Client" not in a["subject"] for a in missed_alerts)
    assert not [a for a in alerts["alerts"] if a["kind"] == "outreach.missed_repeatedly"]

    # the same client misses the next one too: the clinical lead is alerted
    second = await world.session(therapist)
    status, _ = await world.request("POST", f"/api/sessions/{second['id']}/participants", therapist.access_token,
                                    json={"display_name": "Client A", "client_id": client_id})
    assert status == 201
    await _swept(world, clock, AFTER + SWEEP)
    status, alerts = await world.request("GET", "/api/alerts", admin.access_token)
    lead = [a for a in alerts["alerts"] if a["kind"] == "outreach.missed_repeatedly"]
    assert len(lead) == 1 and lead[0]["recipient_id"] == admin.id and lead[0]["client_id"] == client_id

    # the therapist takes it and resolves it with a note, kept encrypted
    status, taken = await world.request("POST", f"/api/outreach/{task['task_id']}/assign", therapist.access_token,
                                        json={})
    assert status == 200 and taken["assigned_to"] == therapist.id
    note = "Reached them by phone; they overslept and will come on Thursday."
    status, done = await world.request("POST", f"/api/outreach/{task['task_id']}/resolve", therapist.access_token,
                                       json={"note": note})
    assert status == 200 and done["note"] == note and done["resolved_by"] == therapist.id
    assert task["task_id"] not in {t["task_id"] for t in await _open_tasks(world, therapist.access_token)}
    async with world.app[ENGINE].connect() as conn:
        raw = (await conn.execute(text("SELECT note FROM outreach_tasks WHERE id = :id"),
                                  {"id": task["task_id"]})).scalar()
    assert raw and "overslept" not in raw


async def test_waiting_let_in_or_urgent_never_counts_as_missed(world, clock):
    therapist = await world.therapist()
    session = await world.session(therapist)
    waiting = await world.add_client(therapist, session["id"], "Client W")
    redeemed = await world.redeem(waiting["join_url"])
    lobby = await world.socket(redeemed["participant_token"])
    assert (await lobby.call("join"))["state"]["you"]["status"] == "lobby"
    other = await world.session(therapist)
    let_in = await world.add_client(therapist, other["id"], "Client L")
    host = await world.host_in_room(therapist, other["id"])
    client, let_in_pid = await world.admitted_client(host, let_in["join_url"])

    async def admitted() -> bool:  # the admission is durable before the client leaves
        return (await world.store.get_participant(let_in_pid)).admitted_at is not None
    await eventually(admitted, timeout=10)
    await client.disconnect()  # came, then left early: not a miss
    await _swept(world, clock, AFTER + SWEEP)
    tasks = await _open_tasks(world, therapist.access_token)
    assert tasks == [], {"waiting": session["id"], "let in": other["id"], "tasks for": [t["session_id"] for t in tasks]}


@pytest.mark.parametrize("endpoint", sorted(OUTREACH_ENDPOINTS))
async def test_outreach_endpoints_by_role(world, clock, endpoint):
    method, template = endpoint
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    session = await world.session(owner)
    link = await world.add_client(owner, session["id"], "Client A")
    client_token = (await world.redeem(link["join_url"]))["participant_token"]
    await _swept(world, clock, AFTER + SWEEP)
    task_id = (await _open_tasks(world, owner.access_token))[0]["task_id"]
    tokens = {name: staff.access_token for name, staff in cast.items()} | {"anonymous": None, "client": client_token}
    for role in ("anonymous", "client", "owner", "colleague", "admin", "other_admin"):
        body = {"note": "Reached them."} if template.endswith("/resolve") else {} if method == "POST" else None
        status, answer = await world.request(method, template.format(task_id=task_id), tokens[role], json=body)
        assert status == OUTREACH_ENDPOINTS[endpoint].get(role, unnamed(role)), (role, status, answer)
