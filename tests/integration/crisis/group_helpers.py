"""Shared scenery of the private-room tests: a live group session with its therapist in the room and
admitted clients, and the move of one client into a private crisis room."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.world import SEEN_SECRETS, SocketClient, Therapist


@dataclass
class GroupMember:
    name: str
    participant_id: str
    client_id: str
    sock: SocketClient


@dataclass
class Group:
    therapist: Therapist
    session: dict
    host: SocketClient
    host_pid: str
    clients: list[GroupMember] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        return self.session["id"]


async def group(world, names=("Client A", "Client B"), therapist: Therapist | None = None) -> Group:
    therapist = therapist or await world.therapist()
    session = await world.session(therapist, kind="group")
    host = await world.host_in_room(therapist, session["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    g = Group(therapist=therapist, session=session, host=host, host_pid=host_pid)
    for name in names:
        link = await world.add_client(therapist, session["id"], name)
        sock, pid = await world.admitted_client(host, link["join_url"])
        g.clients.append(GroupMember(name, pid, link["participant"]["client_id"], sock))
    return g


async def move(world, g: Group, member: GroupMember, token: str | None = None) -> tuple[int, dict]:
    status, body = await world.request("POST", f"/api/sessions/{g.session_id}/private-room",
                                       token or g.therapist.access_token,
                                       json={"participant_id": member.participant_id})
    if isinstance(body, dict) and "participant_token" in body:
        SEEN_SECRETS.add(body["participant_token"])
    return status, body


async def moved_event(member: GroupMember, session_id: str) -> dict:
    event = await member.sock.wait_for("moved_to_room", lambda d: d["session_id"] == session_id)
    SEEN_SECRETS.add(event["participant_token"])
    return event
