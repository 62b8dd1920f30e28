"""Group rooms in media worker processes (STEADYLINE_MEDIA_WORKERS): the real app, real worker
processes, real aiortc peers exchanging frames over Socket.IO signalling; workers killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from server.app_keys import SIGNALING
from signaling.media_workers import RemoteRoom
from tests.conftest import make_settings

from .test_group_sfu import _group



@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url, media_workers=2)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped) is gone too
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def _everyone_receives_everyone(peers, timeout=60):
    await asyncio.gather(*(
        peer.wait_frames([other for other in peers if other != pid], timeout=timeout)
        for pid, peer in peers.items()
    ))


async def _ready_workers(media, count: int, timeout: float = 20) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = media._workers._ready()
        if len(ready) >= count:
            return ready
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} media workers not ready after {timeout}s")


async def test_a_group_room_runs_in_a_worker_process_not_in_the_signalling_process(world):
    media = world.app[SIGNALING].media
    await _ready_workers(media, 2)
    _, session, _, peers = await _group(world, ["Client A", "Client B"])
    try:
        await _everyone_receives_everyone(peers)
        room = media._rooms[session["id"]]
        assert isinstance(room, RemoteRoom)
        assert room.worker.pid != os.getpid() and _pid_alive(room.worker.pid)
        assert set(room.participants) == set(peers)
        assert set(world.app[SIGNALING].rooms.media_participants(session["id"])) == set(peers)
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))


async def test_a_group_outlives_its_worker_killed_mid_call(world):
    """kill -9 of the worker holding the room: every member is told ``media_reset``, offers again
    with a new peer connection, and the room is rebuilt on the other worker with everyone receiving
    everyone again — within 5 s. The dead worker is replaced."""
    media = world.app[SIGNALING].media
    await _ready_workers(media, 2)
    _, session, _, peers = await _group(world, ["Client A", "Client B"])
    try:
        await _everyone_receives_everyone(peers)
        room = media._rooms[session["id"]]
        victim = room.worker.pid
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not all(peer.resets for peer in peers.values()):
            assert time.monotonic() < deadline, "every member is told to offer again"
            await asyncio.sleep(0.02)
        await _everyone_receives_everyone(peers, timeout=30)
        rebuilt_in = max(max(p.first_frame_at.values()) for p in peers.values()) - killed_at
        print(f"rebuilt in {rebuilt_in:.2f}s after kill -9 of worker {victim}")
        assert all(peer.resets and peer.resets[-1][1] == "media_worker_lost" for peer in peers.values())
        rebuilt = media._rooms[session["id"]]
        assert rebuilt is not room and rebuilt.worker.pid not in (victim, os.getpid())
        assert set(rebuilt.participants) == set(peers)
        assert rebuilt_in < 5.0, f"the room took {rebuilt_in:.2f}s to be rebuilt"
        assert not _pid_alive(victim)
        replacements = await _ready_workers(media, 2)
        assert victim not in {worker.pid for worker in replacements}
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))


async def test_workers_stop_with_the_app(settings):
    from tests.support.world import World

    async with World.start(settings) as world:
        media = world.app[SIGNALING].media
        pids = [worker.pid for worker in await _ready_workers(media, 2)]
        assert all(_pid_alive(pid) for pid in pids)
    assert not any(_pid_alive(pid) for pid in pids)
