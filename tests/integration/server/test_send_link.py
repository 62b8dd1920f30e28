"""``POST /api/sessions/{id}/participants/{pid}/send-link``: a client's new personal link sent through the
notifier — to the client's saved contact (e-mail by real SMTP, the phone number to the signed webhook that
stands in for an SMS gateway) or to what the therapist typed; the link before stops working; nothing about
health in the message; refused without any contact, for a therapist's own place and in an ended session."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web

from tests.conftest import make_settings
from tests.support.smtp import Inbox, eventually, smtp_inbox
from tests.support.world import SEEN_SECRETS

HEALTH_WORDS = re.compile(r"crisis|safety plan|therap|mental|suicid|diagnos", re.IGNORECASE)


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box


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
def settings(sqlite_url, inbox, webhook):
    return make_settings(sqlite_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="links@example.test",
                         notify_webhook_url=webhook[0])


def _path(session_id: str, participant_id: str) -> str:
    return f"/api/sessions/{session_id}/participants/{participant_id}/send-link"


async def test_the_link_goes_to_the_saved_contact_and_the_old_one_stops_working(world, inbox, webhook):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    pid, client_id = link["participant"]["id"], link["participant"]["client_id"]
    status, body = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                       json={"email": "jordan@example.test", "phone": "+1 555 010 0199"})
    assert status == 200, body

    status, sent = await world.request("POST", _path(session["id"], pid), therapist.access_token, json={})
    assert status == 200, sent
    SEEN_SECRETS.add(sent["link"]["join_url"].split("#", 1)[1])
    assert sent["sent"] is True and sent["outcomes"] == {"email": "sent", "webhook": "sent"}
    assert sent["email"] == "jordan@example.test" and sent["phone"] == body["phone"]
    message = await eventually(lambda: _first(inbox.to("jordan@example.test")), timeout=10)
    text = Inbox.text(message)
    assert sent["link"]["join_url"] in text and not HEALTH_WORDS.search(text)
    hook = webhook[1][0]
    assert hook["kind"] == "session_link" and hook["to"]["phone"] == body["phone"]
    assert hook["join_url"] == sent["link"]["join_url"] and not HEALTH_WORDS.search(hook["text"])
    # the link before it no longer works; the one sent does
    status, _ = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#", 1)[1]})
    assert status in (401, 404, 410), status
    status, _ = await world.request("POST", "/api/join", json={"token": sent["link"]["join_url"].split("#", 1)[1]})
    assert status == 200


async def _first(found):
    return found[0] if found else None


async def test_a_typed_address_wins_and_nothing_saved_is_refused(world, inbox):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    link = await world.add_client(therapist, session["id"], "Riley Example")
    pid = link["participant"]["id"]
    status, problem = await world.request("POST", _path(session["id"], pid), therapist.access_token, json={})
    assert status == 422, problem  # no saved contact, nothing typed
    status, problem = await world.request("POST", _path(session["id"], pid), therapist.access_token,
                                          json={"email": "not an address"})
    assert status == 422, problem
    status, sent = await world.request("POST", _path(session["id"], pid), therapist.access_token,
                                       json={"email": "riley@example.test"})
    assert status == 200 and sent["outcomes"]["email"] == "sent", sent
    SEEN_SECRETS.add(sent["link"]["join_url"].split("#", 1)[1])
    await eventually(lambda: _first(inbox.to("riley@example.test")), timeout=10)

    status, detail = await world.request("GET", f"/api/sessions/{session['id']}", therapist.access_token)
    own = next((p for p in detail["participants"] if p["role"] == "therapist"), None)
    if own is not None:  # the therapist's own place has no link to send
        status, problem = await world.request("POST", _path(session["id"], own["id"]), therapist.access_token,
                                              json={"email": "me@example.test"})
        assert status == 409, problem
    status, _ = await world.request("POST", f"/api/sessions/{session['id']}/end", therapist.access_token)
    assert status == 200
    status, problem = await world.request("POST", _path(session["id"], pid), therapist.access_token,
                                          json={"email": "riley@example.test"})
    assert status == 409, problem
