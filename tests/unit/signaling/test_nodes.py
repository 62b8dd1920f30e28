"""A dead node is noticed (the pure pieces): the identity a socket was opened with survives the trip
through the live state, only registered nodes other than this one whose heartbeat is gone are dead,
the in-process state has nothing to notice, the settings refuse a heartbeat that would lapse between
refreshes, and the room runs the normal drop path for a dead node's socket — but only while the place
is still that socket's."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from signaling.config import SignalingConfig
from signaling.live_state import MemoryLiveState
from signaling.media_rooms import MediaRooms
from signaling.metrics import SignalingMetrics
from signaling.nodes import LocalNodes, RedisNodes, dead_nodes, identity_from_json, identity_to_json
from signaling.ports import Identity, PresenceEvent, SessionInfo
from signaling.rooms import RoomService
from tests.support.fake_clock import FakeClock
from tests.unit.signaling.test_rooms import FakeGate, FakeSio, who


def test_an_identity_survives_the_trip_through_the_live_state():
    identity = Identity(participant_id="p1", display_name="Jordan", role="client",
                        session=SessionInfo(session_id="s1", program_id="prog", title="Weekly", kind="group"),
                        token_id="tok", staff_session_id=None, admitted=True, invite_id="inv")
    assert identity_from_json(identity_to_json(identity)) == identity
    host = Identity(participant_id="h", display_name="Dr", role="therapist", session=identity.session,
                    token_id="t2", staff_session_id="staff-1")
    assert identity_from_json(identity_to_json(host).encode()) == host


def test_dead_nodes_are_the_registered_others_without_a_heartbeat():
    registered = {"me", "alive", "dead-1", "dead-2"}
    assert dead_nodes(registered, {"alive": True, "dead-1": False}, "me") == ["dead-1", "dead-2"]
    assert dead_nodes({"me"}, {}, "me") == []  # never this node, whatever it sees of itself
    assert dead_nodes(set(), {"other": False}, "me") == []  # only nodes that registered


async def test_one_process_has_nothing_to_notice():
    nodes = LocalNodes("n1")
    nodes.start(lambda identity, sid: None)
    await nodes.track("sid", who("c1"))
    await nodes.untrack("sid")
    await nodes.close()


def test_a_heartbeat_must_outlive_its_refresh_interval():
    with pytest.raises(ValueError):
        SignalingConfig(node_heartbeat_interval=5, node_ttl=5)
    with pytest.raises(ValueError):
        SignalingConfig(node_heartbeat_interval=0)
    with pytest.raises(ValueError):
        RedisNodes("redis://localhost:1", "n1", interval=3, ttl=2)
    assert SignalingConfig().node_ttl > SignalingConfig().node_heartbeat_interval


class RecordingNodes(LocalNodes):
    def __init__(self) -> None:
        super().__init__("n1")
        self.held: dict[str, Identity] = {}

    async def track(self, sid, identity):
        self.held[sid] = identity

    async def untrack(self, sid):
        self.held.pop(sid, None)


def _rooms(gate: FakeGate, nodes, clock: FakeClock) -> tuple[RoomService, FakeSio, MemoryLiveState]:
    sio, live = FakeSio(), MemoryLiveState()
    room = RoomService(sio, live, gate, SignalingConfig(reconnect_window=30),
                       SignalingMetrics(CollectorRegistry()), MediaRooms(sio, live), sleep=clock.sleep, nodes=nodes)
    return room, sio, live


async def test_the_room_tells_the_node_which_sockets_it_holds():
    nodes = RecordingNodes()
    room, _, _ = _rooms(FakeGate(), nodes, FakeClock())
    await room.claim_socket(who("c1"), "sid-1")
    assert nodes.held == {"sid-1": who("c1")}
    await room.release_socket(who("c1"), "sid-1")
    assert nodes.held == {}
    await room.close()


async def test_a_dead_node_s_socket_goes_through_the_normal_drop_path():
    gate, clock = FakeGate(crisis=True, durable={"c1"}), FakeClock()
    room, sio, live = _rooms(gate, LocalNodes(), clock)
    await room.join(who("host", "therapist"), "sid-h")
    await room.join(who("c1", admitted=True), "sid-dead")
    sio.sent.clear()

    await room.dead_socket(who("c1", admitted=True), "sid-dead")
    assert (await live.get("s1", "c1")).sid is None  # kept for the reconnect window
    assert ("presence", {"participant_id": "c1", "display_name": "Person c1", "role": "client",
                         "state": "reconnecting"}, "sid-h") in sio.sent
    assert gate.events[-1] == ("c1", PresenceEvent.DROPPED)
    assert await clock.sleeping(1) == [30]
    assert await live.swap_socket("c1", "sid-new") is None  # the dead socket is forgotten
    await clock.advance(30)
    assert gate.events[-1] == ("c1", PresenceEvent.EXPIRED)
    await room.close()


async def test_a_person_already_back_elsewhere_is_left_alone():
    gate, clock = FakeGate(durable={"c1"}), FakeClock()
    room, sio, live = _rooms(gate, LocalNodes(), clock)
    await room.join(who("c1", admitted=True), "sid-dead")
    await room.claim_socket(who("c1", admitted=True), "sid-new")
    await room.join(who("c1", admitted=True), "sid-new")  # back on a live node before the sweep
    events = list(gate.events)
    await room.dead_socket(who("c1", admitted=True), "sid-dead")
    assert (await live.get("s1", "c1")).sid == "sid-new"
    assert gate.events == events and await clock.sleeping(0) == []
    assert await live.swap_socket("c1", "sid-newer") == "sid-new"  # their live socket is still on record
    await room.close()
