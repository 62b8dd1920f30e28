"""A running Steadyline for tests: the real app on a loopback port, real HTTP and Socket.IO
clients, and helpers to set up programs, therapists, sessions and links."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
import socketio

from server.app_keys import SETTINGS, STORE
from server.app import create_app
from server.cli import start_serving, stop_serving
from server.db.tables import StaffRole, utcnow
from server.access.passwords import hash_password
from tests.support.services import free_port
from tests.support.tls import trusting_session, trusting_ssl_context

PASSWORD = "correct horse battery staple"
# One real argon2 hash of PASSWORD for every staff member the tests create (hashing costs ~0.2 s).
PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)
# Every token, link and personal name the tests hand out: none may ever appear in the logs.
SEEN_SECRETS: set[str] = set()


class SocketClient:
    """A python-socketio client that records every event it receives."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = headers or {}
        # Verifies the server against the development certificate, as a browser that accepted it.
        self.sio = socketio.AsyncClient(reconnection=False,
                                        websocket_extra_options={"ssl": trusting_ssl_context()})
        self.events: dict[str, list] = defaultdict(list)
        self._changed = asyncio.Condition()
        self.refusal: object = None
        self.sio.on("*", self._record)
        self.sio.on("connect_error", self._refused)

    async def _refused(self, data: object = None) -> None:
        self.refusal = data

    async def _record(self, event: str, data: object = None) -> None:
        async with self._changed:
            self.events[event].append(data)
            self._changed.notify_all()

    async def connect(self, token: str | None, auth: object = "default") -> None:
        payload = {"token": token} if auth == "default" else auth
        await self.sio.connect(self.base_url, auth=payload, headers=self.headers, transports=["websocket"],
                               wait_timeout=10)

    async def call(self, event: str, data: object = None, timeout: float = 10) -> dict:
        return await self.sio.call(event, data if data is not None else {}, timeout=timeout)

    async def wait_for(self, event: str, predicate=lambda data: True, timeout: float = 10):
        async def found():
            async with self._changed:
                while True:
                    for data in self.events[event]:
                        if predicate(data):
                            return data
                    await self._changed.wait()
        return await asyncio.wait_for(found(), timeout)

    async def disconnect(self) -> None:
        await self.sio.disconnect()

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        http = self.sio.eio.http  # engine.io leaves its HTTP session open after a refused connection
        if http is not None and not http.closed:
            await http.close()

    @property
    def connected(self) -> bool:
        return self.sio.connected


@dataclass
class Therapist:
    id: str
    program_id: str
    email: str
    access_token: str


@dataclass
class World:
    base_url: str
    app: object
    http: aiohttp.ClientSession
    runner: object = None
    sockets: list[SocketClient] = field(default_factory=list)
    stopped: bool = False

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, settings, port: int | None = None, clock=None):
        """Serve the app exactly as ``steadyline serve`` does (server.cli.start_serving: TLS from the
        settings, on their port, or on ``port`` for a second node of the same deployment).
        ``base_url`` is what browsers open: https://localhost:PORT, the public URL of one node.
        ``clock`` (a FakeClock) drives the app's timers instead of real time."""
        port = port or settings.port
        app = create_app(settings, clock=clock)
        runner = await start_serving(app, settings, port)
        base = f"{'https' if settings.tls_enabled else 'http'}://localhost:{port}"
        world = None
        try:
            async with trusting_session() as http:
                world = cls(base_url=base, app=app, http=http, runner=runner)
                try:
                    yield world
                finally:
                    for sock in world.sockets:
                        await sock.close()
        finally:
            if world is None or not world.stopped:
                await runner.cleanup()

    @classmethod
    @contextlib.asynccontextmanager
    async def two_nodes(cls, settings):
        """Two nodes of one deployment (same settings, each on its own port)."""
        async with cls.start(settings) as first, cls.start(settings, port=free_port()) as second:
            yield first, second

    async def stop(self) -> None:
        """Stop this node as SIGTERM stops ``steadyline serve`` (``server.cli.stop_serving``)."""
        self.stopped = True
        await stop_serving(self.app, self.runner)

    @property
    def store(self):
        return self.app[STORE]

    @property
    def settings(self):
        return self.app[SETTINGS]

    async def request(self, method: str, path: str, token: str | None = None, json=None, headers=None, **kw):
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        async with self.http.request(method, self.base_url + path, json=json, headers=headers, **kw) as resp:
            body = await resp.json(content_type=None) if resp.content_type.endswith("json") else await resp.text()
            return resp.status, body

    async def therapist(self, program_id: str | None = None, role: StaffRole = StaffRole.THERAPIST) -> Therapist:
        if program_id is None:
            program_id = (await self.store.create_program(f"Program {next(_counter)}", self.settings.program_timezone)).id
        email = f"staff{next(_counter)}@example.test"
        staff = await self.store.create_staff(
            program_id=program_id, email=email, display_name=f"Therapist {next(_counter)}",
            role=role, password_hash=PASSWORD_HASH,
        )
        return Therapist(id=staff.id, program_id=program_id, email=email, access_token=await self.login(email))

    async def login(self, email: str) -> str:
        status, body = await self.request("POST", "/api/auth/login", json={"email": email, "password": PASSWORD})
        assert status == 200, body
        SEEN_SECRETS.add(body["access_token"])
        return body["access_token"]

    async def session(self, therapist: Therapist, kind: str = "individual", **times) -> dict:
        now = utcnow()
        body = {
            "kind": kind, "title": f"{kind.title()} session",
            "starts_at": times.get("starts_at", now - timedelta(minutes=1)).isoformat(),
            "ends_at": times.get("ends_at", now + timedelta(hours=1)).isoformat(),
        }
        status, created = await self.request("POST", "/api/sessions", therapist.access_token, json=body)
        assert status == 201, created
        return created

    async def add_client(self, therapist: Therapist, session_id: str, name: str = "Client") -> dict:
        status, body = await self.request(
            "POST", f"/api/sessions/{session_id}/participants", therapist.access_token, json={"display_name": name}
        )
        assert status == 201, body
        SEEN_SECRETS.update({body["join_url"].split("#", 1)[1], name})
        return body

    async def redeem(self, join_url: str) -> dict:
        token = join_url.split("#", 1)[1]
        status, body = await self.request("POST", "/api/join", json={"token": token})
        assert status == 200, body
        SEEN_SECRETS.add(body["participant_token"])
        return body

    async def host_token(self, therapist: Therapist, session_id: str) -> str:
        status, body = await self.request("POST", f"/api/sessions/{session_id}/host", therapist.access_token)
        assert status == 200, body
        SEEN_SECRETS.add(body["participant_token"])
        return body["participant_token"]

    def socket_client(self, headers: dict[str, str] | None = None) -> SocketClient:
        """A socket client that is closed with the world (connect it yourself)."""
        sock = SocketClient(self.base_url, headers)
        self.sockets.append(sock)
        return sock

    async def socket(self, token: str | None, auth: object = "default") -> SocketClient:
        sock = SocketClient(self.base_url)
        self.sockets.append(sock)
        await sock.connect(token, auth)
        return sock

    async def host_in_room(self, therapist: Therapist, session_id: str) -> SocketClient:
        host = await self.socket(await self.host_token(therapist, session_id))
        ack = await host.call("join")
        assert ack["ok"], ack
        return host

    async def admitted_client(self, host: SocketClient, join_url: str) -> tuple[SocketClient, str]:
        """Redeem a link, wait in the lobby, be admitted by the host; returns (socket, participant id)."""
        redeemed = await self.redeem(join_url)
        client = await self.socket(redeemed["participant_token"])
        ack = await client.call("join")
        assert ack["ok"] and ack["state"]["you"]["status"] == "lobby", ack
        pid = redeemed["participant"]["id"]
        await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
        admit = await host.call("admit", {"participant_id": pid})
        assert admit["ok"], admit
        await client.wait_for("admitted")
        ack = await client.call("join")
        assert ack["state"]["you"]["status"] == "admitted", ack
        return client, pid
