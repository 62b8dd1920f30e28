"""Scenario B (from the seed document): a relapse trigger lands just before midnight. At 23:55 on the
program's clock the client opens their standing link ("my Steadyline") and presses "I need help now".
An urgent help room opens with a crisis in it and the on-call primary is paged by real email; the
primary does not answer; after the acknowledgement timeout the backup is paged, joins straight in as
host and the two see each other's real video (aiortc). The clinician shows the client their own
grounding steps on screen, the crisis closes, and the days after are set: a next-day individual session
with the client's own therapist (its link mailed to the client), daily check-ins with reminders, and
the therapist reads it all in the console the next morning.

The steps' clock is a FakeClock set to 23:55 in America/Chicago; links and tokens live on real time."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene
from tests.integration.home.helpers import all_week
from tests.support.fake_clock import FakeClock
from tests.support.rtc_peer import RtcPeer
from tests.support.smtp import Inbox, eventually
from tests.support.world import SEEN_SECRETS

from server.access.links import hash_token
from server.db.tables import StaffRole

ZONE = "America/Chicago"
ACK = 120.0
CLIENT_EMAIL = "jordan.client@example.test"


def late_evening() -> datetime:
    today = datetime.now(ZoneInfo(ZONE)).date()
    return datetime.combine(today, time(23, 55), tzinfo=ZoneInfo(ZONE))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=late_evening())


@pytest.fixture
def settings(database_url, inbox):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="crisis@example.test",
                         on_call_ack_timeout=ACK, lost_contact_notify_support_after=3600,
                         lost_contact_prompt_emergency_after=3600, after_hours_check_in_days=7)


async def _mail(inbox: Inbox, address: str, subject: str):
    found = [m for m in inbox.to(address) if m["Subject"] == subject]
    return found[-1] if found else None


def _link(message, page: str) -> str:
    url = re.search(rf"(http\S+/{page}#\S+)", Inbox.text(message)).group(1)
    SEEN_SECRETS.add(url.split("#", 1)[1])
    return url


async def test_scenario_b_help_at_midnight_reaches_the_backup_and_follows_up_next_day(world, inbox, clock):
    s = await scene(world)  # the client's own therapist, with their plan
    pid = s.therapist.program_id
    admin = await world.therapist(program_id=pid, role=StaffRole.ADMIN)
    primary = await world.therapist(program_id=pid)
    backup = await world.therapist(program_id=pid)
    status, program = await world.request("PUT", "/api/program/settings", admin.access_token, json={
        "timezone": ZONE, "office_hours": "Mon-Fri 09:00-17:00", "crisis_line": "+1 555 0100 199"})
    assert status == 200 and program["timezone"] == ZONE, program
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token, json={
        "timezone": ZONE, "shifts": all_week(primary.id, "primary") + all_week(backup.id, "backup")})
    assert status == 200, body
    cid = s.client.client_id
    status, profile = await world.request("PUT", f"/api/clients/{cid}/profile", s.therapist.access_token,
                                          json={"therapist_id": s.therapist.id, "email": CLIENT_EMAIL})
    assert status == 200 and profile["therapist_id"] == s.therapist.id, profile

    # the care team gives the client their standing link; at 23:55 they open it
    status, issued = await world.request("POST", f"/api/clients/{cid}/home-link", s.therapist.access_token)
    assert status == 201, issued
    token = issued["url"].split("/home#", 1)[1]
    SEEN_SECRETS.add(token)
    status, opened = await world.request("POST", "/api/home/open", json={"token": token})
    assert status == 200, opened
    home_token = opened["home_token"]
    SEEN_SECRETS.add(home_token)
    status, page = await world.request("GET", "/api/home", home_token)
    assert status == 200, page
    assert page["plan"]["sections"][0]["key"] == "coping_on_my_own"  # their grounding steps first
    assert "tel:+15550100199" in [line["tel"] for line in page["crisis_lines"]]  # the program's own line
    assert page["help"] is None

    # "I need help now": a room, a crisis, and the primary paged (after hours: not the own therapist)
    status, help_ = await world.request("POST", "/api/home/help", home_token, json={})
    assert status == 201, help_
    assert help_["stage"] == "reaching" and help_["headline"] == "We are reaching the on-call clinician now"
    assert {"988", "911"} <= {line["number"] for line in help_["crisis_lines"]}
    crisis_id, room_id = help_["crisis_id"], help_["session_id"]
    status, again = await world.request("POST", "/api/home/help", home_token, json={})
    assert status == 200 and again["crisis_id"] == crisis_id  # a second press finds the same room

    status, joined = await world.request("POST", f"/api/home/sessions/{room_id}/join", home_token)
    assert status == 200, joined
    SEEN_SECRETS.add(joined["participant_token"])
    client = await world.socket(joined["participant_token"])
    state = (await client.call("join"))["state"]
    assert state["you"]["status"] == "admitted" and state["crisis"]["crisis_id"] == crisis_id
    client_pid = state["you"]["participant_id"]

    subject = "A client in your program needs you in a crisis session now"
    page1 = await eventually(lambda: _mail(inbox, primary.email, subject), timeout=15)
    assert "pressed \"I need help now\"" in Inbox.text(page1)
    SEEN_SECRETS.add(Inbox.page_link(page1)[1:])
    assert await _mail(inbox, s.therapist.email, subject) is None  # after hours: the roster, not own therapist
    assert await _mail(inbox, backup.email, subject) is None

    # the primary does not answer: after the timeout the backup is paged
    await clock.advance(ACK + 1)
    page2 = await eventually(lambda: _mail(inbox, backup.email, subject), timeout=15)
    page_url = Inbox.page_link(page2)
    SEEN_SECRETS.add(page_url[1:])
    redeemed = await world.redeem(page_url)
    assert redeemed["participant"]["role"] == "therapist"
    host = await world.socket(redeemed["participant_token"])
    hosted = await host.call("join")
    assert hosted["ok"] and hosted["state"]["you"]["status"] == "admitted", hosted
    assert hosted["state"]["crisis"]["crisis_id"] == crisis_id
    host_pid = hosted["state"]["you"]["participant_id"]

    status, where = await eventually(lambda: _stage(world, home_token, "with_you"), timeout=10)
    named = (await world.store.get_staff(backup.id)).display_name
    assert where["headline"] == f"{named} is with you" and where["clinician_name"] == named, where

    peers = {client_pid: RtcPeer(client, client_pid), host_pid: RtcPeer(host, host_pid)}
    try:
        await peers[client_pid].offer_to(host_pid)
        await asyncio.gather(peers[client_pid].wait_frames([host_pid], timeout=60),
                             peers[host_pid].wait_frames([client_pid], timeout=60))

        # grounding steps from the plan on the client's screen
        status, shared = await world.request("POST", f"/api/crises/{crisis_id}/share-with-client",
                                             backup.access_token, json={"section_key": "coping_on_my_own"})
        assert status == 200 and shared["delivered"], shared
        seen = await client.wait_for("shared_with_you")
        assert seen["section"]["items"] == ["Walk to the end of Example Street", "Cold water on my face"]

        # the crisis closes: the days after are set
        status, crisis = await world.request("GET", f"/api/crises/{crisis_id}", backup.access_token)
        assert status == 200, crisis
        version = crisis["version"]
        for action in ("stabilise", "close"):
            status, crisis = await world.request("POST", f"/api/crises/{crisis_id}/transitions",
                                                 backup.access_token,
                                                 json={"action": action, "expected_version": version})
            assert status == 200, crisis
            version = crisis["version"]
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))

    status, follow_up = await world.request("GET", f"/api/crises/{crisis_id}/follow-up", s.therapist.access_token)
    assert status == 200, follow_up
    checks = [i for i in follow_up["items"] if i["kind"] == "check_in"]
    assert len(checks) == 7  # daily for a week
    closed_day = clock.now().astimezone(ZoneInfo(ZONE)).date()
    assert [datetime.fromisoformat(i["due_at"]).astimezone(ZoneInfo(ZONE)).date() for i in checks] == \
        [closed_day + timedelta(days=d) for d in range(1, 8)]
    session_item = next(i for i in follow_up["items"] if i["kind"] == "individual_session")
    assert session_item["session_id"] and "its join link was sent to the client" in session_item["description"]

    # the client has the next-day session's link; their own therapist leads it
    invitation = await eventually(lambda: _mail(inbox, CLIENT_EMAIL, "Your next video session"), timeout=10)
    next_url = _link(invitation, "join")
    for phi in ("crisis", "Jordan", "Example Street"):
        assert phi not in Inbox.text(invitation)
    next_day = (closed_day + timedelta(days=1)).isoformat()
    status, listed = await world.request("GET", f"/api/sessions?day={next_day}", s.therapist.access_token)
    assert status == 200, listed
    booked = next(x for x in listed["sessions"] if x["id"] == session_item["session_id"])
    starts = datetime.fromisoformat(booked["starts_at"]).astimezone(ZoneInfo(ZONE))
    assert (starts.date().isoformat(), starts.hour) == (next_day, 11)
    status, early = await world.request("POST", "/api/join", json={"token": next_url.split("#", 1)[1]})
    assert status == 410, early  # not yet: it opens shortly before the start, on real time
    found = await world.store.redeem_invite(hash_token(next_url.split("#", 1)[1]), now=starts - timedelta(minutes=5),
                                            grace=timedelta(minutes=15))
    assert found.session.id == booked["id"] and found.participant.client_id == cid

    # the story is in the console: the follow-up plan and the timeline of who was paged and answered
    status, plans = await world.request("GET", f"/api/clients/{cid}/follow-ups", s.therapist.access_token)
    assert status == 200 and plans["plans"][0]["crisis_id"] == crisis_id, plans
    named = {t.id: (await world.store.get_staff(t.id)).display_name for t in (primary, backup)}
    story = [line["text"] for line in plans["plans"][0]["story"]]
    assert story[0] == "The client pressed \u201cI need help now\u201d", story
    assert story.index(f"{named[primary.id]} was paged and made responsible") < \
        story.index(f"{named[backup.id]} was paged and made responsible") < story.index(f"{named[backup.id]} joined"), \
        story
    assert story[-1] == f"Crisis closed by {named[backup.id]}", story

    # the next morning at 10:00 the client is reminded of the first check-in
    first_check = datetime.fromisoformat(checks[0]["due_at"])
    await clock.advance((first_check - clock.now()).total_seconds() + 1)
    reminder = await eventually(lambda: _mail(inbox, CLIENT_EMAIL, "Time for today's check-in"), timeout=10)
    assert "crisis" not in Inbox.text(reminder)
    assert len([m for m in inbox.to(CLIENT_EMAIL) if m["Subject"] == "Time for today's check-in"]) == 1


async def _stage(world, home_token: str, stage: str):
    status, body = await world.request("GET", "/api/home/help", home_token)
    return (status, body) if status == 200 and body["stage"] == stage else None
