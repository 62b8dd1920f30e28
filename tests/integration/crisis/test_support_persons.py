"""Adding a support person to a crisis: with the client's consent to invite them to video they get a
personal single-use link by real SMTP (aiosmtpd) and by a signed webhook, and come straight into the
call while the crisis is open; without consent the invitation is refused unless an emergency override gives a reason."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from server.notify.notifier import SIGNATURE_HEADER
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis
from tests.support.smtp import smtp_inbox
from tests.support.world import SEEN_SECRETS

WEBHOOK_SECRET = "webhook-secret-" + "w" * 32
REASON = ("Client has stopped responding on video after describing an overdose; her sister must be "
          "brought in now and we cannot ask for consent.")


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box, box.port


@pytest.fixture
def settings(sqlite_url, inbox, webhook):
    return make_settings(sqlite_url, smtp_host="127.0.0.1", smtp_port=inbox[1], smtp_from="crisis@example.test",
                         notify_webhook_url=webhook[0], notify_webhook_secret=WEBHOOK_SECRET, support_link_ttl=600)


async def test_support_person_with_consent_gets_a_single_use_link_by_email_and_webhook(world, inbox, webhook):
    s = await scene(world)
    alex = s.contact("Alex Sample")
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents",
                                        s.therapist.access_token,
                                        json={"party": "support_person", "contact_id": alex, "scope": "invite_to_video"})
    assert status == 201, grant
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)

    status, invited = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/support-persons",
                                          s.therapist.access_token, json={"contact_id": alex})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    assert invited["basis"] == "consent" and invited["participant"]["role"] == "support"
    assert invited["notifications"] == {"email": "sent", "webhook": "sent"}

    box, _ = inbox
    assert box.envelopes == [("crisis@example.test", ["alex@example.org"])]
    text = box.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert invited["join_url"] in text and "works once" in text
    assert "Jordan" not in text  # the client is not named

    url, received = webhook
    headers, raw = received[0]
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    payload = json.loads(raw)
    assert payload["kind"] == "support_invitation" and payload["join_url"] == invited["join_url"]
    assert payload["to"] == {"phone": "+15550100102", "email": "alex@example.org"}

    redeemed = await world.redeem(invited["join_url"])
    assert redeemed["participant"]["role"] == "support"
    status, again = await world.request("POST", "/api/join", json={"token": invited["join_url"].split("#", 1)[1]})
    assert (status, again["code"]) == (410, "link_invalid")  # single use
    support = await world.socket(redeemed["participant_token"])
    ack = await support.call("join")  # the crisis is open: straight into the call (test_support_join.py)
    assert ack["ok"] and ack["state"]["you"]["status"] == "admitted", ack
    assert ack["state"]["you"]["role"] == "support"
    pid = redeemed["participant"]["id"]
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined")


async def test_without_consent_the_invitation_is_refused_unless_overridden(world, inbox, webhook):
    s = await scene(world)
    sam = s.contact("Sam Example")
    crisis = await start_crisis(world, s)
    path = f"/api/crises/{crisis['crisis_id']}/support-persons"
    status, refused = await world.request("POST", path, s.therapist.access_token, json={"contact_id": sam})
    assert (status, refused["code"]) == (409, "consent_required")
    status, refused = await world.request("POST", path, s.therapist.access_token,
                                          json={"contact_id": sam, "override_reason": "urgent"})
    assert (status, refused["code"]) == (422, "override_reason_required")
    status, refused = await world.request("POST", path, s.therapist.access_token, json={"contact_id": "contact_x"})
    assert (status, refused["code"]) == (422, "plan_contact_not_found")
    assert inbox[0].messages == [] and webhook[1] == []
    participants = await world.store.list_participants(s.session_id)
    assert [p.role.value for p in participants].count("support") == 0

    status, invited = await world.request("POST", path, s.therapist.access_token,
                                          json={"contact_id": sam, "override_reason": REASON})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    assert invited["basis"] == "override"
    assert invited["notifications"] == {"email": "skipped", "webhook": "sent"}  # Sam has no email address
    status, alerts = await world.request("GET", "/api/alerts", s.therapist.access_token)
    assert any(a["kind"] == "disclosure.override" for a in alerts["alerts"]), alerts
