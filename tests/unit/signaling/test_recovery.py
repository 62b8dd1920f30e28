"""Putting back what the live state lost (pure logic: a fake gatekeeper and Socket.IO server, the
in-process live state emptied to stand for a Redis that came back empty): admitted members are
members again, waiting ones are in the lobby and the hosts get it afresh, a lock holds (it is durable),
a socket replaced meanwhile is told so, and every socket hears ``live_state``."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from signaling.config import SignalingConfig
from signaling.errors import RoomLocked
from signaling.live_state import MemoryLiveState
from signaling.local_connections import LocalConnections
from signaling.media_rooms import MediaRooms
from signaling.metrics import SignalingMetrics
from signaling.ports import PresenceEvent
from signaling.recovery import Recovery
from signaling.rooms import RoomService
from tests.support.fake_clock import FakeClock
from tests.unit.signaling.test_rooms import FakeGate, who


class FakeSio:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []
        self.closed: list[str] = []

    async def emit(self, event, payload, to=None, ignore_queue=False):
        self.sent.append((event, payload, to))

    async def disconnect(self, sid):
        self.closed.append(sid)

    def to(self, sid: str) -> list[tuple[str, dict]]:
        return [(event, payload) for event, payload, to in self.sent if to == sid]


class Node:
    """One node's room service and sockets over a live state the test can empty."""

    def __init__(self, gate: FakeGate) -> None:
        self.sio, self.live, self.gate = FakeSio(), MemoryLiveState(), gate
        self.connections = LocalConnections()
        self.rooms = RoomService(self.sio, self.live, gate, SignalingConfig(reconnect_window=30),
                                 SignalingMetrics(CollectorRegistry()), MediaRooms(self.sio, self.live),
                                 sleep=FakeClock().sleep)
        self.recovery = Recovery(self.sio, self.rooms, self.connections, wake_delivery=self._woken)
        self.woken = 0

    def _woken(self) -> None:
        self.woken += 1

    async def connect_and_join(self, identity, sid):
        self.connections.add(sid, identity)
        await self.rooms.claim_socket(identity, sid)
        self.connections.set_joined(sid, True)
        return await self.rooms.join(identity, sid)

    def lose_everything(self) -> None:
        self.live = MemoryLiveState()  # Redis restarted: empty
        self.rooms._live = self.live

    async def close(self) -> None:
        await self.rooms.close()


@pytest.fixture
async def node():
    node = Node(FakeGate())
    yield node
    await node.close()


HOST, CLIENT, WAITING = who("host", "therapist"), who("c1"), who("c2")


async def _a_call(node: Node) -> None:
    await node.connect_and_join(HOST, "sid-h")
    await node.connect_and_join(CLIENT, "sid-1")  # its token predates its admission (admitted=False)
    await node.rooms.admit(HOST, "c1")
    await node.connect_and_join(WAITING, "sid-2")


async def test_after_redis_came_back_empty_the_admitted_are_members_and_the_lobby_is_rebuilt(node):
    await _a_call(node)
    node.lose_everything()
    node.sio.sent.clear()

    assert await node.recovery.returned() == 3
    members = {m.participant_id: m for m in await node.live.members("s1")}
    assert {pid: (m.status, m.sid) for pid, m in members.items()} == {
        "host": ("admitted", "sid-h"), "c1": ("admitted", "sid-1"), "c2": ("lobby", "sid-2")}
    lobby = [payload for event, payload in node.sio.to("sid-h") if event == "lobby"]
    assert [w["participant_id"] for w in lobby[-1]["waiting"]] == ["c2"]
    for sid in ("sid-h", "sid-1", "sid-2"):
        assert ("live_state", {"state": "available", "message": "Reconnected."}) in node.sio.to(sid)
    assert node.woken == 1
    assert await node.live.swap_socket("c1", "sid-1") is None  # its socket is on record again
    assert not [e for e, _ in node.sio.to("sid-1") if e in ("returned_to_lobby", "presence")]  # nothing else changed


async def test_putting_back_changes_nothing_when_nothing_was_lost(node):
    await _a_call(node)
    before = sorted((m.participant_id, m.status, m.sid) for m in await node.live.members("s1"))
    assert await node.recovery.returned() == 0
    assert sorted((m.participant_id, m.status, m.sid) for m in await node.live.members("s1")) == before


async def test_a_rejoin_on_the_old_socket_after_the_loss_lands_in_the_call(node):
    await _a_call(node)
    node.lose_everything()  # the browser's join arrives before this node's heartbeat put it back
    state = await node.rooms.join(CLIENT, "sid-1")
    assert state.you.status == "admitted"


async def test_a_locked_room_stays_locked_after_the_loss(node):
    await _a_call(node)
    await node.rooms.lock(HOST, True)
    node.lose_everything()
    await node.recovery.returned()
    assert (await node.rooms.state_for(HOST)).locked
    with pytest.raises(RoomLocked):
        await node.rooms.admit(HOST, "c2")
    assert (await node.live.get("s1", "c2")).status == "lobby"


async def test_a_place_dropped_while_this_node_was_cut_off_is_taken_back(node):
    await _a_call(node)
    await node.rooms.dropped(CLIENT, "sid-1")  # a survivor ran the drop path for it
    node.sio.sent.clear()
    await node.recovery.returned()
    assert (await node.live.get("s1", "c1")).sid == "sid-1"
    assert ("presence", {"participant_id": "c1", "display_name": "Person c1", "role": "client",
                         "state": "joined"}) in node.sio.to("sid-h")
    assert node.gate.events[-1] == ("c1", PresenceEvent.RETURNED)


async def test_a_socket_replaced_meanwhile_is_told_so_and_closed(node):
    await _a_call(node)
    node.lose_everything()
    await node.live.swap_socket("c1", "sid-newer")  # the person came back on another node first
    await node.recovery.returned()
    assert ("replaced", {"reason": "replaced"}) in node.sio.to("sid-1") and node.sio.closed == ["sid-1"]
    assert await node.live.get("s1", "c1") is None


async def test_a_socket_that_never_joined_gets_no_place(node):
    node.connections.add("sid-x", WAITING)
    await node.rooms.claim_socket(WAITING, "sid-x")
    node.lose_everything()
    await node.recovery.returned()
    assert await node.live.members("s1") == []


async def test_losing_redis_is_told_to_every_socket(node):
    await _a_call(node)
    node.sio.sent.clear()
    await node.recovery.lost()
    assert {to for event, _, to in node.sio.sent if event == "live_state"} == {"sid-h", "sid-1", "sid-2"}
    assert node.sio.sent[0][1]["state"] == "unavailable" and "reconnecting" in node.sio.sent[0][1]["message"]
