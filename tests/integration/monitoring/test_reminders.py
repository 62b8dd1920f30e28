"""On SQLite and PostgreSQL, with a real SMTP server: a check-in the care team scheduled is reminded once
when its time comes (no link, no health information), not when the client has already checked in, and a
second sweep (another node) sends nothing more."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_settings
from tests.integration.monitoring.helpers import check_in, enrolled
from tests.support.smtp import smtp_inbox

from server.app_keys import MONITORING
from server.db.tables import utcnow


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


@pytest.fixture
def settings(database_url, inbox):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="care@example.test",
                         check_in_sweep_interval=0)


async def _schedule_a_minute_ago(world, cast) -> None:
    status, program = await world.request("GET", "/api/program/settings", cast.therapist.access_token)
    local = (utcnow() - timedelta(minutes=1)).astimezone(ZoneInfo(program["timezone"]))
    status, answer = await world.request("POST", f"/api/clients/{cast.client_id}/check-in-schedule",
                                         cast.therapist.access_token,
                                         json={"days": 3, "time": f"{local:%H:%M}", "first_day": f"{local:%Y-%m-%d}"})
    assert status == 201, answer


async def test_a_scheduled_check_in_is_reminded_once(world, inbox):
    cast = await enrolled(world)
    status, _ = await world.request("PUT", f"/api/clients/{cast.client_id}/profile", cast.therapist.access_token,
                                    json={"therapist_id": cast.therapist.id, "email": "client.a@example.test"})
    assert status == 200
    await _schedule_a_minute_ago(world, cast)
    monitoring = world.app[MONITORING]
    assert await monitoring.remind(utcnow()) == 1
    assert await monitoring.remind(utcnow()) == 0  # claimed: a second sweep sends nothing
    [mail] = inbox.messages
    assert mail["Subject"] == "Time for today's check-in" and mail["To"] == "client.a@example.test"
    text = mail.get_content()
    assert "http" not in text and "mood" not in text.lower()

    await check_in(world, cast.home)
    await _schedule_a_minute_ago(world, cast)  # a new schedule: due again, but they have just checked in
    assert await monitoring.remind(utcnow()) == 0
    assert len(inbox.messages) == 1
