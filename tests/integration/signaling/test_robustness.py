"""Malformed, oversized and flooding input hurts only its sender."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import make_settings
from tests.support.world import World


async def _room_with_client(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host = await world.host_in_room(therapist, session["id"])
    link = await world.add_client(therapist, session["id"])
    client, pid = await world.admitted_client(host, link["join_url"])
    return host, client, pid


@pytest.mark.parametrize("payload", [
    None, "text", 42, [1, 2], {"participant_id": None}, {"participant_id": "x" * 500},
    {"participant_id": "p", "extra": 1}, {"to": "x"}, {"to": "x", "description": {"type": "bogus", "sdp": ""}},
    {"to": "x", "description": {"type": "offer", "sdp": "v"}, "candidate": {"candidate": "c"}},
    {"locked": "yes please"},
])
async def test_malformed_payloads_get_an_error_ack_and_the_connection_survives(world, payload):
    host, client, pid = await _room_with_client(world)
    for event in ("admit", "signal", "lock"):
        ack = await host.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "malformed_payload", (event, payload, ack)
    assert host.connected
    assert (await host.call("ask_mute", {"participant_id": pid}))["ok"]
    await client.wait_for("mute_requested")


async def test_oversized_frame_closes_only_the_senders_connection(sqlite_url):
    settings = make_settings(sqlite_url, max_message_bytes=4096)
    async with World.start(settings) as world:
        host, client, client_pid = await _room_with_client(world)
        other_host, other_client, other_pid = await _room_with_client(world)
        with pytest.raises(Exception):
            await client.call("signal", {"to": "x", "description": {"type": "offer", "sdp": "v" * 10_000}}, timeout=3)
        for _ in range(50):
            if not client.connected:
                break
            await asyncio.sleep(0.1)
        assert not client.connected
        assert host.connected and other_host.connected and other_client.connected
        assert (await other_host.call("ask_mute", {"participant_id": other_pid}))["ok"]
        await other_client.wait_for("mute_requested")
        await host.wait_for("presence", lambda d: d["participant_id"] == client_pid and d["state"] == "reconnecting")


async def test_a_flood_is_throttled_without_hurting_other_rooms(sqlite_url):
    settings = make_settings(sqlite_url, message_rate=5, message_burst=10)
    async with World.start(settings) as world:
        host, client, pid = await _room_with_client(world)
        other_host, other_client, other_pid = await _room_with_client(world)
        acks = await asyncio.gather(*(client.call("media_state", {"audio": True, "video": True}) for _ in range(40)))
        limited = [a for a in acks if not a["ok"]]
        assert limited and all(a["error"]["code"] == "rate_limited" for a in limited)
        assert client.connected
        assert (await other_host.call("ask_mute", {"participant_id": other_pid}))["ok"]
        await other_client.wait_for("mute_requested")
