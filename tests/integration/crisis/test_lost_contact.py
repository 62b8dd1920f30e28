"""Lost contact with the client of an open crisis: drops and returns go on the timeline; if the
client is not back, their consented support person gets a real email (aiosmtpd) and the therapist
gets the ``lost_contact`` prompt to call emergency services (and an alert); a return within the
window cancels all that; a return after the window goes straight back into the room.

The timers run on a FakeClock the tests advance (one test keeps real time, end to end)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import pytest

from server.app_keys import AUDIT, CRISIS_WATCH
from server.notify.notifier import SIGNATURE_HEADER
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis, step
from tests.support.fake_clock import FakeClock
from tests.support.smtp import Inbox, eventually, smtp_inbox

FAST = dict(reconnect_window=0.6, lost_contact_notify_support_after=1.0, lost_contact_prompt_emergency_after=1.6)
SLOW_STEPS = dict(reconnect_window=0.4, lost_contact_notify_support_after=60, lost_contact_prompt_emergency_after=60)
# Time to come back (or close the crisis) before the first step is due.
ROOMY = dict(reconnect_window=3.0, lost_contact_notify_support_after=4.0, lost_contact_prompt_emergency_after=4.5)


@pytest.fixture
def clock() -> FakeClock | None:
    return FakeClock()  # a test parametrizes ``clock`` with None to run on real time


async def _past_both_steps(clock: FakeClock) -> None:
    await clock.advance(ROOMY["lost_contact_prompt_emergency_after"] + 0.7 - clock.elapsed)
    await asyncio.sleep(0.2)  # real time for anything woken (wrongly) to show


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


@pytest.fixture
def timing() -> dict:
    return FAST  # a test parametrizes ``timing`` to use other delays


WEBHOOK_SECRET = "webhook-secret-" + "l" * 32


@pytest.fixture
def settings(database_url, inbox, webhook, timing):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="crisis@example.test",
                         crisis_line="+1-555-0100-999", notify_webhook_url=webhook[0],
                         notify_webhook_secret=WEBHOOK_SECRET, **timing)


async def _timeline(world, s, crisis_id: str) -> list[dict]:
    status, body = await world.request("GET", f"/api/crises/{crisis_id}/timeline", s.therapist.access_token)
    assert status == 200, body
    return body["events"]


async def _consent(world, s, contact_id: str, scope: str) -> None:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "support_person", "contact_id": contact_id, "scope": scope})
    assert status == 201, grant


async def _no_steps(world, session_id: str, pid: str) -> bool:
    return not await world.app[CRISIS_WATCH].pending(session_id, pid)


async def _in_crisis(world, s):
    host = await world.host_in_room(s.therapist, s.session_id)
    client, pid = await world.admitted_client(host, s.client.link["join_url"])
    crisis = await start_crisis(world, s)
    return host, client, pid, crisis


@pytest.mark.parametrize("clock", [None], ids=["real_time"])
async def test_lost_contact_tells_the_consented_support_person_and_prompts_the_therapist(world, inbox: Inbox,
                                                                                       webhook):
    s = await scene(world)
    await _consent(world, s, s.contact("Alex Sample"), "phone")
    host, client, pid, crisis = await _in_crisis(world, s)
    cid = crisis["crisis_id"]

    await client.disconnect()  # the client's network goes away: a drop, not a leave
    notified = await host.wait_for("lost_contact", lambda d: d["step"] == "notify_support_person", timeout=10)
    assert notified["crisis_id"] == cid and notified["notified"] == 1
    prompt = await host.wait_for("lost_contact", lambda d: d["step"] == "prompt_emergency_call", timeout=10)
    assert prompt == {"crisis_id": cid, "session_id": s.session_id, "step": "prompt_emergency_call",
                      "since": notified["since"]}

    [mail] = inbox.to("alex@example.org")
    assert len(inbox.messages) == 1  # Sam gave no consent (and has no email address)
    text = Inbox.text(mail)
    assert "lost contact" in text and "trying to reach them" in text and "+1-555-0100-999" in text
    for phi in ("Jordan", "Example Street", "overdose", s.client.client_id):
        assert phi not in text
    [(headers, raw)] = webhook[1]  # and by the signed webhook (e.g. an SMS gateway), to their phone
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    payload = json.loads(raw)
    assert payload["kind"] == "lost_contact_notice" and payload["crisis_id"] == cid
    assert payload["to"] == {"phone": "+15550100102", "email": "alex@example.org"}
    assert payload["text"].split() == text.split() and "Jordan" not in raw.decode()

    events = await _timeline(world, s, cid)
    kinds = [(e["kind"], e.get("participant_id"), e.get("step")) for e in events]
    assert ("left", pid, None) in kinds
    steps = [e["step"] for e in events if e["kind"] == "escalation"]
    assert steps == ["notify_support_person", "prompt_emergency_call"]
    assert all(e["actor_role"] == "system" for e in events if e["kind"] == "escalation")
    assert not [e for e in events if e["kind"] == "disclosure"]  # the notice shares no health information

    status, alerts = await world.request("GET", "/api/alerts", s.therapist.access_token)
    lost = [a for a in alerts["alerts"] if a["kind"] == "crisis.lost_contact"]
    assert len(lost) == 1 and lost[0]["client_id"] == s.client.client_id and lost[0]["urgency"] == "high"
    actions = [e.entry.action for e in await world.app[AUDIT].entries()]
    assert actions.count("crisis.lost_contact.notify_support") == 1
    assert actions.count("crisis.lost_contact.prompt_emergency") == 1
    assert not await world.app[CRISIS_WATCH].pending(s.session_id, pid)


async def test_without_consent_nobody_is_told_and_the_step_says_so(world, inbox: Inbox, webhook, clock):
    s = await scene(world)
    host, client, pid, crisis = await _in_crisis(world, s)
    await client.disconnect()
    window, notify = FAST["reconnect_window"], FAST["lost_contact_notify_support_after"]
    prompt = FAST["lost_contact_prompt_emergency_after"]
    # the reconnect window and the first step, each due when the settings say
    assert await clock.sleeping(2) == [pytest.approx(window), pytest.approx(notify)]
    await clock.advance(window)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")
    await clock.advance(notify - window - 0.05)
    assert clock.pending == [pytest.approx(notify)] and "lost_contact" not in host.events  # not before it is due
    await clock.advance(0.05)
    notified = await host.wait_for("lost_contact", lambda d: d["step"].startswith("notify_support_person"))
    assert notified["step"] == "notify_support_person:no_consented_contact" and notified["notified"] == 0
    assert await clock.sleeping(1) == [pytest.approx(prompt)]  # then the prompt, due at its own time
    assert "prompt_emergency_call" not in [d["step"] for d in host.events["lost_contact"]]
    await clock.advance(prompt - clock.elapsed)
    await host.wait_for("lost_contact", lambda d: d["step"] == "prompt_emergency_call")
    assert inbox.messages == [] and webhook[1] == []
    steps = [e["step"] for e in await _timeline(world, s, crisis["crisis_id"]) if e["kind"] == "escalation"]
    assert steps == ["notify_support_person:no_consented_contact", "prompt_emergency_call"]


@pytest.mark.parametrize("timing", [ROOMY], ids=["roomy"])
async def test_a_client_back_within_the_window_cancels_the_steps(world, inbox: Inbox, clock):
    s = await scene(world)
    await _consent(world, s, s.contact("Alex Sample"), "phone")
    host, client, pid, crisis = await _in_crisis(world, s)
    await client.disconnect()
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting")
    await eventually(lambda: _has(world, s, crisis["crisis_id"], "left", pid))
    assert await world.app[CRISIS_WATCH].pending(s.session_id, pid)
    await clock.sleeping(2)  # the reconnect window and the first step
    await clock.advance(ROOMY["reconnect_window"] - 0.5)

    back = await world.socket(s.client.token)  # back on a new connection inside the window
    ack = await back.call("join")
    assert ack["ok"] and ack["state"]["you"]["status"] == "admitted", ack
    assert not await world.app[CRISIS_WATCH].pending(s.session_id, pid)
    assert clock.elapsed < ROOMY["reconnect_window"], "back inside the window"
    assert clock.pending == []  # the window and the steps are cancelled, not left to run
    await _past_both_steps(clock)
    assert "lost_contact" not in host.events and inbox.messages == []
    events = await _timeline(world, s, crisis["crisis_id"])
    assert [(e["kind"], e["participant_id"]) for e in events if e["kind"] in ("joined", "left")][-2:] == [
        ("left", pid), ("joined", pid)]
    assert not [e for e in events if e["kind"] == "escalation"]
    assert world.app[CRISIS_WATCH].handling() == frozenset()  # no per-session state left behind


@pytest.mark.parametrize("timing", [SLOW_STEPS], ids=["slow_steps"])
async def test_after_the_window_the_client_goes_straight_back_in_during_a_crisis(world, inbox: Inbox, clock):
    window = SLOW_STEPS["reconnect_window"]
    s = await scene(world)
    host, client, pid, crisis = await _in_crisis(world, s)
    await client.disconnect()
    await clock.sleeping(2)  # the reconnect window and the first step
    await clock.advance(window)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left", timeout=5)

    back = await world.socket(s.client.token)  # the same participant token, after the window
    ack = await back.call("join")
    assert ack["ok"] and ack["state"]["you"]["status"] == "admitted", ack
    assert ack["state"]["crisis"]["crisis_id"] == crisis["crisis_id"]
    await back.disconnect()
    await clock.sleeping(2)
    await clock.advance(window)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left"
                        and len([p for p in host.events["presence"] if p["state"] == "left"]) >= 2, timeout=5)

    again = await world.redeem(s.client.link["join_url"])  # the personal link again: no lobby either
    sock = await world.socket(again["participant_token"])
    ack = await sock.call("join")
    assert ack["state"]["you"]["status"] == "admitted", ack
    assert not [w for w in host.events["lobby"][-1]["waiting"] if w["participant_id"] == pid]

    # once the crisis is closed, a client who is gone past the window waits in the lobby again
    await close_crisis(world, s.therapist.access_token, crisis["crisis_id"])
    await sock.disconnect()
    assert await clock.sleeping(1) == [pytest.approx(clock.elapsed + window)]  # only the window: no crisis, no steps
    await clock.advance(window)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left"
                        and len([p for p in host.events["presence"] if p["state"] == "left"]) >= 3, timeout=5)
    last = await world.socket(s.client.token)
    ack = await last.call("join")
    assert ack["state"]["you"]["status"] == "lobby", ack
    assert not await world.app[CRISIS_WATCH].pending(s.session_id, pid)


@pytest.mark.parametrize("timing", [ROOMY], ids=["roomy"])
async def test_closing_the_crisis_stops_the_steps(world, inbox: Inbox, clock):
    s = await scene(world)
    await _consent(world, s, s.contact("Alex Sample"), "invite_to_video")
    host, client, pid, crisis = await _in_crisis(world, s)
    await client.disconnect()
    await eventually(lambda: _has(world, s, crisis["crisis_id"], "left", pid))
    await clock.sleeping(2)  # the reconnect window and the first step
    await clock.advance(ROOMY["lost_contact_notify_support_after"] - 0.5)
    await close_crisis(world, s.therapist.access_token, crisis["crisis_id"])
    assert clock.elapsed < ROOMY["lost_contact_notify_support_after"], "closed before the first step"
    assert await world.app[CRISIS_WATCH].pending(s.session_id, pid)  # the step stays armed: it re-reads the crisis
    await _past_both_steps(clock)
    await eventually(lambda: _no_steps(world, s.session_id, pid))  # it came due, found the crisis closed, did nothing
    assert "lost_contact" not in host.events and inbox.messages == []
    assert not await world.app[CRISIS_WATCH].pending(s.session_id, pid)


async def test_joins_and_leaves_go_on_the_timeline(world, inbox: Inbox):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    client, pid = await world.admitted_client(host, s.client.link["join_url"])
    assert (await client.call("leave"))["ok"]
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")
    events = await eventually(lambda: _has(world, s, crisis["crisis_id"], "left", pid))
    mine = [(e["kind"], e["actor_role"]) for e in events if e.get("participant_id") == pid]
    assert mine == [("joined", "client"), ("left", "client")]
    await host.wait_for("crisis", lambda d: d["event"]["kind"] == "left")  # the clinicians see it live


async def close_crisis(world, token: str, crisis_id: str) -> dict:
    """Stabilise and close, reading the current version first (presence events move it on)."""
    for action in ("stabilise", "close"):
        status, body = await world.request("GET", f"/api/crises/{crisis_id}", token)
        assert status == 200, body
        status, body = await step(world, token, crisis_id, action, body["version"])
        assert status == 200, body
    return body


async def _async(value):
    return value


async def _has(world, s, crisis_id: str, kind: str, participant_id: str):
    events = await _timeline(world, s, crisis_id)
    return events if any(e["kind"] == kind and e.get("participant_id") == participant_id for e in events) else None
