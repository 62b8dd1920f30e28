"""Every Socket.IO event of the namespace's route table (and unknown event names), fuzzed from a
therapist's socket and from a client's socket in a live room.

Whatever the payload, the sender gets an acknowledgement — ``{"ok": true, …}`` or
``{"ok": false, "error": {"code", "message"}}``, never ``internal_error`` — its connection survives
(it can still send and be answered), and another room on the same server keeps working."""

from __future__ import annotations

import asyncio

import pytest
import socketio
from hypothesis import Phase, given
from hypothesis import strategies as st

from server.app_keys import SIGNALING
from tests.conftest import make_settings
from tests.integration.fuzz.strategies import fuzz_settings, json_values, wild_text
from tests.support.world import World

ACK_TIMEOUT = 3
# Events that, when they succeed, change the room so much that the next example needs a fresh one.
DISRUPTIVE = {"leave", "deny", "remove", "end_session", "send_to_lobby", "lock", "join"}
# Names python-socketio itself treats specially; they have their own tests in test_found_bugs.py.
RESERVED = {"connect", "disconnect"}


def route_table(world) -> dict:
    """The live namespace's dispatch table: event name -> Route(model, action, handler)."""
    namespace = world.app[SIGNALING].sio.namespace_handlers["/"]
    routes = getattr(namespace, "_routes", None)
    assert isinstance(routes, dict) and routes, "the namespace no longer exposes its route table as _routes"
    return routes


# The route table as the docs describe it; checked against the live table below, so a new event
# without a fuzz strategy fails loudly.
EVENTS = ["join", "leave", "signal", "media_state", "admit", "deny", "send_to_lobby", "remove", "ask_mute", "lock",
          "end_session", "media_offer", "media_answer", "media_candidate", "chat", "raise_hand", "lower_hand"]
# The live dashboard's namespace (/staff) takes no events from clients: it only pushes.
STAFF_EVENTS: list[str] = []

# --- payload strategies (``@client``/``@host`` are replaced by real participant ids) ----------

_real_ids = st.sampled_from(["@client", "@host"])
participant_ids = st.one_of(_real_ids, _real_ids, _real_ids, wild_text, json_values)
booleans_or_junk = st.one_of(st.booleans(), st.booleans(), json_values)
descriptions = st.one_of(
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(["offer", "answer", "pranswer", "rollback", "OFFER", ""]), json_values)},
        optional={"sdp": st.one_of(st.text(max_size=300), st.text(min_size=2000, max_size=2100), json_values),
                  "extra": json_values}),
    json_values,
)
candidates = st.one_of(
    st.fixed_dictionaries(
        {"candidate": st.one_of(st.text(max_size=100), st.text(min_size=1990, max_size=2010), json_values)},
        optional={"sdpMid": st.one_of(st.none(), wild_text, json_values),
                  "sdpMLineIndex": st.one_of(st.none(), st.integers(-5, 1100), st.integers(), json_values),
                  "usernameFragment": st.one_of(st.none(), st.text(max_size=300), json_values),
                  "whatever": json_values}),
    json_values,
)
FIELDS = {
    "participant_id": participant_ids, "to": participant_ids, "locked": booleans_or_junk,
    "audio": booleans_or_junk, "video": booleans_or_junk, "description": descriptions, "candidate": candidates,
    "sdp": st.one_of(st.text(max_size=300), st.just("v=0\r\n"), json_values),
    "text": st.one_of(st.text(max_size=600), json_values), "quiet": booleans_or_junk, "raised": booleans_or_junk,
}


@st.composite
def payloads_for(draw, fields: tuple[str, ...]) -> object:
    """Right-shaped dicts with wrong or right values, missing and extra keys, and any JSON at all."""
    kind = draw(st.sampled_from(["shaped", "shaped", "shaped", "any", "none", "binary", "args"]))
    if kind == "any":
        return draw(json_values)
    if kind == "none":
        return None
    if kind == "binary":
        return draw(st.one_of(st.binary(max_size=64), st.dictionaries(st.sampled_from(fields or ("x",)),
                                                                      st.binary(max_size=64), max_size=2)))
    body = {name: draw(FIELDS.get(name, json_values)) for name in fields if draw(st.integers(0, 7))}
    if draw(st.integers(0, 5)) == 0:
        body[draw(st.one_of(st.sampled_from(["extra", "to", "sdp"]), wild_text))] = draw(json_values)
    if kind == "args":  # several Socket.IO arguments
        return (body, draw(json_values))
    return body


unknown_events = st.one_of(
    st.sampled_from(["", " ", "JOIN", "join ", "message", "connect_error", "*", "on_join", "_dispatch",
                     "trigger_event", "__init__", "emit", "signal\x00", "lobby", "admitted", "x" * 500]),
    wild_text,
).filter(lambda name: name not in EVENTS and name not in RESERVED)


def _resolve(value: object, ids: dict[str, str]) -> object:
    if isinstance(value, str) and value in ids:
        return ids[value]
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_resolve(v, ids) for v in value)
    return value


# --- acks -----------------------------------------------------------------------------------

def check_ack(ack: object, context: object) -> dict:
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (context, ack)
    if not ack["ok"]:
        error = ack.get("error")
        assert isinstance(error, dict), (context, ack)
        assert isinstance(error.get("code"), str) and error["code"], (context, ack)
        assert isinstance(error.get("message"), str) and error["message"], (context, ack)
        assert error["code"] != "internal_error", (context, ack)
        assert "Traceback" not in error["message"], (context, ack)
    return ack


async def call(sock, event: str, payload: object, context: object) -> dict:
    try:
        ack = await sock.sio.call(event, payload, timeout=ACK_TIMEOUT)
    except socketio.exceptions.TimeoutError:
        pytest.fail(f"no acknowledgement within {ACK_TIMEOUT}s: {context}")
    return check_ack(ack, context)


# --- rooms ----------------------------------------------------------------------------------

class Room:
    """A live session with its therapist (host) and one admitted client, rebuilt when a fuzzed event
    ended, emptied or rearranged it."""

    def __init__(self, world: World, therapist) -> None:
        self.world, self.therapist = world, therapist
        self.host = self.client = None
        self.ids: dict[str, str] = {}
        self.dirty = True

    async def ensure(self) -> Room:
        if self.dirty or not (self.host and self.host.connected and self.client and self.client.connected):
            for sock in (self.host, self.client):
                if sock is not None and sock.connected:
                    await sock.disconnect()
            session = await self.world.session(self.therapist, kind="group")
            self.host = await self.world.host_in_room(self.therapist, session["id"])
            link = await self.world.add_client(self.therapist, session["id"])
            self.client, client_pid = await self.world.admitted_client(self.host, link["join_url"])
            host_pid = next(p["id"] for p in (await self.world.request(
                "GET", f"/api/sessions/{session['id']}", self.therapist.access_token))[1]["participants"]
                if p["role"] == "therapist")
            self.ids = {"@client": client_pid, "@host": host_pid}
            self.dirty = False
        return self

    async def still_served(self) -> None:
        """The host can moderate and the client hears it: the room (and the server) still works."""
        self.client.events["mute_requested"].clear()
        await call(self.host, "ask_mute", {"participant_id": self.ids["@client"]}, "other room")
        await self.client.wait_for("mute_requested", timeout=ACK_TIMEOUT)


async def _fuzz_one(room: Room, other: Room, sender: str, event: str, payload: object) -> None:
    await room.ensure()
    sock = room.host if sender == "host" else room.client
    payload = _resolve(payload, room.ids)
    context = (sender, event, payload)
    ack = await call(sock, event, payload, context)
    if ack["ok"] and event in DISRUPTIVE:
        room.dirty = True
    # The sender's connection survives: it can still send and is answered.
    await call(sock, "media_state", {"audio": True, "video": False}, ("follow-up after", context))
    assert sock.connected, context
    await other.still_served()


@pytest.fixture
async def rooms(world):
    therapist = await world.therapist()
    room, other = Room(world, therapist), Room(world, therapist)
    await room.ensure()
    await other.ensure()
    return room, other


async def test_the_fuzzers_know_every_event_of_the_route_table(world):
    assert sorted(route_table(world)) == sorted(EVENTS)


async def test_the_staff_namespace_takes_no_events(world):
    namespace = world.app[SIGNALING].sio.namespace_handlers["/staff"]
    assert sorted(n[3:] for n in dir(namespace) if n.startswith("on_") and n not in ("on_connect", "on_disconnect")) \
        == STAFF_EVENTS


@fuzz_settings(max_examples=30)
@given(event=st.one_of(unknown_events, st.sampled_from(EVENTS)), payload=st.one_of(st.none(), json_values))
async def test_anything_sent_on_the_staff_namespace_is_ignored_and_the_socket_lives(world, event, payload):
    from tests.integration.dashboard.helpers import staff_socket

    therapist = await world.therapist()
    sock = await staff_socket(world, therapist.access_token)
    try:
        await sock.sio.emit(event, payload, namespace="/staff")
        await asyncio.sleep(0.05)
        assert sock.sio.connected and "/staff" in sock.sio.namespaces
    finally:
        await sock.close()


@fuzz_settings(max_examples=120)
@given(data=st.data())
async def test_every_event_with_fuzzed_payloads_gets_an_ack(world, rooms, data):
    room, other = rooms
    routes = route_table(world)
    event = data.draw(st.sampled_from(sorted(routes)), label="event")
    fields = tuple(routes[event].model.model_fields)
    payload = data.draw(payloads_for(fields), label="payload")
    sender = data.draw(st.sampled_from(["host", "client"]), label="sender")
    await _fuzz_one(room, other, sender, event, payload)


@fuzz_settings(max_examples=40)
@given(event=unknown_events, payload=st.one_of(st.none(), json_values),
       sender=st.sampled_from(["host", "client"]))
async def test_unknown_events_get_an_unknown_event_ack(world, rooms, event, payload, sender):
    room, other = rooms
    await room.ensure()
    sock = room.host if sender == "host" else room.client
    ack = await call(sock, event, payload, (sender, event, payload))
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_event", (event, ack)
    await _fuzz_one(room, other, sender, "media_state", {"audio": False, "video": True})


async def _raw_call(sock, data: list, timeout: float = 2) -> object:
    """Send an EVENT packet whose data list is exactly ``data`` (the first item is normally the
    event name) and wait for its ack; python-socketio's ``call`` would insist on a string name."""
    client = sock.sio
    done = asyncio.get_running_loop().create_future()

    def on_ack(*args):
        if not done.done():
            done.set_result(args[0] if len(args) == 1 else list(args))

    ack_id = client._generate_ack_id("/", on_ack)
    await client._send_packet(client.packet_class(socketio.packet.EVENT, namespace="/", data=data, id=ack_id))
    return await asyncio.wait_for(done, timeout)


# A missing ack costs seconds: no shrinking.
@fuzz_settings(max_examples=25, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(name=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.lists(st.integers(),
                                                                                                    max_size=2),
                      st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)),
       payload=st.one_of(st.none(), json_values), sender=st.sampled_from(["host", "client"]))
async def test_event_names_that_are_not_strings(world, rooms, name, payload, sender):
    """A hand-made packet whose event name is a number, list, object or null still gets an ack."""
    room, other = rooms
    await room.ensure()
    sock = room.host if sender == "host" else room.client
    try:
        ack = await _raw_call(sock, [name, payload])
    except asyncio.TimeoutError:
        pytest.fail(f"no acknowledgement for event name {name!r}")
    check_ack(ack, (sender, name, payload))
    await _fuzz_one(room, other, sender, "media_state", {"audio": False, "video": True})


# --- frames around the size cap ----------------------------------------------------------------

CAP = 4096


@pytest.fixture
async def small_cap_world(sqlite_url):
    settings = make_settings(sqlite_url, max_message_bytes=CAP, message_rate=10_000, message_burst=10_000)
    async with World.start(settings) as world:
        yield world


@pytest.fixture
async def cap_rooms(small_cap_world):
    therapist = await small_cap_world.therapist()
    room, other = Room(small_cap_world, therapist), Room(small_cap_world, therapist)
    await room.ensure()
    await other.ensure()
    return room, other


def _frame_length(event: str, payload: object) -> int:
    """Characters of the Engine.IO frame carrying this event (give or take the ack id's digits)."""
    encoded = socketio.packet.Packet(socketio.packet.EVENT, data=[event, payload], id=1).encode()
    return 1 + len(encoded)


@fuzz_settings(max_examples=30)
@given(event=st.sampled_from(EVENTS + ["nope"]), extra=st.integers(-300, 300), sender=st.sampled_from(["host", "client"]),
       filler=st.sampled_from(["a", "é", "\x01", '"']))
async def test_frames_around_the_size_cap(cap_rooms, event, extra, sender, filler):
    """Frames under the cap are answered; frames over it close only the sender's connection."""
    room, other = cap_rooms
    await room.ensure()
    sock = room.host if sender == "host" else room.client
    base = {"participant_id": room.ids["@client"], "pad": ""}
    overhead = _frame_length(event, base)
    per_char = _frame_length(event, {"pad": filler}) - _frame_length(event, {"pad": ""})
    base["pad"] = filler * max(0, (CAP + extra - overhead) // per_char)
    length = _frame_length(event, base)
    context = (sender, event, length)
    if length <= CAP - 8:
        ack = await call(sock, event, base, context)
        check_ack(ack, context)
        assert sock.connected
        if event in DISRUPTIVE and ack["ok"]:
            room.dirty = True
    elif length > CAP + 8:
        await sock.sio.emit(event, base)
        for _ in range(100):
            if not sock.connected:
                break
            await asyncio.sleep(0.05)
        assert not sock.connected, context
        room.dirty = True
    else:
        return  # within a few characters of the cap (the ack id's digits): either answer is fine
    await other.ensure()
    await other.still_served()

