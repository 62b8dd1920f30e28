"""Which process owns a group session's SFU room is recorded in the live state: a second process
refuses to open a split room for the same session, and takes over once the owner lets go."""

from types import SimpleNamespace

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from signaling.errors import SignalingError
from signaling.live_state import MemoryLiveState
from signaling.media_rooms import MediaRooms


class _Sio:
    async def emit(self, *args, **kwargs) -> None:
        return None


async def _offer() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", direction="sendrecv")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def test_a_second_process_refuses_the_room_until_the_owner_closes_it():
    live = MemoryLiveState()
    first, second = MediaRooms(_Sio(), live, owner="node-a:1"), MediaRooms(_Sio(), live, owner="node-b:2")
    member = SimpleNamespace(session_id="group-1", participant_id="p1")
    peers = []
    try:
        pc, sdp = await _offer()
        peers.append(pc)
        assert "a=fingerprint" in await first.offer(member, sdp)
        assert await live.claim_media("group-1", "node-c:3", ttl=30) == "node-a:1", "the owner is on record"

        pc, sdp = await _offer()
        peers.append(pc)
        with pytest.raises(SignalingError) as refused:
            await second.offer(SimpleNamespace(session_id="group-1", participant_id="p2"), sdp)
        assert refused.value.code == "media_elsewhere"

        await first.close_room("group-1")
        assert "a=fingerprint" in await second.offer(SimpleNamespace(session_id="group-1", participant_id="p2"), sdp)
    finally:
        await first.close()
        await second.close()
        for pc in peers:
            await pc.close()
