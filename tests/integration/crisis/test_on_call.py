"""The crisis's therapist drops out: after the grace period the on-call clinician from the roster
(primary first, never the one who dropped) gets a real email with a single-use link, lands straight
in the room as a host with the crisis in their room state, and can move the crisis along by REST.
A therapist back within the grace pages nobody; with nobody rostered the clinical lead is alerted. A
page nobody acknowledges pages the backup, then alerts the clinical lead; joining acknowledges.

The timers run on a FakeClock the tests advance (one test keeps real time, end to end)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis, step
from tests.support.fake_clock import FakeClock
from tests.support.smtp import Inbox, eventually, smtp_inbox
from tests.support.world import SEEN_SECRETS

from server.app_keys import AUDIT, CRISIS_WATCH
from server.db.tables import StaffRole


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


ROOMY_GRACE = 4.0  # time to come back within the grace
ACK = 5.0  # the paged clinician's time to acknowledge
PAGE_ANSWER = {("POST", "/api/on-call/answer")}  # the page link's own token is its only credential


@pytest.fixture
def clock() -> FakeClock | None:
    return FakeClock()  # a test parametrizes ``clock`` with None to run on real time


@pytest.fixture
def grace() -> float:
    return 0.8  # a test parametrizes ``grace`` to use another


@pytest.fixture
def settings(database_url, inbox, grace):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="crisis@example.test",
                         reconnect_window=0.5, on_call_grace=grace, on_call_ack_timeout=ACK,
                         lost_contact_notify_support_after=60,
                         lost_contact_prompt_emergency_after=60)


def all_week(clinician_id: str, coverage: str) -> list[dict]:
    return [{"clinician_id": clinician_id, "weekday": d, "start": "00:00", "end": "00:00", "coverage": coverage}
            for d in range(7)]


async def _crew(world, s, *, rostered: bool = True):
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    backup = await world.therapist(program_id=s.therapist.program_id)
    if rostered:  # the session's own therapist is primary: they are skipped, since they dropped
        shifts = all_week(s.therapist.id, "primary") + all_week(backup.id, "backup")
        status, body = await world.request("PUT", "/api/program/on-call", admin.access_token,
                                           json={"timezone": "America/Chicago", "shifts": shifts})
        assert status == 200, body
    return admin, backup


async def _in_crisis(world, s):
    host = await world.host_in_room(s.therapist, s.session_id)
    client, pid = await world.admitted_client(host, s.client.link["join_url"])
    return host, client, pid, await start_crisis(world, s)


async def _timeline(world, token: str, crisis_id: str) -> list[dict]:
    status, body = await world.request("GET", f"/api/crises/{crisis_id}/timeline", token)
    assert status == 200, body
    return body["events"]


@pytest.mark.parametrize("clock", [None], ids=["real_time"])
async def test_the_on_call_clinician_is_paged_joins_directly_and_takes_over(world, inbox: Inbox):
    s = await scene(world)
    admin, on_call = await _crew(world, s)
    host, client, pid, crisis = await _in_crisis(world, s)
    cid = crisis["crisis_id"]

    await host.disconnect()  # the therapist's connection drops
    page = await eventually(lambda: _mail(inbox, on_call.email), timeout=10)
    assert page["Subject"] == "A client in your program needs you in a crisis session now"
    text = Inbox.text(page)
    assert "/console#page=" in text  # the link opens the console: sign in, straight into the call
    url = Inbox.page_link(page)
    SEEN_SECRETS.add(url.split("#", 1)[1])
    for phi in ("Jordan", s.client.client_id, "Example Street"):
        assert phi not in text
    assert inbox.to(s.therapist.email) == []  # never the one who dropped

    # the client is told help is coming: the assignment reaches the room
    notice = await client.wait_for("crisis", lambda d: d["event"]["kind"] == "assigned")
    assert notice["event"]["participant_id"] == on_call.id

    redeemed = await world.redeem(url)
    assert redeemed["participant"]["role"] == "therapist"
    status, again = await world.request("POST", "/api/join", json={"token": url.split("#", 1)[1]})
    assert status == 410  # single use
    sock = await world.socket(redeemed["participant_token"])
    ack = await sock.call("join")
    assert ack["ok"], ack
    state = ack["state"]
    assert state["you"]["status"] == "admitted" and state["you"]["role"] == "therapist"
    assert state["crisis"]["crisis_id"] == cid
    assert pid in [m["participant_id"] for m in state["members"]]
    await client.wait_for("presence", lambda d: d["participant_id"] == redeemed["participant"]["id"]
                          and d["state"] == "joined")

    # with their own staff sign-in they manage the crisis they are now responsible for
    status, view = await world.request("GET", f"/api/crises/{cid}", on_call.access_token)
    assert status == 200, view
    assert view["responsible_clinician_id"] == on_call.id
    status, moved = await step(world, on_call.access_token, cid, "stabilise", view["version"])
    assert status == 200 and moved["state"] == "stabilised", moved
    bystander = await world.therapist(program_id=s.therapist.program_id)
    status, _ = await world.request("GET", f"/api/crises/{cid}", bystander.access_token)
    assert status == 403  # a colleague who is not responsible still may not

    events = await _timeline(world, on_call.access_token, cid)
    kinds = [(e["kind"], e.get("step"), e.get("participant_id")) for e in events]
    assert ("assigned", None, on_call.id) in kinds
    assert ("escalation", "page_on_call_backup", None) in kinds
    host_left = [e for e in events if e["kind"] == "left" and e["actor_role"] == "therapist"]
    assert len(host_left) == 1
    joined = [e for e in events if e["kind"] == "joined" and e["participant_id"] == redeemed["participant"]["id"]]
    assert len(joined) == 1
    actions = [(e.entry.action, e.entry.target_id) for e in await world.app[AUDIT].entries()]
    assert ("crisis.on_call_page", redeemed["participant"]["id"]) in actions


@pytest.mark.parametrize("grace", [ROOMY_GRACE], ids=["roomy"])
async def test_a_therapist_back_within_the_grace_pages_nobody(world, inbox: Inbox, clock):
    s = await scene(world)
    await _crew(world, s)
    host, client, pid, crisis = await _in_crisis(world, s)
    await host.disconnect()
    await client.wait_for("presence", lambda d: d["role"] == "therapist" and d["state"] == "reconnecting")
    # the reconnect window and the grace, each due when the settings say
    assert await clock.sleeping(2) == [pytest.approx(0.5), pytest.approx(ROOMY_GRACE)]
    await clock.advance(ROOMY_GRACE - 0.5)
    back = await world.host_in_room(s.therapist, s.session_id)  # a new connection, within the grace
    assert back.connected and clock.elapsed < ROOMY_GRACE
    assert clock.pending == []  # the page is cancelled, not left to run
    await clock.advance(ROOMY_GRACE + 0.7 - clock.elapsed)  # past when the page was due
    await asyncio.sleep(0.2)  # real time for anything woken (wrongly) to show
    assert inbox.messages == []
    events = await _timeline(world, s.therapist.access_token, crisis["crisis_id"])
    assert not [e for e in events if e["kind"] in ("assigned", "escalation")]
    assert [e["kind"] for e in events if e["actor_role"] == "therapist" and e["kind"] in ("joined", "left")] == [
        "left", "joined"]
    participant = (await world.store.therapist_participant(s.session_id, s.therapist.id)).id
    assert not await world.app[CRISIS_WATCH].pending(s.session_id, participant)


async def test_with_nobody_rostered_the_clinical_lead_is_alerted(world, inbox: Inbox, clock, grace):
    s = await scene(world)
    admin, _ = await _crew(world, s, rostered=False)
    host, client, pid, crisis = await _in_crisis(world, s)
    assert (await host.call("leave"))["ok"]  # a clean leave during a crisis counts too
    assert await clock.sleeping(1) == [pytest.approx(grace)]  # no reconnect window after a leave: the grace only
    await clock.advance(grace)

    async def alerted():
        status, body = await world.request("GET", "/api/alerts", admin.access_token)
        return [a for a in body["alerts"] if a["kind"] == "crisis.no_on_call"]

    [alert] = await eventually(alerted, timeout=10)
    assert alert["recipient_id"] == admin.id and alert["urgency"] == "high"
    assert "Jordan" not in alert["body"]
    events = await _timeline(world, admin.access_token, crisis["crisis_id"])
    assert [e["step"] for e in events if e["kind"] == "escalation"] == ["page_on_call:nobody_rostered"]
    assert not [e for e in events if e["kind"] == "assigned"]
    assert inbox.messages == []
    actions = [e.entry.action for e in await world.app[AUDIT].entries()]
    assert "crisis.on_call_none" in actions


async def _mail(inbox: Inbox, address: str):
    found = inbox.to(address)
    return found[0] if found else None


async def _chain_crew(world, s):
    """A primary and a backup other than the session's therapist, and the program's clinical lead."""
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    primary = await world.therapist(program_id=s.therapist.program_id)
    backup = await world.therapist(program_id=s.therapist.program_id)
    shifts = all_week(primary.id, "primary") + all_week(backup.id, "backup")
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token,
                                       json={"timezone": "UTC", "shifts": shifts})
    assert status == 200, body
    return admin, primary, backup


async def _lead_alerts(world, admin):
    status, body = await world.request("GET", "/api/alerts", admin.access_token)
    return [a for a in body["alerts"] if a["kind"] == "crisis.no_on_call"]


async def _primary_paged(world, inbox: Inbox, clock: FakeClock):
    """A crisis whose therapist left; after the grace (1 s) the rostered primary gets the page.
    Returns (scene, admin, primary, backup, client socket, crisis id, the page)."""
    s = await scene(world)
    admin, primary, backup = await _chain_crew(world, s)
    host, client, pid, crisis = await _in_crisis(world, s)
    assert (await host.call("leave"))["ok"]
    assert await clock.sleeping(1) == [pytest.approx(1.0)]  # the grace
    await clock.advance(1.0)
    page = await eventually(lambda: _mail(inbox, primary.email))
    return s, admin, primary, backup, client, crisis["crisis_id"], page


@pytest.mark.parametrize("grace", [1.0], ids=["grace"])
async def test_an_unacknowledged_page_pages_the_backup_then_alerts_the_clinical_lead(world, inbox: Inbox, clock):
    s, admin, primary, backup, client, cid, _ = await _primary_paged(world, inbox, clock)
    assert await clock.sleeping(1) == [pytest.approx(1.0 + ACK)]  # the page's acknowledgement deadline
    assert inbox.to(backup.email) == []
    await clock.advance(ACK - 0.1)
    await asyncio.sleep(0.2)
    assert inbox.to(backup.email) == [], "not before the deadline"
    await clock.advance(0.1)
    await eventually(lambda: _mail(inbox, backup.email))
    assert await clock.sleeping(1) == [pytest.approx(1.0 + 2 * ACK)]
    assert await _lead_alerts(world, admin) == []
    await clock.advance(ACK)
    [alert] = await eventually(lambda: _lead_alerts(world, admin))
    assert "acknowledged" in alert["body"] and alert["recipient_id"] == admin.id
    await asyncio.sleep(0.2)
    assert len(inbox.to(primary.email)) == 1 and len(inbox.to(backup.email)) == 1  # each paged once
    events = await _timeline(world, admin.access_token, cid)
    assert [e["step"] for e in events if e["kind"] == "escalation"] == [
        "page_on_call_primary", "page_on_call_backup", "page_on_call:nobody_acknowledged"]
    steps = await world.app[CRISIS_WATCH].steps.of_crisis(cid)
    assert [(st.kind.value, st.state.value) for st in steps] == [
        ("page_on_call", "done"), ("page_unanswered", "done"), ("page_unanswered", "done")]
    assert clock.pending == []


@pytest.mark.parametrize("grace", [1.0], ids=["grace"])
async def test_the_paged_clinician_joining_acknowledges_and_stops_the_chain(world, inbox: Inbox, clock):
    s, admin, primary, backup, client, cid, page = await _primary_paged(world, inbox, clock)
    url = Inbox.page_link(page)
    SEEN_SECRETS.add(url.split("#", 1)[1])
    lost = await client.wait_for("crisis", lambda d: d["event"]["kind"] == "assigned")
    assert lost["event"]["participant_id"] == primary.id
    redeemed = await world.redeem(url)
    sock = await world.socket(redeemed["participant_token"])
    assert (await sock.call("join"))["ok"]
    await eventually(lambda: _has_step(world, admin, cid, "page_on_call:acknowledged"))
    assert clock.pending == []  # the deadline is cancelled, not left to run
    await clock.advance(3 * ACK)
    await asyncio.sleep(0.2)
    assert inbox.to(backup.email) == [] and await _lead_alerts(world, admin) == []
    steps = await world.app[CRISIS_WATCH].steps.of_crisis(cid)
    assert [(st.kind.value, st.state.value) for st in steps] == [("page_on_call", "done"),
                                                                   ("page_unanswered", "cancelled")]
    actions = [e.entry.action for e in await world.app[AUDIT].entries()]
    assert "crisis.on_call_ack.joined" in actions


async def _has_step(world, token_holder, crisis_id: str, step_name: str) -> bool:
    events = await _timeline(world, token_holder.access_token, crisis_id)
    return any(e["kind"] == "escalation" and e["step"] == step_name for e in events)


@pytest.mark.parametrize("grace", [1.0], ids=["grace"])
async def test_i_m_on_it_from_the_page_stops_the_chain_before_joining(world, inbox: Inbox, clock):
    s, admin, primary, backup, client, cid, page = await _primary_paged(world, inbox, clock)
    answer_url = re.search(r"(http\S+/on-call#\S+)", Inbox.text(page)).group(1)
    token = answer_url.split("#", 1)[1]
    SEEN_SECRETS.add(token)

    status, body = await world.request("POST", "/api/on-call/answer", json={"token": token[:-2] + "xx"})
    assert status == 401, body  # a tampered link answers nothing
    for other in (s.therapist.access_token, primary.access_token):  # nor does a sign-in token
        status, body = await world.request("POST", "/api/on-call/answer", json={"token": other})
        assert status == 401, body
    status, body = await world.request("POST", "/api/on-call/answer", json={"token": token})
    assert status == 200 and body["acknowledged"] is True, body
    assert clock.pending == []  # the deadline is cancelled
    status, again = await world.request("POST", "/api/on-call/answer", json={"token": token})
    assert status == 200 and again["acknowledged"] is False  # once is enough; the second says so
    await clock.advance(3 * ACK)
    await asyncio.sleep(0.2)
    assert inbox.to(backup.email) == [] and await _lead_alerts(world, admin) == []
    assert await _has_step(world, admin, cid, "page_on_call:acknowledged")
    actions = [e.entry.action for e in await world.app[AUDIT].entries()]
    assert "crisis.on_call_ack.answered" in actions
    status, page_html = await world.request("GET", "/on-call")
    assert status == 200
