"""Room rules: the lobby, admission, moderation and relay between admitted members.

Every decision reads the live state (the source of truth); delivery is by socket id, which the
Socket.IO client manager routes to whichever node holds that socket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import replace

import socketio
import structlog

from .config import SignalingConfig
from .errors import NotAdmitted, NotGroupSession, NotWaiting, RoomFull, RoomLocked, SessionClosed, UnknownParticipant
from .ice import ice_servers
from .live_state import LiveState, Member
from .media_rooms import MediaRooms
from .messages import (
    CrisisSummary,
    HostSteppedOut,
    LobbyEntry,
    LobbyUpdate,
    MemberView,
    Notice,
    Outbound,
    Presence,
    RoomState,
    Signal,
    SignalOut,
)
from .metrics import SignalingMetrics
from .nodes import LocalNodes, Nodes
from .ports import Gatekeeper, Identity, PresenceEvent
from .reclaim import ReclaimTimers, Sleep
from .revocation import Revocation, RevocationBus, ended_message

log = structlog.get_logger(__name__)
CRISIS_GUESTS = frozenset({"support", "responder"})  # brought in for a crisis: no lobby while it is open


def _view(member: Member) -> MemberView:
    return MemberView(
        participant_id=member.participant_id, display_name=member.display_name, role=member.role,
        status=member.status, connected=member.connected, audio=member.audio, video=member.video, hand=member.hand,
    )


def _presence(member: Member, state: str) -> Presence:
    return Presence(
        participant_id=member.participant_id, display_name=member.display_name, role=member.role, state=state
    )


class RoomService:
    def __init__(
        self, sio: socketio.AsyncServer, live: LiveState, gatekeeper: Gatekeeper,
        config: SignalingConfig, metrics: SignalingMetrics, media: MediaRooms,
        revocations: RevocationBus | None = None, sleep: Sleep = asyncio.sleep, nodes: Nodes | None = None,
    ) -> None:
        self._nodes: Nodes = nodes or LocalNodes()
        self._revocations = revocations
        self._media = media
        self._sio = sio
        self._live = live
        self._gate = gatekeeper
        self._config = config
        self._metrics = metrics
        self._reclaim = ReclaimTimers(config.reconnect_window, sleep)

    async def close(self) -> None:
        await self._reclaim.close()
        await self._media.close()

    # delivery
    async def _send(self, member: Member | None, event: str, message: Outbound | None = None) -> None:
        if member is not None and member.sid is not None:
            await self._sio.emit(event, message.payload() if message else {}, to=member.sid)

    async def _broadcast(
        self, session_id: str, event: str, message: Outbound, *, skip: str | None = None,
        include_lobby: bool = False,
    ) -> None:
        for member in await self._live.members(session_id):
            if member.participant_id != skip and (include_lobby or member.status == "admitted"):
                await self._send(member, event, message)

    async def notify_hosts(self, session_id: str, event: str, payload: dict) -> int:
        """Send ``event`` to the session's connected therapists; returns how many got it."""
        hosts = [m for m in await self._live.members(session_id) if m.role == "therapist" and m.sid is not None]
        for host in hosts:
            await self._sio.emit(event, payload, to=host.sid)
        return len(hosts)

    async def notify_crisis(self, session_id: str, event: str, payload: dict, *, about: Collection[str]) -> int:
        """Send a crisis's ``event`` to the session's connected members who may see it: everyone but the
        clients, and of the clients only the places in ``about`` (the client the crisis is about). The
        other clients of a group are never told another person's crisis. Returns how many got it."""
        members = [m for m in await self._live.members(session_id)
                   if m.sid is not None and (m.role != "client" or m.participant_id in about)]
        for member in members:
            await self._sio.emit(event, payload, to=member.sid)
        return len(members)

    async def host_stepped_out(self, session_id: str, host_participant_id: str, *, skip: Collection[str]) -> int:
        """Tell the group's other members (not its hosts, not ``skip``) neutrally that a host stepped
        out, naming the hosts still in the call with them. Returns how many got it."""
        members = await self._live.members(session_id)
        host = next((m for m in members if m.participant_id == host_participant_id), None)
        if host is None:
            return 0
        notice = HostSteppedOut(participant_id=host.participant_id, display_name=host.display_name, with_you=[
            m.display_name for m in members if m.role == "therapist" and m.participant_id != host_participant_id
            and m.status == "admitted" and m.connected])
        told = [m for m in members if m.role != "therapist" and m.participant_id not in skip
                and m.status == "admitted" and m.sid is not None]
        for member in told:
            await self._send(member, "host_stepped_out", notice)
        return len(told)

    async def notify_member(self, session_id: str, participant_id: str, event: str, payload: dict) -> bool:
        """Send ``event`` to one member of the session if they are connected; whether they got it."""
        member = await self._live.get(session_id, participant_id)
        if member is None or member.sid is None:
            return False
        await self._sio.emit(event, payload, to=member.sid)
        return True

    async def refresh_lobby(self, session_id: str) -> None:
        members = await self._live.members(session_id)
        update = LobbyUpdate(waiting=self._lobby(members))
        for host in (m for m in members if m.role == "therapist"):
            await self._send(host, "lobby", update)

    @staticmethod
    def _lobby(members: list[Member]) -> list[LobbyEntry]:
        waiting = sorted((m for m in members if m.status == "lobby" and m.connected), key=lambda m: m.waiting_since)
        return [LobbyEntry(participant_id=m.participant_id, display_name=m.display_name,
                           waiting_since=m.waiting_since) for m in waiting]

    async def state_for(self, identity: Identity) -> RoomState:
        members = await self._live.members(identity.session_id)
        you = next(m for m in members if m.participant_id == identity.participant_id)
        admitted = [_view(m) for m in members if m.status == "admitted"]
        return RoomState(
            session_id=identity.session_id, title=identity.session.title, kind=identity.session.kind,
            you=_view(you), members=admitted if you.status == "admitted" else [],
            lobby=self._lobby(members) if identity.is_host else None,
            host_present=any(m.role == "therapist" and m.connected for m in members),
            locked=await self._gate.is_locked(identity.session_id),
            ice_servers=ice_servers(self._config.ice, identity.participant_id),
            emergency=self._config.emergency,
            crisis=await self._crisis(identity),
        )

    async def _crisis(self, identity: Identity) -> CrisisSummary | None:
        """The open crisis as this person may see it: staff and crisis guests always; a client only
        their own (in a group, another client's crisis is not theirs to know)."""
        found = await self._gate.open_crisis(identity.session_id)
        if found is None:
            return None
        if identity.role == "client" and not await self._gate.crisis_concerns(identity, found[0]):
            return None
        return CrisisSummary(crisis_id=found[0], state=found[1], version=found[2])

    async def _member(self, session_id: str, participant_id: str) -> Member:
        member = await self._live.get(session_id, participant_id)
        if member is None:
            raise UnknownParticipant()
        return member

    # joining and leaving
    async def join(self, identity: Identity, sid: str) -> RoomState:
        if not await self._gate.is_open(identity.session_id):
            raise SessionClosed()
        key = (identity.session_id, identity.participant_id)
        self._reclaim.cancel(key)
        previous = await self._live.get(*key)
        if previous is not None and previous.sid not in (None, sid):
            await self._sio.emit("replaced", Notice(reason="replaced").payload(), to=previous.sid)
            await self._sio.disconnect(previous.sid)
        if previous is not None:
            admitted = identity.is_host or previous.status == "admitted" or await self._crisis_guest(identity)
        else:  # first connection on this live state (or after a restart, or a loss of Redis): the durable record
            admitted = await self._durably_admitted(identity)
        member = Member(
            participant_id=identity.participant_id, display_name=identity.display_name, role=identity.role,
            status="admitted" if admitted else "lobby", sid=sid,
            waiting_since=previous.waiting_since if previous else time.time(),
            audio=previous.audio if previous else True, video=previous.video if previous else True,
        )
        await self._live.put(identity.session_id, member)
        if admitted:
            self._metrics.joins.inc()
            await self._broadcast(identity.session_id, "presence", _presence(member, "joined"),
                                  skip=member.participant_id, include_lobby=identity.is_host)
        await self.refresh_lobby(identity.session_id)
        await self._gate.record(identity, "room.join" if admitted else "room.wait")
        if admitted and identity.session.kind == "group":
            await self._media.rejoined(identity, sid)
        if admitted and (previous is None or previous.status != "admitted"):
            await self._presence(identity, PresenceEvent.JOINED)
        elif admitted and previous.sid != sid:
            await self._presence(identity, PresenceEvent.RETURNED)
        return await self.state_for(identity)

    async def _durably_admitted(self, identity: Identity) -> bool:
        """Whether a person with no place on the live state comes straight into the call: hosts, anyone
        admitted earlier (the durable record — a token's ``admitted`` may predate their admission) and
        crisis guests while a crisis is open."""
        if identity.is_host or await self._gate.is_admitted(identity.session_id, identity.participant_id):
            return True
        return await self._crisis_guest(identity)

    async def _crisis_guest(self, identity: Identity) -> bool:
        """A support person (or a responder) brought into a crisis comes straight into the call."""
        if identity.role not in CRISIS_GUESTS or not await self._crisis_open(identity.session_id):
            return False
        await self._gate.set_admitted(identity.session_id, identity.participant_id, True)
        return True

    async def leave(self, identity: Identity, *, expired: bool = False) -> None:
        member = await self._live.get(identity.session_id, identity.participant_id)
        await self._live.delete(identity.session_id, identity.participant_id)
        await self._media.remove(identity.session_id, identity.participant_id)
        if not identity.is_host and not await self._crisis_open(identity.session_id):
            # during a crisis everyone admitted keeps their place: back with the same link, no lobby
            await self._gate.set_admitted(identity.session_id, identity.participant_id, False)
        if member is not None and member.status == "admitted":
            await self._broadcast(identity.session_id, "presence", _presence(member, "left"),
                                  include_lobby=identity.is_host)
        await self.refresh_lobby(identity.session_id)
        await self._gate.record(identity, "room.leave")
        if member is not None and member.status == "admitted":
            await self._presence(identity, PresenceEvent.EXPIRED if expired else PresenceEvent.LEFT)

    async def dropped(self, identity: Identity, sid: str) -> None:
        """A socket went away without leaving: keep the place for the reconnect window."""
        key = (identity.session_id, identity.participant_id)
        member = await self._live.get(*key)
        if member is None or member.sid != sid:
            return  # replaced by a newer connection, or already gone
        if member.status == "lobby":
            await self._live.delete(*key)
            await self.refresh_lobby(identity.session_id)
            return
        await self._live.put(identity.session_id, member.with_(sid=None))
        await self._broadcast(identity.session_id, "presence", _presence(member, "reconnecting"),
                              include_lobby=identity.is_host)
        self._reclaim.start(key, lambda: self._reclaim_expired(identity))
        await self._presence(identity, PresenceEvent.DROPPED)

    async def _reclaim_expired(self, identity: Identity) -> None:
        member = await self._live.get(identity.session_id, identity.participant_id)
        if member is not None and not member.connected:
            await self.leave(identity, expired=True)

    async def _crisis_open(self, session_id: str) -> bool:
        try:
            return await self._gate.open_crisis(session_id) is not None
        except Exception:
            log.exception("crisis_lookup_failed")
            return False

    async def _presence(self, identity: Identity, event: PresenceEvent) -> None:
        """Tell the gatekeeper (crisis timeline, escalation timers); never let it break the room."""
        try:
            await self._gate.presence(identity, event)
        except Exception:
            log.exception("presence_hook_failed", presence=event.value)

    # moderation (the namespace has checked the policy)
    async def admit(self, by: Identity, participant_id: str) -> None:
        target = await self._member(by.session_id, participant_id)
        if target.status == "admitted":
            return
        if await self._gate.is_locked(by.session_id):
            raise RoomLocked()
        members = await self._live.members(by.session_id)
        if sum(m.status == "admitted" for m in members) >= self._config.room_max_participants:
            raise RoomFull()
        await self._live.put(by.session_id, target.with_(status="admitted"))
        await self._gate.set_admitted(by.session_id, participant_id, True)
        await self._send(target, "admitted", Notice(reason="admitted"))
        await self.refresh_lobby(by.session_id)
        await self._gate.record(by, "room.admit", participant_id)
        await self._presence(replace(by, participant_id=participant_id, display_name=target.display_name,
                                     role=target.role, token_id="", staff_session_id=None, admitted=True),
                             PresenceEvent.JOINED)

    async def deny(self, by: Identity, participant_id: str) -> None:
        target = await self._member(by.session_id, participant_id)
        if target.status != "lobby":
            raise NotWaiting()
        await self._live.delete(by.session_id, participant_id)
        await self._gate.set_admitted(by.session_id, participant_id, False)
        await self._send(target, "denied", Notice(reason="denied", message="The therapist could not let you in."))
        if target.sid:
            await self._sio.disconnect(target.sid)
        await self.refresh_lobby(by.session_id)
        await self._gate.record(by, "room.deny", participant_id)

    async def send_to_lobby(self, by: Identity, participant_id: str) -> None:
        target = await self._member(by.session_id, participant_id)
        if target.role == "therapist" or target.status == "lobby":
            return
        await self._live.put(by.session_id, target.with_(status="lobby", waiting_since=time.time()))
        await self._gate.set_admitted(by.session_id, participant_id, False)
        await self._media.remove(by.session_id, participant_id)
        await self._send(target, "returned_to_lobby", Notice(reason="returned_to_lobby"))
        await self._broadcast(by.session_id, "presence", _presence(target, "left"), skip=participant_id)
        await self.refresh_lobby(by.session_id)
        await self._gate.record(by, "room.send_to_lobby", participant_id)

    async def remove(self, by: Identity, participant_id: str) -> None:
        target = await self._member(by.session_id, participant_id)
        await self._gate.remove_participant(by, participant_id)
        await self._live.delete(by.session_id, participant_id)
        await self._media.remove(by.session_id, participant_id)
        self._reclaim.cancel((by.session_id, participant_id))
        await self._send(target, "removed", Notice(reason="removed", message=ended_message("removed")))
        if target.sid:
            await self._sio.disconnect(target.sid)
        if target.status == "admitted":
            await self._broadcast(by.session_id, "presence", _presence(target, "left"))
        await self.refresh_lobby(by.session_id)
        if self._revocations is not None:  # any other socket of theirs, on any node
            await self._revocations.publish(Revocation(session_id=by.session_id, participant_id=participant_id,
                                                       reason="removed"))

    async def claim_socket(self, identity: Identity, sid: str) -> None:
        """One socket per person (and so per token), on any node: a newer connection replaces the
        older one at once, before it has joined."""
        previous = await self._live.swap_socket(identity.participant_id, sid)
        await self._nodes.track(sid, identity)  # which node holds it: a survivor drops it if this node dies
        if previous is not None:
            await self._sio.emit("replaced", Notice(reason="replaced").payload(), to=previous)
            await self._sio.disconnect(previous)

    async def restore_socket(self, identity: Identity, sid: str) -> bool:
        """The live state lost its records (Redis came back empty): record again that this node holds
        ``sid``. False if the person opened a newer socket meanwhile: this one is told so and closed."""
        holder = await self._live.restore_socket(identity.participant_id, sid)
        if holder != sid:
            await self._sio.emit("replaced", Notice(reason="replaced").payload(), to=sid)
            await self._sio.disconnect(sid)
            return False
        await self._nodes.track(sid, identity)
        return True

    async def restore_place(self, identity: Identity, sid: str) -> bool:
        """``sid`` had joined its room on this node and the live state may have lost the place: put it
        back as the durable records say — in the call for hosts and anyone admitted earlier (nobody
        admitted goes back to the lobby), in the lobby for the others. A place a survivor marked as
        dropped while this node was cut off is taken back as after a reconnect. Returns whether
        anything was put back (the others in the room already show this person: nothing is sent)."""
        key = (identity.session_id, identity.participant_id)
        member = await self._live.get(*key)
        if member is not None and member.sid is not None:
            return False  # still there (or a newer socket of theirs holds the place)
        if member is not None:
            self._reclaim.cancel(key)
            await self._live.put(identity.session_id, member.with_(sid=sid))
            if member.status == "admitted":
                await self._broadcast(identity.session_id, "presence", _presence(member, "joined"),
                                      skip=member.participant_id, include_lobby=identity.is_host)
                await self._presence(identity, PresenceEvent.RETURNED)
            return True
        admitted = await self._durably_admitted(identity)
        await self._live.put(identity.session_id, Member(
            participant_id=identity.participant_id, display_name=identity.display_name, role=identity.role,
            status="admitted" if admitted else "lobby", sid=sid, waiting_since=time.time(),
        ))
        return True

    async def release_socket(self, identity: Identity, sid: str) -> None:
        await self._live.release_socket(identity.participant_id, sid)
        await self._nodes.untrack(sid)

    async def dead_socket(self, identity: Identity, sid: str) -> None:
        """``sid`` was held by a node that died without a clean shutdown (its heartbeat lapsed): this
        survivor runs the normal drop path for it, as that node would have on a disconnect. A person
        already back on another socket is left alone (``dropped`` only acts while the place is ``sid``'s)."""
        await self._live.release_socket(identity.participant_id, sid)
        await self.dropped(identity, sid)
        log.info("dead_node_socket_dropped", participant_id=identity.participant_id, room_id=identity.session_id)

    async def evict(self, identity: Identity, sid: str, reason: str, *, end_place: bool) -> None:
        """A credential this socket was opened with no longer holds: tell the person why in plain
        words and disconnect the socket. With ``end_place`` their place in the room goes too (peer
        connection with this node's SFU, presence ``left`` to the others); without it (a host who
        signed out) their SFU peer connection ends and the reconnect window runs as after any drop."""
        member = await self._live.get(identity.session_id, identity.participant_id)
        if member is not None and member.sid == sid:
            if end_place:
                await self._end_place(identity, member)
            elif reason == "signed_out":  # the peer connection it opened goes; the place waits for them
                await self._media.remove(identity.session_id, identity.participant_id)
        event = {"signed_out": "signed_out", "rate_limited": "rate_limited"}.get(reason, "removed")
        await self._sio.emit(event, Notice(reason=reason, message=ended_message(reason)).payload(), to=sid)
        await self._sio.disconnect(sid)
        log.info("socket_evicted", participant_id=identity.participant_id, reason=reason)

    async def end_dropped_place(self, session_id: str, participant_id: str) -> None:
        """The person's access ended while they were away (their reconnect window runs on this
        node): their place ends now instead of when the window runs out."""
        await self._reclaim.expire_now((session_id, participant_id))

    async def _end_place(self, identity: Identity, member: Member) -> None:
        self._reclaim.cancel((identity.session_id, identity.participant_id))
        await self._live.delete(identity.session_id, identity.participant_id)
        await self._media.remove(identity.session_id, identity.participant_id)
        if member.status == "admitted":
            await self._broadcast(identity.session_id, "presence", _presence(member, "left"), include_lobby=True)
        await self.refresh_lobby(identity.session_id)
        await self._gate.record(identity, "room.access_ended")
        if member.status == "admitted":
            await self._presence(identity, PresenceEvent.LEFT)

    async def disconnect_member(self, session_id: str, participant_id: str, reason: str) -> None:
        """Disconnect a member at once (e.g. their host signed out); they keep their place."""
        member = await self._live.get(session_id, participant_id)
        if member is not None and member.sid:
            await self._send(member, reason, Notice(reason=reason))
            await self._sio.disconnect(member.sid)

    async def ask_mute(self, by: Identity, participant_id: str) -> None:
        target = await self._member(by.session_id, participant_id)
        await self._send(target, "mute_requested", Notice(reason="mute_requested"))
        await self._gate.record(by, "room.ask_mute", participant_id)

    async def lock(self, by: Identity, locked: bool) -> None:
        """The lock is a durable record (it survives the loss of Redis); while the live state is away
        nothing is done, so the host is not told "locked" with nobody to hear it."""
        members = await self._live.members(by.session_id)
        await self._gate.set_locked(by.session_id, locked)
        notice = Notice(reason="locked" if locked else "unlocked")
        for member in members:
            await self._send(member, "room_locked", notice)
        await self._gate.record(by, "room.lock" if locked else "room.unlock")

    async def end(self, by: Identity, sid: str) -> None:
        await self._gate.end_session(by)
        await self.close_room(by.session_id, keep_sid=sid)

    async def close_room(self, session_id: str, keep_sid: str | None = None) -> None:
        """The session has ended: tell everyone, disconnect them and forget the room. ``keep_sid``
        (whoever ended it) still gets its acknowledgement and disconnects itself."""
        members = await self._live.members(session_id)
        await self._live.clear(session_id)
        await self._media.close_room(session_id)
        for member in members:
            self._reclaim.cancel((session_id, member.participant_id))
            await self._send(member, "session_ended", Notice(reason="ended", message="The session has ended."))
            if member.sid and member.sid != keep_sid:
                await self._sio.disconnect(member.sid)

    # media
    def media_participants(self, session_id: str) -> tuple[str, ...]:
        return self._media.participants(session_id)

    async def relay(self, by: Identity, signal: Signal) -> None:
        sender, target = await self._live.get_many(by.session_id, [by.participant_id, signal.to])
        if sender is None:
            raise UnknownParticipant()
        if sender.status != "admitted":
            raise NotAdmitted()
        if target is None or target.status != "admitted" or not target.connected:
            raise UnknownParticipant()
        out = SignalOut(from_=by.participant_id, description=signal.description, candidate=signal.candidate)
        await self._send(target, "signal", out)

    async def media_state(self, by: Identity, audio: bool, video: bool, receive_video: bool = True) -> None:
        member = await self._member(by.session_id, by.participant_id)
        updated = member.with_(audio=audio, video=video)
        await self._live.put(by.session_id, updated)
        self._media.set_paused(by.session_id, by.participant_id, audio, video)  # mute = stop forwarding
        self._media.set_receiving_video(by.session_id, by.participant_id, receive_video)
        if updated.status == "admitted":
            await self._broadcast(by.session_id, "media_state", _view(updated), skip=by.participant_id)

    # group sessions: the server's SFU
    async def _in_group_call(self, by: Identity) -> None:
        if by.session.kind != "group":
            raise NotGroupSession()
        member = await self._member(by.session_id, by.participant_id)
        if member.status != "admitted":
            raise NotAdmitted()

    async def media_offer(self, by: Identity, sdp: str) -> str:
        await self._in_group_call(by)
        return await self._media.offer(by, sdp)

    async def media_answer(self, by: Identity, sdp: str) -> None:
        await self._in_group_call(by)
        await self._media.answer(by, sdp)

    async def media_candidate(self, by: Identity, candidate: dict | None) -> None:
        await self._in_group_call(by)
        await self._media.candidate(by, candidate)
