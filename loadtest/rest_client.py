"""The few REST calls a load test makes: as staff, group sessions with clients and a host place; as a
client, redeeming a personal join link."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp

from .errors import ApiError

RATE_LIMIT_RETRIES = 10  # a 429 is waited out (Retry-After, at most 5 s each) this many times


@dataclass(frozen=True)
class Entry:
    """A participant token and whose it is: what a socket connects with."""

    participant_id: str
    participant_token: str


@dataclass(frozen=True)
class Room:
    session_id: str
    host: Entry
    join_links: tuple[str, ...]


class RestClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, staff_token: str | None = None) -> None:
        self._http, self._base, self._token = http, base_url, staff_token

    async def _call(self, method: str, path: str, body: dict | None = None, staff: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self._token}"} if staff and self._token else {}
        for _ in range(RATE_LIMIT_RETRIES):
            async with self._http.request(method, self._base + path, json=body, headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=30)) as response:
                data = await response.json(content_type=None) if response.content_length != 0 else {}
                if response.status == 429:
                    await asyncio.sleep(min(5.0, float(response.headers.get("Retry-After", "1"))))
                    continue
                if response.status >= 300:
                    raise ApiError(method, path, response.status, data)
                return data
        raise ApiError(method, path, 429, {"code": "rate_limited"})

    async def create_room(self, title: str, clients: int, lasts: timedelta) -> Room:
        """A group session starting now, with ``clients`` participants and the caller's host place."""
        now = datetime.now(UTC)
        session = await self._call("POST", "/api/sessions", {
            "kind": "group", "title": title, "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + lasts).isoformat()})
        links = [(await self._call("POST", f"/api/sessions/{session['id']}/participants",
                                   {"display_name": f"Load client {index + 1}"}))["join_url"]
                 for index in range(clients)]
        host = await self._call("POST", f"/api/sessions/{session['id']}/host")
        return Room(session["id"], Entry(host["participant"]["id"], host["participant_token"]), tuple(links))

    async def end(self, session_id: str) -> None:
        await self._call("POST", f"/api/sessions/{session_id}/end")

    async def redeem(self, join_link: str) -> Entry:
        _, _, secret = join_link.partition("#")
        body = await self._call("POST", "/api/join", {"token": secret}, staff=False)
        return Entry(body["participant"]["id"], body["participant_token"])
