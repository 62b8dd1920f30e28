"""The lobby and moderation, through the real app and real Socket.IO clients."""

from __future__ import annotations


async def test_client_waits_in_lobby_until_admitted(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client A")
    redeemed = await world.redeem(link["join_url"])

    client = await world.socket(redeemed["participant_token"])
    ack = await client.call("join")
    assert ack["ok"]
    assert ack["state"]["you"]["status"] == "lobby"
    assert ack["state"]["host_present"] is False
    assert ack["state"]["members"] == []
    assert ack["state"]["emergency"]["crisis_hotline"] == "988"

    host = await world.host_in_room(therapist, session["id"])
    lobby = await host.wait_for("lobby", lambda d: d["waiting"])
    assert [w["display_name"] for w in lobby["waiting"]] == ["Client A"]

    assert (await host.call("admit", {"participant_id": redeemed["participant"]["id"]}))["ok"]
    await client.wait_for("admitted")
    state = (await client.call("join"))["state"]
    assert state["you"]["status"] == "admitted"
    assert {m["role"] for m in state["members"]} == {"therapist", "client"}
    await host.wait_for("presence", lambda d: d["state"] == "joined" and d["role"] == "client")
