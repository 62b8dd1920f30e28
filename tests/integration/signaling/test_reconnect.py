"""A connection is not a session: reloads, second devices and drops keep the person's place.
The reconnect windows run on a FakeClock the tests advance."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.fake_clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _room(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host = await world.host_in_room(therapist, session["id"])
    link = await world.add_client(therapist, session["id"], "Client A")
    redeemed = await world.redeem(link["join_url"])
    return therapist, session, host, link, redeemed


async def test_the_same_participant_connecting_again_replaces_the_older_connection(world):
    _, _, host, link, redeemed = await _room(world)
    client, pid = await world.admitted_client(host, link["join_url"])
    second = await world.socket(redeemed["participant_token"])
    state = (await second.call("join"))["state"]
    assert state["you"]["status"] == "admitted"  # straight back in, no lobby
    await client.wait_for("replaced")
    for _ in range(50):
        if not client.connected:
            break
        await asyncio.sleep(0.05)
    assert not client.connected and second.connected
    members = (await host.call("join"))["state"]["members"]
    assert [m["participant_id"] for m in members].count(pid) == 1


async def test_a_dropped_client_rejoins_within_the_window_without_the_lobby(world, clock):
    _, _, host, link, redeemed = await _room(world)
    client, pid = await world.admitted_client(host, link["join_url"])
    await client.disconnect()
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting")
    assert await clock.sleeping(1) == [world.settings.reconnect_window]
    await clock.advance(world.settings.reconnect_window - 0.1)  # back just inside the window
    back = await world.socket(redeemed["participant_token"])
    assert (await back.call("join"))["state"]["you"]["status"] == "admitted"
    rejoined = [p for p in host.events["presence"] if p["participant_id"] == pid and p["state"] == "joined"]
    for _ in range(50):
        rejoined = [p for p in host.events["presence"] if p["participant_id"] == pid and p["state"] == "joined"]
        if len(rejoined) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(rejoined) == 2  # admitted once, back once
    assert clock.pending == []  # the window is cancelled, not left to run
    await clock.advance(world.settings.reconnect_window + 0.5)
    await asyncio.sleep(0.2)  # real time for anything woken (wrongly) to show
    assert not [p for p in host.events["presence"] if p["participant_id"] == pid and p["state"] == "left"]


async def test_a_client_who_does_not_return_is_gone_after_the_window(world, clock):
    _, _, host, link, redeemed = await _room(world)
    client, pid = await world.admitted_client(host, link["join_url"])
    await client.disconnect()
    assert await clock.sleeping(1) == [world.settings.reconnect_window]
    await clock.advance(world.settings.reconnect_window - 0.1)
    assert clock.pending == [world.settings.reconnect_window]  # not gone before the window runs out
    await clock.advance(0.1)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left",
                        timeout=world.settings.reconnect_window + 5)
    back = await world.socket(redeemed["participant_token"])
    assert (await back.call("join"))["state"]["you"]["status"] == "lobby"


async def test_moderation_send_back_remove_and_end(world):
    therapist, session, host, link, redeemed = await _room(world)
    client, pid = await world.admitted_client(host, link["join_url"])
    assert (await host.call("send_to_lobby", {"participant_id": pid}))["ok"]
    await client.wait_for("returned_to_lobby")
    assert (await client.call("join"))["state"]["you"]["status"] == "lobby"
    assert (await host.call("lock", {"locked": True}))["ok"]
    ack = await host.call("admit", {"participant_id": pid})
    assert ack["error"]["code"] == "room_locked"
    await client.wait_for("room_locked")
    assert (await host.call("lock", {"locked": False}))["ok"]
    assert (await host.call("admit", {"participant_id": pid}))["ok"]
    assert (await host.call("remove", {"participant_id": pid}))["ok"]
    await client.wait_for("removed")
    again = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#")[1]})
    assert again[0] == 410

    assert (await host.call("end_session"))["ok"]
    await host.wait_for("session_ended")
    assert (await host.call("join"))["error"]["code"] == "session_ended"
    status, detail = await world.request("GET", f"/api/sessions/{session['id']}", therapist.access_token)
    assert detail["status"] == "ended"


async def test_denied_client_is_told_and_disconnected(world):
    _, _, host, _, redeemed = await _room(world)
    client = await world.socket(redeemed["participant_token"])
    await client.call("join")
    pid = redeemed["participant"]["id"]
    await host.wait_for("lobby", lambda d: d["waiting"])
    assert (await host.call("deny", {"participant_id": pid}))["ok"]
    notice = await client.wait_for("denied")
    assert "could not let you in" in notice["message"]
    lobby = await host.wait_for("lobby", lambda d: not d["waiting"])
    assert lobby == {"waiting": []}


async def test_after_a_server_restart_admitted_people_come_straight_back(sqlite_url):
    from tests.conftest import make_settings
    from tests.support.world import World

    settings = make_settings(sqlite_url)
    async with World.start(settings) as before:
        therapist = await before.therapist()
        session = await before.session(therapist)
        host = await before.host_in_room(therapist, session["id"])
        link = await before.add_client(therapist, session["id"], "Client A")
        redeemed = await before.redeem(link["join_url"])
        client = await before.socket(redeemed["participant_token"])
        await client.call("join")
        await host.wait_for("lobby", lambda d: d["waiting"])
        assert (await host.call("admit", {"participant_id": redeemed["participant"]["id"]}))["ok"]
        host_token = await before.host_token(therapist, session["id"])
    async with World.start(settings) as after:  # a new process, same database
        back = await after.socket(redeemed["participant_token"])
        assert (await back.call("join"))["state"]["you"]["status"] == "admitted"
        host_again = await after.socket(host_token)
        members = (await host_again.call("join"))["state"]["members"]
        assert {m["role"] for m in members} == {"therapist", "client"}
