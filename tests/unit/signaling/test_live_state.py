"""The live-state contract, run against the in-process store and a real Redis server."""

from __future__ import annotations

import asyncio

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


async def test_clear(live):
    await live.put("room1", _member("a"))
    await live.clear("room1")
    assert await live.members("room1") == []


async def test_a_socket_is_restored_only_if_no_other_is_on_record(live):
    assert await live.restore_socket("a", "sid-1") == "sid-1"
    assert await live.restore_socket("a", "sid-1") == "sid-1"  # idempotent
    assert await live.restore_socket("a", "sid-old") == "sid-1"  # a newer one is on record: kept
    await live.release_socket("a", "sid-1")
    assert await live.restore_socket("a", "sid-2") == "sid-2"


def test_member_serialises_and_knows_connection():
    member = _member("a", audio=False)
    assert Member.from_json(member.to_json()) == member
    assert member.connected and not member.with_(sid=None).connected


async def test_one_process_owns_a_rooms_media_until_it_releases_or_its_record_expires(live):
    assert await live.claim_media("room1", "node-a:1", ttl=30) == "node-a:1"
    assert await live.claim_media("room1", "node-b:2", ttl=30) == "node-a:1", "another process is refused"
    assert await live.claim_media("room1", "node-a:1", ttl=30) == "node-a:1", "the owner refreshes its record"
    assert await live.claim_media("room2", "node-b:2", ttl=30) == "node-b:2", "rooms are independent"
    await live.release_media("room1", "node-b:2")  # not the owner: nothing changes
    assert await live.claim_media("room1", "node-b:2", ttl=30) == "node-a:1"
    await live.release_media("room1", "node-a:1")
    assert await live.claim_media("room1", "node-b:2", ttl=0.05) == "node-b:2"
    await asyncio.sleep(0.15)  # a process that died: its record runs out
    assert await live.claim_media("room1", "node-a:1", ttl=30) == "node-a:1"
    await live.clear("room1")
    assert await live.claim_media("room1", "node-b:2", ttl=30) == "node-b:2"
