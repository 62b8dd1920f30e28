"""Talking without speaking: chat to everyone let in, a client's private word to the therapists (the quiet
"I can't talk right now" flagged for them), a therapist's private word to one member, never a client's
to another client, nothing for someone still in the lobby; a raised hand everyone sees, lowered by the
therapist. Real sockets against the real app."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import make_settings


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def _group(world):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    host = await world.host_in_room(therapist, session["id"])
    a_link = await world.add_client(therapist, session["id"], "Client A")
    b_link = await world.add_client(therapist, session["id"], "Client B")
    a, a_pid = await world.admitted_client(host, a_link["join_url"])
    b, b_pid = await world.admitted_client(host, b_link["join_url"])
    return therapist, session, host, (a, a_pid), (b, b_pid)


async def _nothing(sock, event: str, seconds: float = 0.5) -> bool:
    try:
        await sock.wait_for(event, timeout=seconds)
    except (asyncio.TimeoutError, TimeoutError, AssertionError):
        return True
    return False


async def test_chat_reaches_whom_it_is_for_and_nobody_else(world):
    therapist, session, host, (a, a_pid), (b, b_pid) = await _group(world)
    ack = await a.call("chat", {"text": "  Hello everyone  "})
    assert ack["ok"] and ack["delivered"] == 2, ack
    for sock in (host, b):
        got = await sock.wait_for("chat_message")
        assert (got["from"], got["text"], got["to"], got["quiet"]) == (a_pid, "Hello everyone", "room", False)

    ack = await b.call("chat", {"text": "I can't talk right now", "to": "hosts", "quiet": True})
    assert ack["ok"] and ack["delivered"] == 1, ack
    quiet = await host.wait_for("chat_message", lambda d: d["from"] == b_pid)
    assert quiet["quiet"] and quiet["to"] == "hosts" and quiet["from_name"] == "Client B"
    assert await _nothing(a, "chat_message")  # another client never sees it

    assert (await b.call("chat", {"text": "psst", "to": a_pid}))["error"]["code"] == "not_permitted"
    assert (await a.call("chat", {"text": "x", "quiet": True}))["error"]["code"] == "not_permitted"
    ack = await host.call("chat", {"text": "Are you safe?", "to": b_pid})
    assert ack["ok"] and ack["delivered"] == 1
    private = await b.wait_for("chat_message", lambda d: d["text"] == "Are you safe?")
    assert private["to"] == "you"
    assert await _nothing(a, "chat_message")
    for bad in ({"text": ""}, {"text": "x" * 501}, {"text": "hi", "extra": 1}, "not an object"):
        assert (await a.call("chat", bad))["error"]["code"] == "malformed_payload", bad


async def test_a_hand_is_raised_for_all_to_see_and_lowered_by_the_therapist(world):
    therapist, session, host, (a, a_pid), (b, b_pid) = await _group(world)
    assert (await a.call("raise_hand", {"raised": True}))["ok"]
    for sock in (host, b, a):
        raised = await sock.wait_for("hand", lambda d: d["participant_id"] == a_pid)
        assert raised["raised"] and raised["display_name"] == "Client A"
    state = (await b.call("join"))["state"]
    assert next(m for m in state["members"] if m["participant_id"] == a_pid)["hand"] is True
    assert (await b.call("lower_hand", {"participant_id": a_pid}))["error"]["code"] == "not_permitted"
    assert (await host.call("lower_hand", {"participant_id": a_pid}))["ok"]
    lowered = await a.wait_for("hand", lambda d: d["participant_id"] == a_pid and not d["raised"])
    assert lowered["raised"] is False


async def test_nobody_in_the_lobby_can_chat(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client W")
    redeemed = await world.redeem(link["join_url"])
    waiting = await world.socket(redeemed["participant_token"])
    assert (await waiting.call("join"))["state"]["you"]["status"] == "lobby"
    assert (await waiting.call("chat", {"text": "hello?"}))["error"]["code"] == "not_admitted"
