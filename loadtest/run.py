"""A whole load test: set up (group sessions made with a staff token, each with a synthetic host, or the
given join links), start the participants at the spawn rate, keep the calls up until the run's duration
is over, close everything within a bound, end the sessions it made, and summarize."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp

from .errors import ApiError
from .options import LoadOptions
from .owned_tasks import OwnedTasks
from .participant import Participant
from .progress import show_progress
from .report import Summary, summarize
from .rest_client import Entry, RestClient, Room
from .tls import client_ssl_context

CLOSE_TIMEOUT = 10.0
SESSION_MARGIN = timedelta(minutes=10)  # the sessions it makes end this long after the run at the latest


def _held(entry: Entry) -> Callable[[], Awaitable[Entry]]:
    """An entry the tool already holds (a host place), asked for as participants ask for theirs."""
    async def held() -> Entry:
        return entry
    return held


async def _create_rooms(rest: RestClient, options: LoadOptions) -> list[Room]:
    lasts = timedelta(seconds=options.duration) + SESSION_MARGIN
    rooms = []
    for index in range(options.rooms):
        clients = min(options.room_size, options.participants - index * options.room_size)
        rooms.append(await rest.create_room(f"Load test room {index + 1}", clients, lasts))
    return rooms


async def _start(hosts: list[Participant], clients: list[Participant], spawn_rate: float,
                 tasks: OwnedTasks) -> None:
    """The hosts first (they admit the others), then one client every 1/``spawn_rate`` seconds."""
    await asyncio.gather(*(tasks.spawn(host.run()) for host in hosts))
    for index, client in enumerate(clients):
        if index:
            await asyncio.sleep(1 / spawn_rate)
        tasks.spawn(client.run())


async def run_load_test(options: LoadOptions) -> Summary:
    began, cpu_began = time.monotonic(), time.process_time()
    until = began + options.duration
    ssl_context = client_ssl_context(options.cafile, options.insecure) if options.url.startswith("https") else None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl_context or True)) as http:
        rest = RestClient(http, options.url, options.token)
        rooms = await _create_rooms(rest, options) if options.token else []

        hosts = [Participant(options.url, ssl_context, options.video, _held(room.host), hosts=True) for room in rooms]
        links = [link for room in rooms for link in room.join_links] or list(options.join_links)
        clients = [Participant(options.url, ssl_context, options.video, lambda link=link: rest.redeem(link))
                   for link in links]
        everyone = hosts + clients
        tasks = OwnedTasks()
        try:
            tasks.spawn(_start(hosts, clients, options.spawn_rate, tasks))
            await show_progress(clients, everyone, until, options.progress)
            ended_at, cpu_ended = time.monotonic(), time.process_time()
        finally:
            await tasks.cancel_all()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(p.close() for p in everyone), return_exceptions=True),
                                       CLOSE_TIMEOUT)
            for room in rooms:
                with contextlib.suppress(ApiError, aiohttp.ClientError):
                    await rest.end(room.session_id)
    return summarize(clients, everyone, ended_at, (cpu_ended - cpu_began) / (ended_at - began))
