"""What leaves Steadyline about a message carries no text of it: the signed webhook (an SMS gateway) says
"you have a new message" to the client's phone, and the care team's dashboard push names the thread, the
client, whether it is urgent and when — nothing the client wrote."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from tests.conftest import make_settings
from tests.integration.messaging.helpers import client_writes, enrolled, staff_writes
from tests.support.smtp import eventually

from server.app_keys import DASHBOARD

WORDS = "Glimmerquay harbour note, second Tuesday"  # distinctive synthetic content


@pytest.fixture
async def webhook(aiohttp_server):
    received: list[dict] = []

    async def receive(request: web.Request) -> web.Response:
        received.append(json.loads(await request.read()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", receive)
    server = await aiohttp_server(app)
    return str(server.make_url("/hook")), received


@pytest.fixture
def settings(database_url, webhook):
    return make_settings(database_url, notify_webhook_url=webhook[0])


async def test_the_webhook_says_there_is_a_message_and_nothing_of_it(world, webhook):
    team = await enrolled(world)
    status, _ = await world.request("PUT", f"/api/clients/{team.client_id}/profile", team.therapist.access_token,
                                    json={"therapist_id": team.therapist.id, "phone": "+1 555 0100"})
    assert status == 200
    answered = await staff_writes(world, team.therapist, team.client_id, WORDS)
    assert answered["notified"] == {"email": "skipped", "webhook": "sent"}
    [hook] = await eventually(lambda: _now(webhook[1]))
    assert hook["kind"] == "new_message" and hook["client_id"] == team.client_id
    assert "new message" in hook["text"].lower() or "sent you a message" in hook["text"]
    dumped = json.dumps(hook)
    assert "Glimmerquay" not in dumped and "Tuesday" not in dumped and "Client A" not in dumped


async def test_the_dashboard_push_names_the_message_never_its_text(world, monkeypatch):
    pushed: list[dict] = []

    async def publish(**kwargs):
        pushed.append(kwargs)
    monkeypatch.setattr(world.app[DASHBOARD], "publish", publish)
    team = await enrolled(world)
    sent = await client_writes(world, team.home, WORDS, urgent=False)
    [push] = pushed
    assert (push["program_id"], push["client_id"], push["event"]) == (team.therapist.program_id, team.client_id,
                                                                      "message")
    assert set(push["payload"]) == {"thread_id", "client_id", "message_id", "urgent", "at"}
    assert push["payload"]["thread_id"] == sent["thread_id"] and push["payload"]["urgent"] is False
    assert "Glimmerquay" not in json.dumps(push)
    await staff_writes(world, team.therapist, team.client_id, "a synthetic answer")
    assert len(pushed) == 1  # the care team's own messages are not pushed to the care team


async def _now(value):
    return value
