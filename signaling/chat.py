"""Talking in the call without speaking: text chat among the members let in, a client's private word to
the therapists (with a quiet "I can't talk right now" that alerts them at once), a therapist's private
word to one member, and a raised hand in a group. Messages go to the connected sockets the live state
names (any node, through the Socket.IO manager); nothing is stored and no text is ever logged."""

from __future__ import annotations

import time

import socketio

from .errors import NotAdmitted, NotPermitted, UnknownParticipant
from .live_state import LiveState, Member
from .messages import ChatMessage, HandState, Outbound
from .ports import Identity

HOSTS = "therapist"


class RoomChat:
    def __init__(self, sio: socketio.AsyncServer, live: LiveState) -> None:
        self._sio = sio
        self._live = live

    async def _sender(self, by: Identity) -> tuple[Member, list[Member]]:
        members = await self._live.members(by.session_id)
        me = next((m for m in members if m.participant_id == by.participant_id), None)
        if me is None or me.status != "admitted":
            raise NotAdmitted()
        return me, [m for m in members if m.status == "admitted" and m.sid is not None]

    async def _emit(self, event: str, message: Outbound, members: list[Member]) -> int:
        for member in members:
            await self._sio.emit(event, message.payload(), to=member.sid)
        return len(members)

    async def send(self, by: Identity, to: str, text: str, quiet: bool) -> int:
        """Deliver a chat message; returns how many members got it."""
        me, present = await self._sender(by)
        host = me.role == HOSTS
        if to == "room":
            if quiet:
                raise NotPermitted()  # the quiet word goes to the therapists only
            targets, label = [m for m in present if m.participant_id != me.participant_id], "room"
        elif to == "hosts":
            targets, label = [m for m in present if m.role == HOSTS and m.participant_id != me.participant_id], "hosts"
        elif host:
            targets, label = [m for m in present if m.participant_id == to], "you"
            if not targets:
                raise UnknownParticipant()
        else:
            raise NotPermitted()  # a client writes to everyone or to the therapists, not to another client
        message = ChatMessage(from_participant_id=me.participant_id, from_name=me.display_name, from_role=me.role,
                              to=label, text=text, quiet=quiet and label == "hosts", at=time.time())
        return await self._emit("chat_message", message, targets)

    async def hand(self, by: Identity, raised: bool, participant_id: str | None = None) -> None:
        """Raise or lower one's own hand; a therapist may lower someone else's."""
        me, present = await self._sender(by)
        whose = me
        if participant_id is not None and participant_id != me.participant_id:
            if me.role != HOSTS or raised:
                raise NotPermitted()
            whose = next((m for m in present if m.participant_id == participant_id), None)
            if whose is None:
                raise UnknownParticipant()
        await self._live.put(by.session_id, whose.with_(hand=raised))
        await self._emit("hand", HandState(participant_id=whose.participant_id, display_name=whose.display_name,
                                           raised=raised), present)
