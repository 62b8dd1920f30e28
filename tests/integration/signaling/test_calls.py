"""Real calls: aiortc peers redeem links, wait in the lobby, are admitted, negotiate through the
server and receive each other's video frames."""

from __future__ import annotations

import asyncio

from tests.support.rtc_peer import RtcPeer


async def test_two_peers_exchange_video_through_signalling(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client A")
    host = await world.host_in_room(therapist, session["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]

    client, client_pid = await world.admitted_client(host, link["join_url"])
    therapist_peer, client_peer = RtcPeer(host, host_pid), RtcPeer(client, client_pid)
    try:
        await client_peer.offer_to(host_pid)  # the newcomer offers to those already in the room
        await asyncio.gather(client_peer.wait_frames([host_pid]), therapist_peer.wait_frames([client_pid]))
        assert client_peer.frame_sizes[host_pid] == (160, 120)
        assert therapist_peer.frame_sizes[client_pid] == (160, 120)
    finally:
        await asyncio.gather(therapist_peer.close(), client_peer.close())


async def test_group_of_four_full_mesh_every_peer_receives_every_other(world):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    host = await world.host_in_room(therapist, session["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    peers = {host_pid: RtcPeer(host, host_pid)}
    try:
        for name in ("Client A", "Client B", "Client C"):
            link = await world.add_client(therapist, session["id"], name)
            sock, pid = await world.admitted_client(host, link["join_url"])
            peers[pid] = RtcPeer(sock, pid)
            state = (await sock.call("join"))["state"]
            for member in state["members"]:
                if member["participant_id"] != pid:
                    await peers[pid].offer_to(member["participant_id"])
        await asyncio.gather(*(
            peer.wait_frames([other for other in peers if other != pid], timeout=60)
            for pid, peer in peers.items()
        ))
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))
