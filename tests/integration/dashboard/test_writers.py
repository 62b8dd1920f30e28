"""Alerts written by other features reach the dashboard too (``PlanStore.on_alert``): the missed-session
sweep's outreach task and its alert are pushed to the session's therapist as the sweep records them, on the
app's (fake) clock, and to nobody outside the client's care team."""

from __future__ import annotations

import asyncio

import pytest

from server.app_keys import MISSED_SESSIONS
from tests.conftest import make_settings
from tests.integration.dashboard.helpers import staff_socket
from tests.support.fake_clock import FakeClock

AFTER = 600.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url, missed_session_after=AFTER, outreach_sweep_interval=0)


async def test_the_missed_session_sweep_pushes_its_task_and_alert(world, clock):
    therapist = await world.therapist()
    colleague = await world.therapist(program_id=therapist.program_id)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client M")
    client_id = link["participant"]["client_id"]
    own, other = [await staff_socket(world, s.access_token) for s in (therapist, colleague)]
    await clock.advance(AFTER + 30)
    assert await world.app[MISSED_SESSIONS].sweep() == 1
    task = (await own.wait_for("outreach_task", timeout=2))["task"]
    assert (task["client_id"], task["client_name"], task["kind"]) == (client_id, "Client M", "missed_session")
    alert = (await own.wait_for("alert", lambda d: d["alert"]["kind"] == "outreach.missed_session", timeout=2))
    assert alert["alert"]["client_id"] == client_id and "Client M" not in alert["alert"]["subject"]
    await asyncio.sleep(0.5)
    assert other.events == {}
