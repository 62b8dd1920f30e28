"""Steadyline media: a selective forwarding unit (SFU) on aiortc.

Each participant of a group room has one ``RTCPeerConnection`` with the
server, publishes its audio and video once and receives every other
participant's tracks. The server forwards encoded media (VP8, Opus); it never
decodes or re-encodes. This package knows nothing of HTTP or Socket.IO: the
signalling layer calls the plain asyncio API below and relays SDP.

API
---
::

    room = MediaRoom(
        room_id,
        on_offer=async_callback,            # (participant_id, sdp_offer) -> None
        on_active_speaker=callback,         # (participant_id | None) -> None, optional
        on_connection_state=callback,       # (participant_id, state) -> None, optional
        on_error=callback,                  # (participant_id, MediaError) -> None, optional
        settings=MediaSettings(...),        # optional
    )
    answer_sdp = await room.handle_offer(participant_id, offer_sdp)
    await room.handle_answer(participant_id, answer_sdp)
    await room.add_ice_candidate(participant_id, {"candidate": ..., "sdpMid": ..., "sdpMLineIndex": ...})
    room.set_paused(participant_id, "audio" | "video", paused)        # what they publish (mute)
    room.set_receiving(participant_id, "audio" | "video", receiving)  # what they get (audio only)
    room.track_map(participant_id) -> dict[mid, TrackInfo(mid, publisher_id, kind)]
    room.stats() -> RoomStats            # per-subscriber forwarded / dropped / gated counters
    room.participants, room.active_speaker
    await room.remove(participant_id)    # idempotent
    await room.close()                   # idempotent; cancels every task the room owns

Protocol
--------
1. The client offers first with the tracks it publishes (``sendonly`` or
   ``sendrecv``); ``handle_offer`` returns the complete answer (aiortc gathers
   every candidate before answering and never trickles).
2. Once the client's connection is up, and whenever someone joins or leaves,
   the room calls ``on_offer(participant_id, sdp)`` with a server offer. Deliver
   it and return; the client's answer comes back through ``handle_answer``.
   Offers to one participant never overlap and changes are coalesced. The
   callback may also await the answer itself: the room does not block on it.
   Server offers keep the participant's own numbering (payload types and
   header-extension ids from its offer), as browsers require.
3. Each received m-line carries one other participant's track; the msid stream
   id is that participant's id (``event.streams[0].id`` in the browser) and
   ``track_map`` gives the same mapping by mid. When a publisher leaves, its
   m-lines go ``inactive`` and are reused later for a newcomer of that kind.
4. A client that re-offers while a server offer awaits its answer gets
   ``NegotiationCollisionError``: it should roll back, answer, then re-offer.
   An offer with new ICE credentials (a new peer connection after a network
   change, since aiortc cannot restart ICE) replaces the participant's peer.
5. A participant that does not answer within ``answer_timeout`` is reported
   through ``on_error``; session lifetime is the signalling layer's decision, so
   the room never removes anyone on its own: call ``remove``.

Errors are subclasses of :class:`media.errors.MediaError`, each with a stable
``code``. Behaviour that depends on aiortc internals lives in
``media/aiortc_internals/`` and is guarded by
``tests/unit/media/test_aiortc_contract.py``.
"""

from .config import MediaSettings
from .errors import (
    AiortcContractError,
    InvalidCandidateError,
    InvalidParticipantIdError,
    InvalidSdpError,
    MediaError,
    MediaUnavailableError,
    MediaWorkerLostError,
    NegotiationCollisionError,
    NegotiationTimeoutError,
    NoPendingOfferError,
    RoomClosedError,
    UnknownParticipantError,
    UnsupportedCodecError,
)
from .room import MediaRoom, TrackInfo
from .stats import PublicationStats, RoomStats, SubscriptionStats

__all__ = [
    "AiortcContractError",
    "InvalidCandidateError",
    "InvalidParticipantIdError",
    "InvalidSdpError",
    "MediaError",
    "MediaRoom",
    "MediaSettings",
    "MediaUnavailableError",
    "MediaWorkerLostError",
    "NegotiationCollisionError",
    "NegotiationTimeoutError",
    "NoPendingOfferError",
    "PublicationStats",
    "RoomClosedError",
    "RoomStats",
    "SubscriptionStats",
    "TrackInfo",
    "UnknownParticipantError",
    "UnsupportedCodecError",
]
