"""The live dashboard's socket as a console opens it (/staff, the staff access token), recording what it is
sent; and the scenery: a program with a client, their therapist, a colleague, an admin, another program."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

import socketio

from server.db.tables import StaffRole
from tests.integration.home.helpers import open_home, standing_link
from tests.support.tls import trusting_ssl_context
from tests.support.world import Therapist

NAMESPACE = "/staff"


class StaffSocket:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sio = socketio.AsyncClient(reconnection=False, websocket_extra_options={"ssl": trusting_ssl_context()})
        self.events: dict[str, list] = defaultdict(list)
        self.refusal: object = None
        self._changed = asyncio.Condition()
        self.sio.on("*", self._record, namespace=NAMESPACE)
        self.sio.on("connect_error", self._refused, namespace=NAMESPACE)

    async def _refused(self, data: object = None) -> None:
        self.refusal = data

    async def _record(self, event: str, data: object = None) -> None:
        async with self._changed:
            self.events[event].append(data)
            self._changed.notify_all()

    async def connect(self, token: str | None) -> None:
        await self.sio.connect(self.base_url, auth={"token": token} if token else None, namespaces=[NAMESPACE],
                               transports=["websocket"], wait_timeout=10)

    async def wait_for(self, event: str, predicate=lambda data: True, timeout: float = 5):
        async def found():
            async with self._changed:
                while True:
                    for data in self.events[event]:
                        if predicate(data):
                            return data
                    await self._changed.wait()
        return await asyncio.wait_for(found(), timeout)

    async def wait_disconnected(self, timeout: float = 5) -> None:
        async def gone():
            while self.sio.connected and self.sio.namespaces:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(gone(), timeout)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        http = self.sio.eio.http
        if http is not None and not http.closed:
            await http.close()


async def staff_socket(world, token: str | None) -> StaffSocket:
    sock = StaffSocket(world.base_url)
    world.sockets.append(sock)  # closed with the world
    await sock.connect(token)
    return sock


@dataclass
class Scene:
    therapist: Therapist  # the client's own therapist (and their session's lead)
    colleague: Therapist  # same program, not on the client's care team
    admin: Therapist
    other_admin: Therapist  # another program
    client_id: str
    home: str  # the client's home token
    session_id: str


async def scene(world, *, other=None) -> Scene:
    therapist = await world.therapist()
    colleague = await world.therapist(program_id=therapist.program_id)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    other_admin = await (other or world).therapist(role=StaffRole.ADMIN)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client A")
    client_id = link["participant"]["client_id"]
    status, _ = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                    json={"therapist_id": therapist.id})
    assert status == 200
    home = await open_home(world, await standing_link(world, therapist, client_id))
    return Scene(therapist, colleague, admin, other_admin, client_id, home, session["id"])


async def urgent_check_in(world, home: str) -> None:
    status, answer = await world.request("POST", "/api/home/check-ins", home,
                                         json={"mood": 5, "sleep_hours": 6, "cravings": 0, "note": "I want to die"})
    assert status == 201, answer
