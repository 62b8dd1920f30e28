"""On SQLite and PostgreSQL: a client and their care team write to each other from the client's page and the
console; the text is kept encrypted; each side's reading is the other side's read receipt; only the care team
(own therapist, who leads a session the client is in, admins) may read or write, another program's client is
404; the client's e-mail says there is a message, never what it says; self-harm words in a client's message
raise an alert naming the rule, for a person to review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import make_settings
from tests.integration.messaging.helpers import (
    CLIENT_EMAIL,
    client_reads,
    client_writes,
    enrolled,
    message_alerts,
    secret,
    staff_reads,
    staff_writes,
)
from tests.support.smtp import Inbox, eventually

from server.app_keys import ENGINE, MESSAGING
from server.db.tables import StaffRole, utcnow
from server.messaging.home_api import MAX_PER_HOUR

FIRST = "Wobblefinch lantern question about Thursday"  # distinctive synthetic content
ANSWER = "Quorvane reply: Thursday at ten works"


@pytest.fixture
def settings(database_url, inbox):
    return make_settings(database_url, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="care@example.test")


async def test_client_and_therapist_write_both_ways_with_read_receipts(world, inbox):
    team = await enrolled(world)
    sent = await client_writes(world, team.home, FIRST)
    assert sent["message"]["mine"] and sent["message"]["read_at"] is None and sent["show_help"] is False
    assert "office hours" in sent["notice"] and "988" in sent["notice"]

    seen = await staff_reads(world, team.therapist, team.client_id)
    assert seen["unread"] == 1 and [m["text"] for m in seen["messages"]] == [FIRST]
    assert seen["messages"][0]["sender_name"] == "Client A" and not seen["messages"][0]["mine"]
    assert seen["messages"][0]["read_at"] is not None  # read now: the client's receipt
    status, count = await world.request("GET", f"/api/clients/{team.client_id}/messages/unread",
                                        team.admin.access_token)
    assert status == 200 and count["unread"] == 0

    mine = await client_reads(world, team.home)
    assert mine["messages"][0]["read_at"] is not None and mine["messages"][0]["sender_name"] == "You"

    answered = await staff_writes(world, team.therapist, team.client_id, ANSWER)
    assert answered["notified"]["email"] == "sent"
    theirs = await staff_reads(world, team.therapist, team.client_id)
    assert theirs["messages"][-1]["read_at"] is None  # the client has not read it yet
    now = await client_reads(world, team.home)
    assert now["unread"] == 1 and now["messages"][-1]["text"] == ANSWER and not now["messages"][-1]["mine"]
    read = await staff_reads(world, team.therapist, team.client_id)
    assert read["messages"][-1]["read_at"] is not None and read["messages"][-1]["mine"]
    assert read["thread_id"] == sent["thread_id"] == answered["thread_id"]


async def test_the_text_is_encrypted_at_rest(world):
    team = await enrolled(world)
    await client_writes(world, team.home, FIRST)
    await staff_writes(world, team.therapist, team.client_id, ANSWER)
    async with world.app[ENGINE].connect() as conn:
        raw = list((await conn.execute(text("SELECT body FROM messages"))).scalars())
    assert len(raw) == 2
    for body in raw:
        assert body.startswith("v1.") and "Wobblefinch" not in body and "Quorvane" not in body


async def test_the_clients_email_says_there_is_a_message_never_what_it_says(world, inbox: Inbox):
    team = await enrolled(world)
    await staff_writes(world, team.therapist, team.client_id, ANSWER)
    mail = await eventually(lambda: _async(inbox.to(CLIENT_EMAIL)))
    [message] = mail
    body = Inbox.text(message)
    assert message["Subject"] == "You have a new message"
    assert "Quorvane" not in body and "Thursday" not in body and "Client A" not in body
    assert f"{world.settings.public_url.rstrip('/')}/home" in body


async def test_a_client_without_an_email_is_not_mailed(world, inbox: Inbox):
    team = await enrolled(world, email=None)
    answered = await staff_writes(world, team.therapist, team.client_id, ANSWER)
    assert answered["notified"] == {"email": "skipped", "webhook": "skipped"}
    assert inbox.messages == []


async def test_only_the_care_team_reads_and_writes(world):
    team = await enrolled(world)
    await client_writes(world, team.home, FIRST)
    path = f"/api/clients/{team.client_id}/messages"
    status, answer = await world.request("GET", path, team.colleague.access_token)
    assert (status, answer["code"]) == (403, "not_care_team")
    status, answer = await world.request("POST", path, team.colleague.access_token, json={"text": "hello"})
    assert (status, answer["code"]) == (403, "not_care_team")
    assert (await staff_reads(world, team.admin, team.client_id))["messages"][0]["text"] == FIRST
    # leading a session the client is in puts the colleague on the care team
    session = await world.session(team.colleague, kind="group")
    status, added = await world.request("POST", f"/api/sessions/{session['id']}/participants",
                                        team.colleague.access_token,
                                        json={"display_name": "Client A", "client_id": team.client_id})
    assert status == 201, added
    assert (await staff_reads(world, team.colleague, team.client_id))["messages"][0]["text"] == FIRST


async def test_another_programs_client_is_not_found(world):
    team = await enrolled(world)
    other = await world.therapist()
    for method, path in (("GET", f"/api/clients/{team.client_id}/messages"),
                         ("POST", f"/api/clients/{team.client_id}/messages"),
                         ("GET", f"/api/clients/{team.client_id}/messages/unread"),
                         ("GET", "/api/clients/no-such-client/messages")):
        status, answer = await world.request(method, path, other.access_token, json={"text": "hi"})
        assert status == 404, (path, answer)


async def test_messages_are_validated_with_clear_errors(world):
    team = await enrolled(world)
    for body in ({"text": ""}, {"text": "   \n "}, {"text": "x" * 4001}, {"text": "hi", "colour": "red"}, {}):
        status, answer = await world.request("POST", "/api/home/messages", team.home, json=body)
        assert status == 422, (body, answer)
        assert answer["errors"], answer
    status, answer = await world.request("POST", "/api/home/messages", team.home, json={"text": "  two\r\nlines  "})
    assert status == 201 and answer["message"]["text"] == "two\nlines"


async def test_sending_is_rate_limited_by_the_minute(world):
    team = await enrolled(world)
    for n in range(6):
        await client_writes(world, team.home, f"synthetic note number {n}")
    status, answer = await world.request("POST", "/api/home/messages", team.home, json={"text": "one more"})
    assert (status, answer["code"]) == (429, "too_many_messages")
    assert "988" in answer["title"] and "I need help now" in answer["title"]


async def test_sending_is_rate_limited_by_the_hour(world):
    team = await enrolled(world)
    client = await world.store.get_client(team.client_id)
    for n in range(MAX_PER_HOUR):  # sent over the last hour (kept as the send keeps them)
        await world.app[MESSAGING].store.add(client, sender_kind="client", sender_id=client.id,
                                             text=secret(f"earlier synthetic note {n}"), urgent=False,
                                             at=utcnow() - timedelta(minutes=50 - n))
    status, answer = await world.request("POST", "/api/home/messages", team.home, json={"text": "one more"})
    assert (status, answer["code"]) == (429, "too_many_messages")


async def test_self_harm_words_in_a_message_raise_an_alert_for_review(world):
    team = await enrolled(world)
    sent = await client_writes(world, team.home, "Some days I want to hurt myself after work")
    assert sent["message"]["text"].startswith("Some days")  # the client is answered as any message
    [alert] = await message_alerts(world, team.therapist)
    assert (alert["rule"], alert["urgency"], alert["recipient_id"]) == ("self_harm_words", "urgent",
                                                                        team.therapist.id)
    assert "hurt" not in alert["subject"] and "hurt myself" in alert["body"]
    await client_writes(world, team.home, "I would never hurt myself, I promise")  # negated: no alert
    await staff_writes(world, team.therapist, team.client_id, "Did you want to hurt yourself?")  # staff: not run
    assert len(await message_alerts(world, team.therapist)) == 1


async def test_the_program_word_list_is_the_one_used(world):
    team = await enrolled(world)
    status, _ = await world.request("PUT", "/api/program/monitoring/vocabulary", team.admin.access_token,
                                    json={"phrases": ["give away my things"]})
    assert status == 200
    await client_writes(world, team.home, secret("I want to give away my things this week"))
    [alert] = await message_alerts(world, team.therapist)
    assert alert["rule"] == "self_harm_words"


async def _async(value):
    return value


async def test_the_clients_audit_export_shows_who_wrote_and_who_read(world):
    team = await enrolled(world)
    await client_writes(world, team.home, FIRST)
    await staff_reads(world, team.admin, team.client_id)
    await staff_writes(world, team.therapist, team.client_id, ANSWER)
    await client_reads(world, team.home)
    await client_reads(world, team.home)  # their page looks again: nothing new read, nothing recorded
    status, export = await world.request("GET", f"/api/audit?client_id={team.client_id}", team.admin.access_token)
    assert status == 200, export
    trail = [(r["action"], r["actor_id"]) for r in export["records"] if r["action"].startswith("message.")]
    assert trail == [("message.send", team.client_id), ("message.read", team.admin.id),
                     ("message.read_receipt", team.admin.id), ("message.send", team.therapist.id),
                     ("message.notify_client", team.therapist.id), ("message.read_receipt", team.client_id)], trail
    assert "Wobblefinch" not in str(export) and "Quorvane" not in str(export)


async def test_the_dashboard_lists_whose_messages_nobody_has_read_to_their_care_team_only(world):
    team = await enrolled(world)
    other_admin = await world.therapist(role=StaffRole.ADMIN)

    async def waiting(staff) -> list[dict]:
        status, answer = await world.request("GET", "/api/messages/unread", staff.access_token)
        assert status == 200, answer
        return answer["threads"]

    assert await waiting(team.therapist) == []
    await client_writes(world, team.home, FIRST)
    await client_writes(world, team.home, ANSWER, urgent=True)
    [thread] = await waiting(team.therapist)
    assert (thread["client_id"], thread["client_name"], thread["unread"], thread["urgent"]) == (
        team.client_id, "Client A", 2, True)
    assert FIRST not in str(thread) and ANSWER not in str(thread)  # counts and a name, never the text
    assert [t["client_id"] for t in await waiting(team.admin)] == [team.client_id]
    assert await waiting(team.colleague) == []  # in the program, not on this client's care team
    assert await waiting(other_admin) == []  # another program

    await staff_reads(world, team.admin, team.client_id)
    assert await waiting(team.therapist) == []  # read by someone on the care team: off everyone's list
