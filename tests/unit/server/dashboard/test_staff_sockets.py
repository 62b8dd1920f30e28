"""This node's dashboard sockets: the sweep closes those whose sign-in has ended (telling them first), keeps
the live ones, and closes nothing when the sign-ins cannot be read; signing out closes that sign-in's."""

from __future__ import annotations

from server.dashboard.staff_sockets import StaffSockets


class FakeSio:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, str]] = []
        self.closed: list[str] = []

    async def emit(self, event, data, to=None, namespace=None):
        assert namespace == "/staff"
        self.emitted.append((event, to))

    async def disconnect(self, sid, namespace=None):
        assert namespace == "/staff"
        self.closed.append(sid)


def _sockets(live: set[str] | Exception) -> tuple[StaffSockets, FakeSio]:
    sio = FakeSio()

    async def is_live(sign_in: str, staff_id: str) -> bool:
        if isinstance(live, Exception):
            raise live
        return sign_in in live

    sockets = StaffSockets(sio, is_live, interval=0)
    sockets.add("a", "sign-in-1", "s1")
    sockets.add("b", "sign-in-2", "s2")
    sockets.add("c", "sign-in-2", "s2")
    return sockets, sio


async def test_the_sweep_closes_the_sockets_of_ended_sign_ins_only():
    sockets, sio = _sockets({"sign-in-1"})
    assert await sockets.sweep() == 2
    assert sio.closed == ["b", "c"] and sio.emitted == [("signed_out", "b"), ("signed_out", "c")]
    assert len(sockets) == 1
    assert await sockets.sweep() == 0  # nothing twice


async def test_a_database_hiccup_closes_nothing():
    sockets, sio = _sockets(RuntimeError("database away"))
    assert await sockets.sweep() == 0
    assert sio.closed == [] and len(sockets) == 3


async def test_signing_out_closes_that_sign_in_on_this_node():
    sockets, sio = _sockets({"sign-in-1", "sign-in-2"})
    assert await sockets.end("sign-in-2") == 2
    assert sio.closed == ["b", "c"] and len(sockets) == 1
