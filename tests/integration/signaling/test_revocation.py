"""Ending access ends the live connections it opened: a revoked link, a removal and a staff sign-out
close the sockets (joined or not) and the SFU peer connection that the credential opened, at once and
on whichever node holds them; the person is told why in plain words, and the token stays refused."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import socketio

from server.app_keys import SIGNALING
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.sfu_peer import SfuPeer
from tests.support.world import SocketClient, World


async def closed(sock: SocketClient, timeout: float = 10) -> None:
    """Wait until the server has closed this socket."""
    gone = asyncio.Event()
    sock.sio.on("disconnect", lambda *args: gone.set())
    if sock.connected:
        await asyncio.wait_for(gone.wait(), timeout)


async def drop(sock: SocketClient) -> None:
    """Break the connection from the server's side (a frame over the size limit closes it), as a
    network drop would: the server starts the reconnect window."""
    await sock.sio.emit("signal", {"to": "x", "description": {"type": "offer", "sdp": "v" * 70_000}})
    await closed(sock)


async def refused(world: World, token: str) -> dict:
    again = world.socket_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(token)
    return again.refusal


async def _call_with_client(world: World, kind: str = "individual"):
    therapist = await world.therapist()
    session = await world.session(therapist, kind=kind)
    host = await world.host_in_room(therapist, session["id"])
    link = await world.add_client(therapist, session["id"], "Client R")
    redeemed = await world.redeem(link["join_url"])
    return therapist, session, host, link, redeemed


async def _admit(world: World, host: SocketClient, redeemed: dict) -> SocketClient:
    client = await world.socket(redeemed["participant_token"])
    assert (await client.call("join"))["state"]["you"]["status"] == "lobby"
    pid = redeemed["participant"]["id"]
    await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
    assert (await host.call("admit", {"participant_id": pid}))["ok"]
    await client.wait_for("admitted")
    assert (await client.call("join"))["state"]["you"]["status"] == "admitted"
    return client


async def test_revoking_a_link_ends_the_socket_it_opened_at_once(world):
    therapist, session, host, _, redeemed = await _call_with_client(world)
    client, pid = await _admit(world, host, redeemed), redeemed["participant"]["id"]

    status, _ = await world.request("DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link",
                                    therapist.access_token)
    assert status == 200
    notice = await client.wait_for("removed")
    assert notice["reason"] == "link_revoked" and "withdrawn" in notice["message"]
    await closed(client)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")
    assert (await refused(world, redeemed["participant_token"]))["data"]["code"] == "auth_failed"


async def test_a_socket_opened_before_the_revocation_but_never_joined_is_closed_too(world):
    therapist, session, host, _, redeemed = await _call_with_client(world)
    pid = redeemed["participant"]["id"]
    waiting = await world.socket(redeemed["participant_token"])  # connected, not yet in the room

    await world.request("DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link", therapist.access_token)
    await waiting.wait_for("removed", lambda d: d["reason"] == "link_revoked")
    await closed(waiting)


async def test_removal_closes_the_persons_other_socket(world):
    _, _, host, _, redeemed = await _call_with_client(world)
    client, pid = await _admit(world, host, redeemed), redeemed["participant"]["id"]
    await drop(client)  # their connection broke: the place is kept for the reconnect window …
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting")
    back = await world.socket(redeemed["participant_token"])  # … and they are back, not yet joined

    ack = await host.call("remove", {"participant_id": pid})
    assert ack["ok"], ack
    await back.wait_for("removed")
    await closed(back)


async def test_signing_out_closes_every_socket_of_that_sign_in_even_one_not_yet_joined(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    console = await world.socket(await world.host_token(therapist, session["id"]))  # connected, never joined

    status, _ = await world.request("POST", "/api/auth/logout", therapist.access_token)
    assert status == 200
    assert (await console.wait_for("signed_out"))["reason"] == "signed_out"
    await closed(console)


@contextlib.asynccontextmanager
async def group_call_through_the_sfu(world):
    """A therapist and a client in a group session, each publishing to the SFU and receiving the other."""
    therapist, session, host, _, redeemed = await _call_with_client(world, kind="group")
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    client, pid = await _admit(world, host, redeemed), redeemed["participant"]["id"]
    peers = [SfuPeer(host, host_pid), SfuPeer(client, pid)]
    try:
        for peer in peers:
            await peer.publish()
        await asyncio.gather(peers[0].wait_frames([pid]), peers[1].wait_frames([host_pid]))
        yield therapist, session["id"], host, host_pid, client, pid
    finally:
        await asyncio.gather(*(peer.close() for peer in peers))


async def test_a_revoked_member_loses_the_peer_connection_with_the_sfu(world):
    async with group_call_through_the_sfu(world) as (therapist, session_id, host, host_pid, client, pid):
        rooms = world.app[SIGNALING].rooms
        assert pid in rooms.media_participants(session_id)

        await world.request("DELETE", f"/api/sessions/{session_id}/participants/{pid}/link", therapist.access_token)
        await closed(client)
        assert pid not in rooms.media_participants(session_id)  # ended with the socket, not after a window
        assert host_pid in rooms.media_participants(session_id)


@pytest.fixture
async def two_nodes(postgres_server, postgres_template, redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    settings = make_settings(url, redis_url=redis_server.url)
    async with World.two_nodes(settings) as (first, second):
        await asyncio.gather(first.app[SIGNALING].revocations.ready(), second.app[SIGNALING].revocations.ready())
        await asyncio.sleep(0.5)  # and let socket.io's own Redis channel subscribe
        yield first, second


@pytest.mark.redis
@pytest.mark.postgres
async def test_revocation_on_one_node_ends_the_socket_held_by_the_other(two_nodes):
    node_a, node_b = two_nodes
    therapist = await node_a.therapist()
    session = await node_a.session(therapist)
    host = await node_a.host_in_room(therapist, session["id"])
    link = await node_a.add_client(therapist, session["id"], "Client R")
    redeemed = await node_b.redeem(link["join_url"])
    client, pid = await _admit(node_b, host, redeemed), redeemed["participant"]["id"]

    status, _ = await node_a.request("DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link",
                                     therapist.access_token)
    assert status == 200
    assert (await client.wait_for("removed"))["reason"] == "link_revoked"
    await closed(client)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")
    assert (await refused(node_b, redeemed["participant_token"]))["data"]["code"] == "auth_failed"


async def test_the_sweep_closes_a_socket_whose_revocation_message_never_arrived(world):
    therapist, session, host, _, redeemed = await _call_with_client(world)
    client, pid = await _admit(world, host, redeemed), redeemed["participant"]["id"]
    await world.store.revoke_invites(pid)  # recorded, but no node was told (a lost Redis message)
    assert client.connected

    await world.app[SIGNALING].keepalive.tick()  # the periodic re-check of every socket on this node
    assert (await client.wait_for("removed"))["reason"] == "link_revoked"
    await closed(client)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")


@pytest.mark.redis
@pytest.mark.postgres
async def test_sign_out_and_crisis_close_on_one_node_end_sockets_held_by_the_other(two_nodes):
    from tests.integration.crisis.helpers import scene, start_crisis
    from tests.integration.crisis.test_crisis_guests import _close, _support_in_call

    node_a, node_b = two_nodes
    s = await scene(node_a)
    host = await node_a.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(node_a, s)
    _, _, support = await _support_in_call(node_b, s, crisis["crisis_id"])  # the support person on node B
    assert (await _close(node_a, s, crisis["crisis_id"]))[0] == 200
    assert (await support.wait_for("removed"))["reason"] == "crisis_closed"
    await closed(support)

    other_console = await node_b.host_in_room(s.therapist, s.session_id)  # the host's own second window, on B
    await host.wait_for("replaced")
    status, _ = await node_a.request("POST", "/api/auth/logout", s.therapist.access_token)
    assert status == 200
    assert (await other_console.wait_for("signed_out"))["reason"] == "signed_out"
    await closed(other_console)


async def test_signing_out_ends_the_hosts_peer_connection_with_the_sfu(world):
    async with group_call_through_the_sfu(world) as (therapist, session_id, host, host_pid, client, pid):
        rooms = world.app[SIGNALING].rooms
        await world.request("POST", "/api/auth/logout", therapist.access_token)
        await closed(host)
        assert host_pid not in rooms.media_participants(session_id)
        assert pid in rooms.media_participants(session_id)
