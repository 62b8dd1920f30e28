"""An urgent message, on SQLite and PostgreSQL, on a FakeClock on the program's wall clock: in office hours it
alerts the care team at once (an alert naming the rule ``urgent_message``, the own therapist e-mailed without
the text); after hours the client is answered plainly with the crisis lines and the help button, and the
on-call clinician is paged through the escalation engine (the help flow's durable page) by an e-mail that says
a client sent an urgent message and carries no text of it. Audited."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.conftest import make_settings
from tests.integration.home.helpers import all_week
from tests.integration.messaging.helpers import client_writes, enrolled, message_alerts
from tests.support.fake_clock import FakeClock
from tests.support.smtp import Inbox, eventually

from server.app_keys import ENGINE, HELP_DESK

ZONE = "America/Chicago"
PAGE = "A client in your program needs you in a crisis session now"
WORDS = "Zephyrine ledger: I cannot find my prescription"  # distinctive synthetic content


def monday_morning() -> datetime:
    today = datetime.now(ZoneInfo(ZONE)).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(10, 0), tzinfo=ZoneInfo(ZONE))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=monday_morning())


@pytest.fixture
def settings(database_url, inbox):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="care@example.test",
                         on_call_ack_timeout=60, lost_contact_notify_support_after=3600,
                         lost_contact_prompt_emergency_after=3600)


async def _program(world, team):
    on_call = await world.therapist(program_id=team.therapist.program_id)
    status, _ = await world.request("PUT", "/api/program/settings", team.admin.access_token,
                                    json={"timezone": ZONE, "office_hours": "Mon-Fri 09:00-17:00"})
    assert status == 200
    status, _ = await world.request("PUT", "/api/program/on-call", team.admin.access_token,
                                    json={"timezone": ZONE, "shifts": all_week(on_call.id, "primary")})
    assert status == 200
    return on_call


async def _mails(inbox: Inbox, address: str, subject: str):
    return [m for m in inbox.to(address) if m["Subject"] == subject]


async def _actions(world) -> list[str]:
    async with world.app[ENGINE].connect() as conn:
        return list((await conn.execute(text("SELECT action FROM audit_records ORDER BY sequence"))).scalars())


async def test_urgent_in_office_hours_alerts_the_care_team_at_once(world, inbox, clock):
    team = await enrolled(world)
    on_call = await _program(world, team)
    sent = await client_writes(world, team.home, WORDS, urgent=True)
    assert sent["show_help"] and not sent["after_hours"] and sent["help"] is None
    assert "alerted now" in sent["notice"]
    [alert] = await message_alerts(world, team.therapist)
    assert (alert["rule"], alert["urgency"], alert["client_id"], alert["recipient_id"]) == (
        "urgent_message", "urgent", team.client_id, team.therapist.id)
    assert "Zephyrine" not in alert["subject"] and "Zephyrine" not in alert["body"]
    [mail] = await eventually(lambda: _mails(inbox, team.therapist.email, "A client marked a message urgent"))
    assert "Zephyrine" not in Inbox.text(mail) and "prescription" not in Inbox.text(mail)
    assert await _mails(inbox, on_call.email, PAGE) == []  # in office hours nobody is paged
    assert {"message.send", "alert.raise"} <= set(await _actions(world))


async def test_not_urgent_in_office_hours_raises_nothing(world, inbox, clock):
    team = await enrolled(world)
    await _program(world, team)
    sent = await client_writes(world, team.home, WORDS)
    assert not sent["show_help"] and await message_alerts(world, team.therapist) == []


async def test_urgent_after_hours_answers_with_the_crisis_lines_and_pages_on_call(world, inbox, clock):
    team = await enrolled(world)
    await clock.advance(12 * 3600)  # Monday 22:00 on the program's clock
    on_call = await _program(world, team)
    sent = await client_writes(world, team.home, WORDS, urgent=True)
    assert sent["after_hours"] and sent["show_help"]
    assert sent["notice"].startswith("Your care team is not in now (office hours: Mon-Fri 09:00-17:00")
    assert "paged the on-call clinician" in sent["notice"] and "I need help now" in sent["notice"]
    assert {"988", "911"} <= {line["number"] for line in sent["crisis_lines"]}
    assert sent["help"]["stage"] == "reaching" and sent["help"]["session_id"]

    [page] = await eventually(lambda: _mails(inbox, on_call.email, PAGE), timeout=10)
    body = Inbox.text(page)
    assert "message marked urgent after hours" in body and "/console#page=" in body
    assert "Zephyrine" not in body and "prescription" not in body and "Client A" not in body
    assert await message_alerts(world, team.therapist) == []  # nobody reads the dashboard now: the page is it
    status, alerts = await world.request("GET", "/api/alerts", team.admin.access_token)
    assert "A client sent an urgent message after hours" in {a["subject"] for a in alerts["alerts"]}
    actions = await _actions(world)
    assert {"message.send", "message.urgent_page", "crisis.urgent_message", "crisis.on_call_page"} <= set(actions)

    # the paged clinician is on the client's care team now: they read the message
    status, thread = await world.request("GET", f"/api/clients/{team.client_id}/messages", on_call.access_token)
    assert (status, thread["messages"][0]["text"]) == (200, WORDS)

    # the help button finds the room already open: a second urgent message pages nobody twice
    status, help_ = await world.request("POST", "/api/home/help", team.home, json={})
    assert status == 200 and help_["crisis_id"] == sent["help"]["crisis_id"]
    await client_writes(world, team.home, "still here", urgent=True)
    await clock.advance(5)
    assert len(await _mails(inbox, on_call.email, PAGE)) == 1


async def test_urgent_after_hours_with_nobody_to_page_says_so(world, inbox, clock):
    team = await enrolled(world)
    await clock.advance(12 * 3600)
    status, _ = await world.request("PUT", "/api/program/settings", team.admin.access_token,
                                    json={"timezone": ZONE, "office_hours": "Mon-Fri 09:00-17:00"})
    assert status == 200
    sent = await client_writes(world, team.home, WORDS, urgent=True)
    # no roster: the help flow still opens (the lead is alerted by the escalation engine)
    assert sent["after_hours"] and sent["show_help"] and {"988", "911"} <= {
        line["number"] for line in sent["crisis_lines"]}
    admin_alerts = (await world.request("GET", "/api/alerts", team.admin.access_token))[1]["alerts"]
    assert any(a["kind"] == "crisis.help_requested" for a in admin_alerts)



async def test_a_page_that_cannot_go_out_still_keeps_the_message_and_says_to_call_now(world, inbox, clock,
                                                                                     monkeypatch):
    team = await enrolled(world)
    await clock.advance(12 * 3600)
    await _program(world, team)

    async def broken(*args, **kwargs):
        raise OSError("synthetic outage")
    monkeypatch.setattr(world.app[HELP_DESK], "ask", broken)
    sent = await client_writes(world, team.home, WORDS, urgent=True)
    assert sent["after_hours"] and sent["show_help"] and sent["help"] is None
    assert "could not reach a clinician" in sent["notice"] and "988" in sent["notice"]
    thread = (await world.request("GET", f"/api/clients/{team.client_id}/messages", team.therapist.access_token))[1]
    assert [m["text"] for m in thread["messages"]] == [WORDS]
