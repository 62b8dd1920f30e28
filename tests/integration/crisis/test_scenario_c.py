"""Scenario C: during a group session a client has acute anxiety after a sudden loss; the therapist
moves them to a private crisis room while the group goes on with the co-facilitator; the treatment
plan gets follow-ups.

Real aiortc peers: the group (therapist, co-facilitator, three clients) exchanges media through the
server's SFU; after the move the client and the therapist exchange decoded video and audio
peer-to-peer in the private room while the rest of the group keeps receiving each other."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import datetime, timedelta

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError

from loadtest.camera import PatternTrack
from server.app_keys import STORE
from server.db.tables import StaffRole
from tests.support.rtc_peer import RtcPeer
from tests.support.sfu_peer import SfuPeer
from tests.support.world import SEEN_SECRETS


class AvPeer(RtcPeer):
    """A 1:1 (mesh) peer that sends video and audio and counts decoded frames per kind."""

    def __init__(self, sock, participant_id: str) -> None:
        super().__init__(sock, participant_id)
        self.kind_frames: dict[tuple[str, str], int] = defaultdict(int)

    def _pc(self, remote: str) -> RTCPeerConnection:
        if remote not in self.pcs:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTrack(PatternTrack())
            pc.addTrack(AudioStreamTrack())
            pc.on("track", lambda track: self._spawn(self._consume(remote, track)))
            self.pcs[remote] = pc
        return self.pcs[remote]

    async def _consume(self, remote: str, track) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            self.kind_frames[(remote, track.kind)] += 1

    async def wait_kinds(self, remote: str, count: int = 10, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while min(self.kind_frames[(remote, "video")], self.kind_frames[(remote, "audio")]) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"frames {dict(self.kind_frames)} after {timeout}s")
            await asyncio.sleep(0.05)


async def _co_facilitator_token(world, therapist, session: dict) -> str:
    """A colleague the lead adds as co-facilitator; they enter the call from their own sign-in."""
    co = await world.therapist(program_id=therapist.program_id)
    status, place = await world.request("POST", f"/api/sessions/{session['id']}/co-facilitators",
                                        therapist.access_token, json={"staff_id": co.id})
    assert status == 201, place
    return await world.host_token(co, session["id"])


async def _grows(peer: SfuPeer, publishers: list[str], frames: int = 10, timeout: float = 20) -> None:
    """``peer`` keeps receiving: at least ``frames`` new video frames from each publisher (the SFU may
    be renegotiating after the others left, so allow it a moment)."""
    before = {p: peer.frames[(p, "video")] for p in publishers}
    deadline = time.monotonic() + timeout
    while any(peer.frames[(p, "video")] < before[p] + frames for p in publishers):
        if time.monotonic() > deadline:
            raise AssertionError((peer.participant_id, before, dict(peer.frames)))
        await asyncio.sleep(0.1)


async def test_scenario_c_private_crisis_room_from_a_group(world):
    therapist = await world.therapist()
    group = await world.session(therapist, kind="group")
    host = await world.host_in_room(therapist, group["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    peers = {host_pid: SfuPeer(host, host_pid)}
    co = await world.socket(await _co_facilitator_token(world, therapist, group))
    co_pid = (await co.call("join"))["state"]["you"]["participant_id"]
    peers[co_pid] = SfuPeer(co, co_pid)
    clients = {}
    for name in ("Riley Example", "Sam Sample", "Kai Placeholder"):
        link = await world.add_client(therapist, group["id"], name)
        sock, pid = await world.admitted_client(host, link["join_url"])
        clients[pid] = (sock, link["participant"]["client_id"])
        peers[pid] = SfuPeer(sock, pid)
    private_peers: list[AvPeer] = []
    try:
        for peer in peers.values():
            await peer.publish()
        await asyncio.gather(*(p.wait_frames([o for o in peers if o != pid], timeout=90) for pid, p in peers.items()))

        # Riley has acute anxiety after a sudden loss: the therapist opens the crisis, then moves Riley
        riley_pid, (riley_sock, riley_client) = next(iter(clients.items()))
        status, crisis = await world.request("POST", f"/api/sessions/{group['id']}/crisis", therapist.access_token,
                                             json={"client_id": riley_client})
        assert status == 201, crisis
        status, room = await world.request("POST", f"/api/sessions/{group['id']}/private-room",
                                           therapist.access_token, json={"participant_id": riley_pid})
        assert status == 201 and room["crisis_moved"] and room["client_notified"], room
        SEEN_SECRETS.add(room["participant_token"])
        private_id = room["session"]["id"]
        event = await riley_sock.wait_for("moved_to_room")
        SEEN_SECRETS.add(event["participant_token"])
        assert event["session_id"] == private_id

        # Riley's browser and the therapist's leave the group; the co-facilitator keeps it running
        for pid, sock in ((riley_pid, riley_sock), (host_pid, host)):
            assert (await sock.call("leave"))["ok"]
            await peers.pop(pid).close()
            await sock.disconnect()
        stayers = list(peers)
        for pid in (riley_pid, host_pid):
            await co.wait_for("presence", lambda p, pid=pid: p["participant_id"] == pid and p["state"] == "left")

        # the private room: the therapist is there first; Riley walks straight in and offers (peer-to-peer)
        therapist_sock = await world.socket(room["participant_token"])
        therapist_pid = (await therapist_sock.call("join"))["state"]["you"]["participant_id"]
        therapist_peer = AvPeer(therapist_sock, therapist_pid)
        riley_sock2 = await world.socket(event["participant_token"])
        joined = await riley_sock2.call("join")
        assert joined["state"]["you"]["status"] == "admitted" and joined["state"]["kind"] == "individual"
        riley_peer = AvPeer(riley_sock2, joined["state"]["you"]["participant_id"])
        private_peers += [therapist_peer, riley_peer]
        await riley_peer.offer_to(therapist_pid)
        await asyncio.gather(therapist_peer.wait_kinds(riley_peer.participant_id, timeout=60),
                             riley_peer.wait_kinds(therapist_pid, timeout=60))

        # the group goes on: everyone left still receives everyone else left
        await asyncio.gather(*(_grows(peers[pid], [o for o in stayers if o != pid]) for pid in stayers))
        status, still = await world.request("GET", f"/api/sessions/{group['id']}", therapist.access_token)
        assert still["status"] == "scheduled"

        # the crisis timeline shows the move
        cid = crisis["crisis_id"]
        status, timeline = await world.request("GET", f"/api/crises/{cid}/timeline", therapist.access_token)
        assert status == 200, timeline
        moved = [e for e in timeline["events"] if e["kind"] == "moved"]
        assert timeline["session_id"] == private_id
        assert [(e["from_session_id"], e["to_session_id"]) for e in moved] == [(group["id"], private_id)]

        # stabilised in the private room, closed: the treatment plan gets its follow-ups
        version = timeline["version"]
        for action, extra in (("stabilise", {}), ("close", {"include_family_debrief": True})):
            status, body = await world.request("POST", f"/api/crises/{cid}/transitions", therapist.access_token,
                                               json={"action": action, "expected_version": version, **extra})
            assert status == 200, body
            version = body["version"]
        closed_at = datetime.fromisoformat(body["closed_at"])
        colleague = await world.therapist(program_id=therapist.program_id)
        status, plans = await world.request("GET", f"/api/clients/{riley_client}/follow-ups", colleague.access_token)
        assert status == 200 and len(plans["plans"]) == 1, plans
        items = plans["plans"][0]["items"]
        kinds = [i["kind"] for i in items]
        assert kinds.count("check_in") == 5 and "family_debrief" in kinds
        session_item = next(i for i in items if i["kind"] == "individual_session")
        assert datetime.fromisoformat(session_item["due_at"]).date() == closed_at.date() + timedelta(days=1)
        outsider = await world.therapist(role=StaffRole.ADMIN)
        status, _ = await world.request("GET", f"/api/clients/{riley_client}/follow-ups", outsider.access_token)
        assert status == 404
        status, _ = await world.request("GET", f"/api/crises/{cid}/follow-up", outsider.access_token)
        assert status == 404
        assert await world.app[STORE].get_session(private_id)
    finally:
        await asyncio.gather(*(p.close() for p in [*peers.values(), *private_peers]), return_exceptions=True)
