"""Group sessions through the server's SFU, signalled over Socket.IO with real aiortc peers."""

from __future__ import annotations

import asyncio

from tests.support.sfu_peer import SfuPeer


async def _group(world, names):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    host = await world.host_in_room(therapist, session["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    peers = {host_pid: SfuPeer(host, host_pid)}
    await peers[host_pid].publish()
    for name in names:
        link = await world.add_client(therapist, session["id"], name)
        sock, pid = await world.admitted_client(host, link["join_url"])
        peers[pid] = SfuPeer(sock, pid)
        await peers[pid].publish()
    return therapist, session, host, peers


async def test_four_members_each_receive_every_other_through_the_sfu(world):
    _, _, _, peers = await _group(world, ["Client A", "Client B", "Client C"])
    try:
        await asyncio.gather(*(
            peer.wait_frames([other for other in peers if other != pid], timeout=60)
            for pid, peer in peers.items()
        ))
        await asyncio.gather(*(
            peer.wait_frames([other for other in peers if other != pid], kind="audio", timeout=60)
            for pid, peer in peers.items()
        ))
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))


async def test_a_member_who_leaves_is_dropped_and_others_keep_receiving(world):
    _, _, host, peers = await _group(world, ["Client A", "Client B"])
    try:
        pids = list(peers)
        await asyncio.gather(*(p.wait_frames([o for o in pids if o != pid]) for pid, p in peers.items()))
        leaver = pids[2]
        assert (await host.call("remove", {"participant_id": leaver}))["ok"]
        await peers[leaver].close()
        stayers = pids[:2]
        before = {pid: dict(peers[pid].frames) for pid in stayers}
        await asyncio.sleep(1.5)
        for pid in stayers:
            other = next(o for o in stayers if o != pid)
            assert peers[pid].frames[(other, "video")] > before[pid].get((other, "video"), 0)
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))


async def test_sfu_events_are_refused_outside_a_group_call(world):
    therapist = await world.therapist()
    session = await world.session(therapist)  # individual: peer-to-peer
    host = await world.host_in_room(therapist, session["id"])
    ack = await host.call("media_offer", {"sdp": "v=0"})
    assert ack["error"]["code"] == "not_group_session"
    group = await world.session(therapist, kind="group")
    link = await world.add_client(therapist, group["id"], "Client A")
    waiting = await world.socket((await world.redeem(link["join_url"]))["participant_token"])
    await waiting.call("join")
    assert (await waiting.call("media_offer", {"sdp": "v=0"}))["error"]["code"] == "not_admitted"
    host2 = await world.host_in_room(therapist, group["id"])
    assert (await host2.call("media_offer", {"sdp": "not sdp"}))["error"]["code"] == "invalid_sdp"


async def test_audio_only_over_socketio_stops_others_video_to_that_member_until_switched_back(world):
    _, _, _, peers = await _group(world, ["Client A"])
    try:
        pids = list(peers)
        await asyncio.gather(*(p.wait_frames([o for o in pids if o != pid]) for pid, p in peers.items()))
        listener_pid, other = pids[1], pids[0]
        listener = peers[listener_pid]
        assert (await listener.sock.call("media_state", {"audio": True, "video": True, "receive_video": False}))["ok"]
        await asyncio.sleep(1.0)
        before = dict(listener.frames)
        await asyncio.sleep(1.5)
        assert listener.frames[(other, "video")] == before.get((other, "video"), 0), "no video while audio only"
        assert listener.frames[(other, "audio")] > before.get((other, "audio"), 0), "audio goes on"
        assert (await listener.sock.call("media_state", {"audio": True, "video": True, "receive_video": True}))["ok"]
        resumed = listener.frames[(other, "video")]
        for _ in range(100):
            if listener.frames[(other, "video")] > resumed:
                break
            await asyncio.sleep(0.1)
        assert listener.frames[(other, "video")] > resumed, "video is back"
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))
