"""Group sessions' media through the server's SFU (``media.MediaRoom``), one per session, owned by
one server process. Signalling relays SDP between each member's single peer connection and the room;
1:1 sessions stay peer-to-peer and never come here.

Which process owns a session's room is recorded in the live state (:meth:`LiveState.claim_media`,
shared through Redis on several nodes) when the room is created and kept fresh while it lives: a
member whose socket reached another process (a balancer not pinning the session) gets a clear
``media_elsewhere`` error instead of a second, split room; a process that dies loses its record
after ``OWNER_TTL`` seconds."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket

import socketio
import structlog

from media import MediaError, MediaRoom, MediaSettings, NegotiationTimeoutError

from .errors import SignalingError
from .live_state import LiveState
from .messages import ActiveSpeaker, MediaOffer
from .ports import Identity

log = structlog.get_logger(__name__)


MEDIA_FAILED = "The media connection could not be set up. Reconnecting may help."
MEDIA_ELSEWHERE = "This group's video is served by another server process. Reconnecting may help."
OWNER_TTL = 30.0  # seconds a room's owner record lives without being refreshed


def process_name() -> str:
    """This server process, as recorded as a room's media owner (host, pid, random suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def as_signaling_error(error: MediaError) -> SignalingError:
    """Media errors keep their stable code in the error ack."""
    return SignalingError(str(error) or MEDIA_FAILED, code=error.code)


class MediaRooms:
    def __init__(self, sio: socketio.AsyncServer, live: LiveState, settings: MediaSettings | None = None,
                 owner: str | None = None) -> None:
        self._sio = sio
        self._live = live
        self._settings = settings or MediaSettings()
        self.owner = owner or process_name()
        self._rooms: dict[str, MediaRoom] = {}
        self._no_video: set[tuple[str, str]] = set()  # (session, participant) who chose audio only
        self._tasks: set[asyncio.Task] = set()
        self._refresher: asyncio.Task | None = None

    async def _room(self, session_id: str) -> MediaRoom:
        room = self._rooms.get(session_id)
        if room is None:
            holder = await self._live.claim_media(session_id, self.owner, OWNER_TTL)
            if holder != self.owner:
                log.warning("media_room_elsewhere", room_id=session_id, owner=holder)
                raise SignalingError(MEDIA_ELSEWHERE, code="media_elsewhere")
            if session_id in self._rooms:  # created while we awaited the claim
                return self._rooms[session_id]
            log.info("media_room_owned", room_id=session_id, owner=self.owner)
            if self._refresher is None or self._refresher.done():
                self._refresher = asyncio.create_task(self._refresh_claims())
            room = MediaRoom(
                session_id, settings=self._settings,
                on_offer=lambda pid, sdp: self._send_offer(session_id, pid, sdp),
                on_active_speaker=lambda pid: self._spawn(self._announce_speaker(session_id, pid)),
                on_error=lambda pid, error: self._spawn(self._failed(session_id, pid, error)),
            )
            self._rooms[session_id] = room
        return room

    async def _refresh_claims(self) -> None:
        """Keep this process's owner records alive while its rooms live."""
        while self._rooms:
            await asyncio.sleep(OWNER_TTL / 3)
            for session_id in list(self._rooms):
                try:
                    holder = await self._live.claim_media(session_id, self.owner, OWNER_TTL)
                except Exception:  # live state unreachable for a moment: try again next round
                    log.warning("media_owner_refresh_failed", room_id=session_id)
                    continue
                if holder != self.owner:
                    log.warning("media_room_claimed_elsewhere", room_id=session_id, owner=holder)

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_offer(self, session_id: str, participant_id: str, sdp: str) -> None:
        member = await self._live.get(session_id, participant_id)
        if member is not None and member.sid is not None:
            await self._sio.emit("media_offer", MediaOffer(sdp=sdp).payload(), to=member.sid)

    async def _announce_speaker(self, session_id: str, participant_id: str | None) -> None:
        payload = ActiveSpeaker(participant_id=participant_id).payload()
        for member in await self._live.members(session_id):
            if member.status == "admitted" and member.sid:
                await self._sio.emit("active_speaker", payload, to=member.sid)

    async def _failed(self, session_id: str, participant_id: str, error: MediaError) -> None:
        log.warning("media_participant_failed", code=error.code, participant_id=participant_id, room_id=session_id)
        if isinstance(error, NegotiationTimeoutError):
            await self.remove(session_id, participant_id)
            member = await self._live.get(session_id, participant_id)
            if member is not None and member.sid is not None:  # start afresh with a new peer connection
                await self._sio.emit("media_reset", {"reason": error.code}, to=member.sid)

    # called by the namespace (policy checked, member admitted, session is a group)
    async def offer(self, identity: Identity, sdp: str) -> str:
        try:
            room = await self._room(identity.session_id)
            answer = await room.handle_offer(identity.participant_id, sdp)
        except MediaError as error:
            raise as_signaling_error(error) from None
        if (identity.session_id, identity.participant_id) in self._no_video:
            room.set_receiving(identity.participant_id, "video", False)
        return answer

    async def answer(self, identity: Identity, sdp: str) -> None:
        try:
            await (await self._room(identity.session_id)).handle_answer(identity.participant_id, sdp)
        except MediaError as error:
            raise as_signaling_error(error) from None

    async def candidate(self, identity: Identity, candidate: dict | None) -> None:
        room = self._rooms.get(identity.session_id)
        if room is not None:
            try:
                await room.add_ice_candidate(identity.participant_id, candidate)
            except MediaError as error:
                raise as_signaling_error(error) from None

    def set_paused(self, session_id: str, participant_id: str, audio: bool, video: bool) -> None:
        room = self._rooms.get(session_id)
        if room is not None and participant_id in room.participants:
            room.set_paused(participant_id, "audio", not audio)
            room.set_paused(participant_id, "video", not video)

    def set_receiving_video(self, session_id: str, participant_id: str, receiving: bool) -> None:
        """Audio only (``receiving`` False): others' video is no longer forwarded to the participant;
        remembered for their next peer connection."""
        key = (session_id, participant_id)
        (self._no_video.discard if receiving else self._no_video.add)(key)
        room = self._rooms.get(session_id)
        if room is not None and participant_id in room.participants:
            room.set_receiving(participant_id, "video", receiving)

    def participants(self, session_id: str) -> tuple[str, ...]:
        """Who has a peer connection with this node's SFU in the session."""
        room = self._rooms.get(session_id)
        return room.participants if room is not None else ()

    # called by the room rules when someone leaves the call
    async def remove(self, session_id: str, participant_id: str) -> None:
        room = self._rooms.get(session_id)
        if room is not None:
            await room.remove(participant_id)

    async def close_room(self, session_id: str) -> None:
        self._no_video = {key for key in self._no_video if key[0] != session_id}
        room = self._rooms.pop(session_id, None)
        if room is not None:
            await room.close()
            try:
                await self._live.release_media(session_id, self.owner)
            except Exception:  # the record expires by itself (OWNER_TTL)
                log.warning("media_owner_release_failed", room_id=session_id)

    async def close(self) -> None:
        for session_id in list(self._rooms):
            await self.close_room(session_id)
        tasks = [*self._tasks, *([self._refresher] if self._refresher is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
