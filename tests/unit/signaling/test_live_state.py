"""The live-state contract, run against the in-process store and a real Redis server."""

from __future__ import annotations

import pytest

from signaling.live_state import Member, MemoryLiveState
from signaling.redis_state import RedisLiveState


@pytest.fixture(params=["memory", "redis"])
async def live(request):
    if request.param == "memory":
        state = MemoryLiveState()
    else:
        state = RedisLiveState(request.getfixturevalue("redis_server").url, prefix=f"t{id(request)}")
    yield state
    await state.close()


def _member(pid: str, **kw) -> Member:
    return Member(participant_id=pid, display_name=f"Person {pid}", role="client", status="lobby",
                  sid=f"sid-{pid}", waiting_since=1.0, **kw)


async def test_members_round_trip_per_room(live):
    await live.put("room1", _member("a"))
    await live.put("room1", _member("b").with_(status="admitted"))
    await live.put("room2", _member("c"))
    assert {m.participant_id for m in await live.members("room1")} == {"a", "b"}
    assert (await live.get("room1", "b")).status == "admitted"
    assert await live.get("room1", "c") is None
    assert [m and m.participant_id for m in await live.get_many("room1", ["b", "c", "a"])] == ["b", None, "a"]
    await live.delete("room1", "a")
    assert [m.participant_id for m in await live.members("room1")] == ["b"]


async def test_lock_and_clear(live):
    assert not await live.is_locked("room1")
    await live.set_locked("room1", True)
    assert await live.is_locked("room1")
    await live.put("room1", _member("a"))
    await live.clear("room1")
    assert await live.members("room1") == [] and not await live.is_locked("room1")


def test_member_serialises_and_knows_connection():
    member = _member("a", audio=False)
    assert Member.from_json(member.to_json()) == member
    assert member.connected and not member.with_(sid=None).connected
