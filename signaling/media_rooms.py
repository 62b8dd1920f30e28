"""Group sessions' media through the server's SFU (``media.MediaRoom``), one per session, owned by
one server process. Signalling relays SDP between each member's single peer connection and the room;
1:1 sessions stay peer-to-peer and never come here.

Which process owns a session's room is recorded in the live state (:meth:`LiveState.claim_media`,
shared through Redis on several nodes) when the room is created and kept fresh while it lives: a
member whose socket reached another process (a balancer not pinning the session) gets a clear
``media_elsewhere`` error instead of a second, split room; a process that dies loses its record
after ``OWNER_TTL`` seconds — or at once, when its node heartbeat (``Nodes.alive``) is gone: a
surviving node takes the room over as soon as the members, reconnected there, offer again; a member
who rejoins while the record names a dead node is told ``media_reset`` so that it does.

With media workers (``MediaWorkers``, ``STEADYLINE_MEDIA_WORKERS``) each room lives in a worker
process instead of on this loop; when that worker dies its members are told ``media_reset``
(``media_worker_lost``) and the room is rebuilt on another worker as they offer again."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable

import socketio
import structlog

from media import MediaError, MediaRoom, MediaSettings, MediaWorkerLostError, NegotiationTimeoutError

from .errors import SignalingError
from .live_state import LiveState
from .media_workers import MediaWorkers, RemoteRoom
from .messages import ActiveSpeaker, MediaOffer
from .ports import Identity

log = structlog.get_logger(__name__)


MEDIA_FAILED = "The media connection could not be set up. Reconnecting may help."
MEDIA_ELSEWHERE = "This group's video is served by another server process. Reconnecting may help."
OWNER_TTL = 30.0  # seconds a room's owner record lives without being refreshed
OWNER_WATCH = 0.5  # how often a rejoined member's dead-looking owner is checked again


def process_name() -> str:
    """This server process, as recorded as a room's media owner (host, pid, random suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def as_signaling_error(error: MediaError) -> SignalingError:
    """Media errors keep their stable code in the error ack."""
    return SignalingError(str(error) or MEDIA_FAILED, code=error.code)


class MediaRooms:
    def __init__(self, sio: socketio.AsyncServer, live: LiveState, settings: MediaSettings | None = None,
                 owner: str | None = None, workers: MediaWorkers | None = None,
                 alive: Callable[[str], Awaitable[bool]] | None = None, owner_watch: float = 10.0) -> None:
        """``workers``: rooms live in these worker processes (none: on this loop). ``alive``: whether
        a node (an owner on record) still beats; ``owner_watch``: how long a rejoined member's owner
        that still looks alive is watched for its death (a node's heartbeat TTL and a little)."""
        self._sio = sio
        self._live = live
        self._workers = workers
        self._alive = alive
        self._owner_watch = owner_watch
        self._settings = settings or MediaSettings()
        self.owner = owner or process_name()
        self._rooms: dict[str, MediaRoom] = {}
        self._no_video: set[tuple[str, str]] = set()  # (session, participant) who chose audio only
        self._tasks: set[asyncio.Task] = set()
        self._refresher: asyncio.Task | None = None

    def start(self) -> None:
        if self._workers is not None:
            self._workers.start()

    async def _room(self, session_id: str) -> MediaRoom | RemoteRoom:
        room = self._rooms.get(session_id)
        if room is None:
            holder = await self._claim(session_id)
            if holder != self.owner:
                log.warning("media_room_elsewhere", room_id=session_id, owner=holder)
                raise SignalingError(MEDIA_ELSEWHERE, code="media_elsewhere")
            worker = await self._workers.ready_worker() if self._workers is not None else None
            if session_id in self._rooms:  # created while we awaited the claim (or a worker)
                return self._rooms[session_id]
            log.info("media_room_owned", room_id=session_id, owner=self.owner)
            if self._refresher is None or self._refresher.done():
                self._refresher = asyncio.create_task(self._refresh_claims())
            callbacks = dict(
                on_offer=lambda pid, sdp: self._send_offer(session_id, pid, sdp),
                on_active_speaker=lambda pid: self._spawn(self._announce_speaker(session_id, pid)),
                on_error=lambda pid, error: self._spawn(self._failed(session_id, pid, error)),
            )
            if worker is not None:
                room = self._workers.room(worker, session_id, on_lost=self._lost, **callbacks)
            else:
                room = MediaRoom(session_id, settings=self._settings, **callbacks)
            self._rooms[session_id] = room
        return room

    async def _claim(self, session_id: str) -> str:
        """Claim the room for this process; a record naming a dead node is taken over at once."""
        holder = await self._live.claim_media(session_id, self.owner, OWNER_TTL)
        if holder != self.owner and self._alive is not None and not await self._owner_alive(holder):
            log.warning("media_owner_dead_taken_over", room_id=session_id, owner=holder, by=self.owner)
            await self._live.release_media(session_id, holder)
            holder = await self._live.claim_media(session_id, self.owner, OWNER_TTL)
        return holder

    async def _owner_alive(self, holder: str) -> bool:
        """Whether the node on record still beats; when that cannot be told, it counts as alive (never
        split a room over a moment without Redis)."""
        try:
            return await self._alive(holder)
        except Exception:
            log.warning("media_owner_check_failed", owner=holder)
            return True

    def _lost(self, room: RemoteRoom) -> None:
        """The worker holding ``room`` died: forget the room and have its members offer again (to a
        new peer connection), which rebuilds it on another worker."""
        if self._rooms.get(room.room_id) is room:
            del self._rooms[room.room_id]
        log.warning("media_room_lost", room_id=room.room_id, worker=room.worker.pid,
                    participants=len(room.participants))
        self._spawn(self._reset(room.room_id, room.participants, "media_worker_lost"))

    async def _reset(self, session_id: str, participant_ids: tuple[str, ...], reason: str) -> None:
        for participant_id in participant_ids:
            member = await self._live.get(session_id, participant_id)
            if member is not None and member.sid is not None and member.status == "admitted":
                await self._sio.emit("media_reset", {"reason": reason}, to=member.sid)

    async def rejoined(self, identity: Identity, sid: str) -> None:
        """A group member (re)joined on this process. If the room's owner on record is another node
        that is dead — or dies within ``owner_watch`` — the member is told ``media_reset``
        (``media_node_lost``): its new offer, here, takes the room over and rebuilds it."""
        if self._alive is None or identity.session_id in self._rooms:
            return
        holder = await self._live.media_owner(identity.session_id)
        if holder is None or holder == self.owner:
            return
        self._spawn(self._watch_owner(identity, sid, holder))

    async def _watch_owner(self, identity: Identity, sid: str, holder: str) -> None:
        deadline = asyncio.get_running_loop().time() + self._owner_watch
        while True:
            if not await self._owner_alive(holder):
                break
            if asyncio.get_running_loop().time() >= deadline:
                return
            await asyncio.sleep(OWNER_WATCH)
        member = await self._live.get(identity.session_id, identity.participant_id)
        if member is not None and member.sid == sid and member.status == "admitted":
            log.warning("media_owner_dead", room_id=identity.session_id, owner=holder,
                        participant_id=identity.participant_id)
            await self._sio.emit("media_reset", {"reason": "media_node_lost"}, to=sid)

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
            try:
                answer = await room.handle_offer(identity.participant_id, sdp)
            except MediaWorkerLostError:  # the worker died under this offer: once more, on the rebuilt room
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
        if self._workers is not None:
            await self._workers.close()
        tasks = [*self._tasks, *([self._refresher] if self._refresher is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
