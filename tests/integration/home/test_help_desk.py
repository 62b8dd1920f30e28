"""A help press from the client's own page, case by case: in office hours their own therapist is paged
first (then the roster), with nobody on call the clinical lead is alerted and the client is told the
truth, "I'm on it" tells the client who is coming, and a closed call for help leaves room for a new one.
The steps' clock is a FakeClock on the program's wall clock."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene
from tests.integration.home.helpers import all_week, open_home, standing_link
from tests.support.fake_clock import FakeClock
from tests.support.smtp import Inbox, eventually
from tests.support.world import SEEN_SECRETS

from server.app_keys import HELP_DESK
from server.db.tables import StaffRole

ZONE = "America/Chicago"
ACK = 60.0
PAGE = "A client in your program needs you in a crisis session now"


def monday_morning() -> datetime:
    today = datetime.now(ZoneInfo(ZONE)).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(10, 0), tzinfo=ZoneInfo(ZONE))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=monday_morning())


@pytest.fixture
def settings(database_url, inbox):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="crisis@example.test",
                         on_call_ack_timeout=ACK, lost_contact_notify_support_after=3600,
                         lost_contact_prompt_emergency_after=3600)


async def _program(world, s, *, rostered: bool = True):
    pid = s.therapist.program_id
    admin = await world.therapist(program_id=pid, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=pid)
    status, _ = await world.request("PUT", "/api/program/settings", admin.access_token,
                                    json={"timezone": ZONE, "office_hours": "Mon-Fri 09:00-17:00"})
    assert status == 200
    if rostered:
        status, _ = await world.request("PUT", "/api/program/on-call", admin.access_token,
                                        json={"timezone": ZONE, "shifts": all_week(on_call.id, "primary")})
        assert status == 200
    return admin, on_call


async def _page_for(world, s) -> str:
    status, _ = await world.request("PUT", f"/api/clients/{s.client.client_id}/profile", s.therapist.access_token,
                                    json={"therapist_id": s.therapist.id})
    assert status == 200
    return await open_home(world, await standing_link(world, s.therapist, s.client.client_id))


async def _mail(inbox: Inbox, address: str):
    found = [m for m in inbox.to(address) if m["Subject"] == PAGE]
    return found[-1] if found else None


async def test_in_office_hours_the_clients_own_therapist_is_paged_first(world, inbox, clock):
    s = await scene(world)
    _, on_call = await _program(world, s)
    page = await _page_for(world, s)
    status, help_ = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201, help_
    own = await eventually(lambda: _mail(inbox, s.therapist.email), timeout=10)
    status, where = await world.request("GET", "/api/home/help", page)
    assert (where["stage"], where["headline"]) == ("reaching_own", "We are reaching your therapist now"), where
    assert "pressed \"I need help now\"" in Inbox.text(own)
    assert await _mail(inbox, on_call.email) is None

    # their therapist is in a session and cannot answer: the on-call clinician is paged after the timeout
    await clock.advance(ACK + 1)
    await eventually(lambda: _mail(inbox, on_call.email), timeout=10)
    status, timeline = await world.request("GET", f"/api/crises/{help_['crisis_id']}/timeline",
                                           on_call.access_token)
    assert status == 200, timeline
    steps = [e["step"] for e in timeline["events"] if e["kind"] == "escalation"]
    assert steps == ["page_on_call_own_therapist", "page_on_call_primary"], steps


async def test_im_on_it_tells_the_client_who_is_coming(world, inbox, clock):
    s = await scene(world)
    await clock.advance(10 * 3600)  # 20:00: after hours, straight to the roster
    _, on_call = await _program(world, s)
    page = await _page_for(world, s)
    status, help_ = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201 and help_["stage"] == "reaching", help_
    paged = await eventually(lambda: _mail(inbox, on_call.email), timeout=10)
    answer = re.search(r"(http\S+/on-call#\S+)", Inbox.text(paged)).group(1).split("#", 1)[1]
    SEEN_SECRETS.add(answer)
    status, answered = await world.request("POST", "/api/on-call/answer", json={"token": answer})
    assert status == 200 and answered["acknowledged"], answered
    status, where = await world.request("GET", "/api/home/help", page)
    named = (await world.store.get_staff(on_call.id)).display_name
    assert (status, where["stage"], where["headline"]) == (200, "joining", f"{named} is joining you"), where
    await clock.advance(ACK * 3)
    assert len([m for m in inbox.to(s.therapist.email) if m["Subject"] == PAGE]) == 0  # nobody else paged


async def test_with_nobody_on_call_the_lead_is_alerted_and_the_client_told_the_truth(world, inbox, clock):
    s = await scene(world)
    await clock.advance(13 * 3600)  # 23:00
    admin, _ = await _program(world, s, rostered=False)
    page = await _page_for(world, s)
    status, help_ = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201, help_

    async def still_trying():
        status, where = await world.request("GET", "/api/home/help", page)
        return where if where["stage"] == "still_trying" else None
    where = await eventually(still_trying, timeout=10)
    assert where["headline"] == "We are still reaching a clinician"
    assert "911" in {line["number"] for line in where["crisis_lines"]}
    status, alerts = await world.request("GET", "/api/alerts", admin.access_token)
    kinds = {a["kind"] for a in alerts["alerts"]}
    assert {"crisis.help_requested", "crisis.no_on_call"} <= kinds, kinds
    for alert in alerts["alerts"]:
        assert "Jordan" not in alert["subject"]


async def test_a_closed_call_for_help_leaves_room_for_a_new_one(world, inbox, clock):
    s = await scene(world)
    await clock.advance(10 * 3600)
    _, on_call = await _program(world, s)
    page = await _page_for(world, s)
    status, first = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201
    await eventually(lambda: _mail(inbox, on_call.email), timeout=10)  # the page is on the timeline
    status, crisis = await world.request("GET", f"/api/crises/{first['crisis_id']}", on_call.access_token)
    assert status == 200, crisis
    version = crisis["version"]
    for action in ("stabilise", "close"):
        status, crisis = await world.request("POST", f"/api/crises/{first['crisis_id']}/transitions",
                                             on_call.access_token, json={"action": action, "expected_version": version,
                                                                         "book_follow_up": False})
        assert status == 200, crisis
        version = crisis["version"]
    status, home = await world.request("GET", "/api/home", page)
    assert status == 200 and home["help"] is None
    assert (await world.request("GET", "/api/home/help", page))[0] == 404
    status, follow_up = await world.request("GET", f"/api/crises/{first['crisis_id']}/follow-up", on_call.access_token)
    assert status == 200 and not any(i.get("session_id") for i in follow_up["items"])  # not booked: declined
    status, second = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201 and second["crisis_id"] != first["crisis_id"]


async def test_a_program_with_nobody_on_call_and_no_lead_still_opens_the_room(world, inbox, clock):
    s = await scene(world)  # one therapist, no roster, no admin, no own therapist set
    page = await open_home(world, await standing_link(world, s.therapist, s.client.client_id))
    status, help_ = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201, help_

    async def still_trying():
        status, where = await world.request("GET", "/api/home/help", page)
        return where if where["stage"] == "still_trying" else None
    await eventually(still_trying, timeout=10)
    status, alerts = await world.request("GET", "/api/alerts", s.therapist.access_token)
    assert {"crisis.help_requested", "crisis.no_on_call"} <= {a["kind"] for a in alerts["alerts"]}, alerts


async def test_a_press_cut_short_before_its_page_is_repaired_by_the_clients_next_look(world, inbox, clock):
    """The node died between opening the help room and arming its page: the page the client's screen
    polls arms it (once), with their own therapist first as the press would have."""
    s = await scene(world)
    await _program(world, s)
    page = await _page_for(world, s)
    desk = world.app[HELP_DESK]
    real_page = desk._page

    async def dies_before_paging(room, *, first=None):
        return False

    desk._page = dies_before_paging
    status, help_ = await world.request("POST", "/api/home/help", page, json={})
    assert status == 201, help_
    desk._page = real_page
    await clock.advance(1)
    assert await _mail(inbox, s.therapist.email) is None  # nobody was paged

    status, where = await world.request("GET", "/api/home/help", page)
    assert status == 200, where
    own = await eventually(lambda: _mail(inbox, s.therapist.email), timeout=10)
    assert "pressed \"I need help now\"" in Inbox.text(own)
    status, _ = await world.request("GET", "/api/home/help", page)  # armed once: no second page
    status, timeline = await world.request("GET", f"/api/crises/{help_['crisis_id']}/timeline",
                                           s.therapist.access_token)
    assert [e["step"] for e in timeline["events"] if e["kind"] == "escalation"] == ["page_on_call_own_therapist"]
