"""A group call outlives the node that served its media: two nodes on Redis (a real ``steadyline serve``
process with its own media worker, and the test's app), every member of a group call on the process
node; that node is killed (SIGKILL — its media worker dies with it). The members reconnect their
sockets to the survivor, which sees the owner on record is a dead node, tells them ``media_reset``,
takes the room over as they offer again and has everyone receiving everyone within 5 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from server.app_keys import SIGNALING
from signaling.media_workers import RemoteRoom
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.services import free_port
from tests.support.sfu_peer import SfuPeer
from tests.support.steadyline_cli import serve
from tests.support.world import SocketClient, World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

NODES = dict(node_heartbeat_interval=0.5, node_ttl=2.0, media_workers=1, reconnect_window=30.0)


def _children(pid: int) -> set[int]:
    children = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            children |= {int(child) for child in listing.read().split()}
    return children


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] == "Z"
    except FileNotFoundError:
        return True


async def _on(url: str, token: str) -> SocketClient:
    sock = SocketClient(url)
    await sock.connect(token)
    return sock


async def test_a_group_call_is_rebuilt_on_a_survivor_when_its_media_node_is_killed(
        tmp_path, postgres_server, postgres_template, redis_server):
    db = await fresh_postgres_url(postgres_server, postgres_template)
    port = free_port()
    process = await serve(tmp_path, db, redis_server.url, port, **{k: str(v) for k, v in NODES.items()})
    node_url = f"https://localhost:{port}"
    sockets: list[SocketClient] = []
    peers: dict[str, SfuPeer] = {}
    try:
        async with World.start(make_settings(db, redis_url=redis_server.url, **NODES), port=free_port()) as world:
            therapist = await world.therapist()
            session = await world.session(therapist, kind="group")
            tokens = {}
            host = await _on(node_url, await world.host_token(therapist, session["id"]))
            sockets.append(host)
            host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
            tokens[host_pid] = await world.host_token(therapist, session["id"])
            for name in ("Client A", "Client B"):
                redeemed = await world.redeem((await world.add_client(therapist, session["id"], name))["join_url"])
                pid = redeemed["participant"]["id"]
                tokens[pid] = redeemed["participant_token"]
                sock = await _on(node_url, tokens[pid])
                sockets.append(sock)
                assert (await sock.call("join"))["state"]["you"]["status"] == "lobby"
                await host.wait_for("lobby", lambda d, pid=pid: any(w["participant_id"] == pid for w in d["waiting"]))
                assert (await host.call("admit", {"participant_id": pid}))["ok"]
                await sock.wait_for("admitted")
                assert (await sock.call("join"))["state"]["you"]["status"] == "admitted"
                peers[pid] = SfuPeer(sock, pid)
            peers[host_pid] = SfuPeer(host, host_pid)
            for peer in peers.values():
                await peer.publish()
            await asyncio.gather(*(p.wait_frames([o for o in peers if o != pid], timeout=60)
                                   for pid, p in peers.items()))
            workers = _children(process.pid)
            assert workers, "the serving node runs its media in a worker process"

            killed_at = time.monotonic()
            process.send_signal(signal.SIGKILL)
            await process.wait()
            for pid, peer in peers.items():  # as browsers do: reconnect to a node that answers
                sock = await _on(world.base_url, tokens[pid])
                sockets.append(sock)
                peer.move_to(sock)
                assert (await sock.call("join"))["state"]["you"]["status"] == "admitted"
            deadline = time.monotonic() + 15
            while not all(peer.resets for peer in peers.values()):
                assert time.monotonic() < deadline, "every member is told to offer again"
                await asyncio.sleep(0.05)
            await asyncio.gather(*(p.wait_frames([o for o in peers if o != pid], timeout=30)
                                   for pid, p in peers.items()))
            rebuilt_in = max(max(p.first_frame_at.values()) for p in peers.values()) - killed_at
            print(f"kill -9 of the media node to everyone receiving everyone on the survivor: {rebuilt_in:.2f} s")
            assert all(peer.resets[-1][1] == "media_node_lost" for peer in peers.values())
            room = world.app[SIGNALING].media._rooms[session["id"]]
            assert isinstance(room, RemoteRoom) and set(room.participants) == set(peers)
            assert rebuilt_in < 5.0
            assert all(_gone(worker) for worker in workers), "the dead node's media worker died with it"
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()), return_exceptions=True)
        await asyncio.gather(*(sock.close() for sock in sockets), return_exceptions=True)
        if process.returncode is None:
            process.kill()
            await process.wait()
