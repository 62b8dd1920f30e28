"""MediaRoom's API contract with real aiortc peers."""

import pytest

from media import (
    InvalidCandidateError,
    InvalidParticipantIdError,
    InvalidSdpError,
    MediaRoom,
    MediaSettings,
    NoPendingOfferError,
    RoomClosedError,
    UnknownParticipantError,
)
from tests.integration.media.harness import Group, wait_for


async def ignore_offer(participant_id: str, sdp: str) -> None:
    pass


async def test_rejects_bad_input():
    room = MediaRoom("r", on_offer=ignore_offer)
    with pytest.raises(InvalidParticipantIdError):
        await room.handle_offer("has space", "v=0")
    with pytest.raises(InvalidSdpError):
        await room.handle_offer("alice", "")
    with pytest.raises(UnknownParticipantError):
        await room.handle_answer("nobody", "v=0")
    with pytest.raises(UnknownParticipantError):
        room.set_paused("nobody", "video", True)
    await room.add_ice_candidate("nobody", {"candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"})
    await room.close()


async def test_close_is_idempotent_and_final():
    group = Group()
    await group.join("alice", size=(160, 120), fps=10)
    await group.join("bob", size=(160, 120), fps=10)
    assert await wait_for(lambda: "bob" in group.clients["alice"].publishers_seen("video"), timeout=30)
    await group.room.remove("bob")
    await group.room.remove("bob")
    await group.room.close()
    await group.room.close()
    assert group.room.participants == ()
    with pytest.raises(RoomClosedError):
        await group.room.handle_offer("carol", group.clients["alice"].pc.localDescription.sdp)
    await group.close()


async def test_answer_without_offer_and_bad_candidate():
    group = Group()
    try:
        alice = await group.join("alice", size=(160, 120), fps=10)
        with pytest.raises(NoPendingOfferError):
            await group.room.handle_answer("alice", alice.pc.localDescription.sdp)
        with pytest.raises(InvalidCandidateError):
            await group.room.add_ice_candidate("alice", {"candidate": "candidate:garbage", "sdpMid": "0"})
        with pytest.raises(ValueError):
            group.room.set_paused("alice", "screen", True)
    finally:
        await group.close()


async def test_stats_track_map_and_active_speaker():
    group = Group(settings=MediaSettings(speaker_interval=0.05))
    try:
        await group.join("alice", size=(160, 120), fps=10, tone=0.3)
        await group.join("bob", size=(160, 120), fps=10)
        await group.join("carol", size=(160, 120), fps=10)
        assert await wait_for(lambda: group.room.active_speaker == "alice", timeout=30)
        assert group.speakers[-1] == "alice"
        assert await wait_for(lambda: len(group.clients["bob"].publishers_seen("video")) == 2, timeout=30)
        publishers = {info.publisher_id for info in group.room.track_map("bob").values()}
        assert publishers == {"alice", "carol"}
        stats = group.room.stats()
        assert {s.publisher_id for s in stats.for_subscriber("bob")} == {"alice", "carol"}
        assert stats.forwarded > 0 and stats.dropped == 0
    finally:
        await group.close()
