"""Room rules around presence, with a fake gatekeeper and a fake Socket.IO server (pure logic): every
admitted member's join, return, drop, leave and expiry reaches the gatekeeper's presence hook; a
failing hook never breaks the room; during a crisis everyone keeps their durable admission and a
support person comes straight in."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from signaling.config import SignalingConfig
from signaling.live_state import MemoryLiveState
from signaling.media_rooms import MediaRooms
from signaling.metrics import SignalingMetrics
from signaling.ports import Identity, PresenceEvent, SessionInfo
from signaling.rooms import RoomService
from tests.support.fake_clock import FakeClock

SESSION = SessionInfo(session_id="s1", program_id="p1", title="T", kind="individual")


class FakeSio:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []

    async def emit(self, event, payload, to=None):
        self.sent.append((event, payload, to))

    async def disconnect(self, sid):
        pass


class FakeGate:
    def __init__(self, crisis: bool = False, failing: bool = False, durable: frozenset[str] = frozenset()) -> None:
        self.crisis = crisis
        self.failing = failing
        self.events: list[tuple[str, PresenceEvent]] = []
        self.admitted: dict[str, bool] = {}  # set_admitted calls
        self.durable = set(durable)  # admitted before the test began
        self.locked: set[str] = set()

    async def is_admitted(self, session_id, participant_id):
        return self.admitted.get(participant_id, participant_id in self.durable)

    async def set_locked(self, session_id, locked):
        (self.locked.add if locked else self.locked.discard)(session_id)

    async def is_locked(self, session_id):
        return session_id in self.locked

    async def is_open(self, session_id):
        return True

    async def open_crisis(self, session_id):
        return ("crisis_1", "active", 3) if self.crisis else None

    async def crisis_concerns(self, identity, crisis_id):
        return True

    async def set_admitted(self, session_id, participant_id, admitted):
        self.admitted[participant_id] = admitted

    async def record(self, by, action, target=None):
        pass

    async def presence(self, identity, event):
        if self.failing:
            raise RuntimeError("the database is away")
        self.events.append((identity.participant_id, event))


def who(pid: str, role: str = "client", admitted: bool = False) -> Identity:
    return Identity(participant_id=pid, display_name=f"Person {pid}", role=role, session=SESSION, token_id="t",
                    admitted=admitted)


def rooms(gate: FakeGate, window: float = 0.05, clock: FakeClock | None = None) -> RoomService:
    sio, live = FakeSio(), MemoryLiveState()
    return RoomService(sio, live, gate, SignalingConfig(reconnect_window=window),
                       SignalingMetrics(CollectorRegistry()), MediaRooms(sio, live),
                       sleep=(clock or FakeClock()).sleep)


async def test_presence_of_an_admitted_member_reaches_the_gatekeeper():
    gate = FakeGate()
    room = rooms(gate)
    await room.join(who("host", "therapist"), "sid-h")
    await room.join(who("c1"), "sid-1")  # waits in the lobby: not a presence event
    await room.admit(who("host", "therapist"), "c1")
    await room.join(who("c1"), "sid-1")  # the same connection joins again after admission: nothing new
    await room.dropped(who("c1"), "sid-1")
    await room.join(who("c1"), "sid-2")
    await room.leave(who("c1"))
    assert gate.events == [("host", PresenceEvent.JOINED), ("c1", PresenceEvent.JOINED), ("c1", PresenceEvent.DROPPED),
                           ("c1", PresenceEvent.RETURNED), ("c1", PresenceEvent.LEFT)]
    assert gate.admitted["c1"] is False  # no crisis: a leave clears the durable admission
    await room.close()


async def test_a_failing_presence_hook_never_breaks_the_room():
    gate = FakeGate(failing=True)
    room = rooms(gate)
    state = await room.join(who("host", "therapist"), "sid-h")
    assert state.you.status == "admitted"
    await room.dropped(who("host", "therapist"), "sid-h")
    state = await room.join(who("host", "therapist"), "sid-h2")
    assert state.you.connected
    await room.leave(who("host", "therapist"))
    await room.close()


async def test_after_the_window_in_a_crisis_the_member_keeps_their_admission():
    gate, clock = FakeGate(crisis=True, durable={"c1"}), FakeClock()
    room = rooms(gate, window=30, clock=clock)
    await room.join(who("c1", admitted=True), "sid-1")
    await room.dropped(who("c1", admitted=True), "sid-1")
    assert await clock.sleeping(1) == [30]
    await clock.advance(29.9)
    assert gate.events[-1] == ("c1", PresenceEvent.DROPPED)  # not before the window runs out
    await clock.advance(0.1)  # the reconnect window runs out
    assert gate.events[-1] == ("c1", PresenceEvent.EXPIRED)
    assert "c1" not in gate.admitted  # not cleared
    state = await room.join(who("c1", admitted=True), "sid-2")  # the durable record says admitted
    assert state.you.status == "admitted"
    await room.close()


async def test_without_a_crisis_the_window_running_out_clears_admission():
    gate, clock = FakeGate(durable={"c1"}), FakeClock()
    room = rooms(gate, window=30, clock=clock)
    await room.join(who("c1", admitted=True), "sid-1")
    await room.dropped(who("c1", admitted=True), "sid-1")
    await clock.advance(29.9)
    assert "c1" not in gate.admitted and gate.events[-1] == ("c1", PresenceEvent.DROPPED)
    await clock.advance(0.1)
    assert gate.admitted["c1"] is False and gate.events[-1] == ("c1", PresenceEvent.EXPIRED)
    await room.close()


async def test_a_support_person_comes_straight_in_only_during_a_crisis():
    calm, crisis = FakeGate(), FakeGate(crisis=True)
    state = await rooms(calm).join(who("sp", "support"), "sid-s")
    assert state.you.status == "lobby" and "sp" not in calm.admitted
    state = await rooms(crisis).join(who("sp", "support"), "sid-s")
    assert state.you.status == "admitted" and crisis.admitted["sp"] is True
    assert crisis.events == [("sp", PresenceEvent.JOINED)]
    state = await rooms(crisis).join(who("c2"), "sid-c")  # a client still waits to be let in
    assert state.you.status == "lobby"
