"""One load-generating share of a run: its hosts and join links, run in one event loop until the run's
end, then closed; what its participants measured comes back as records."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from .options import LoadOptions
from .owned_tasks import OwnedTasks
from .participant import Participant
from .records import ParticipantRecord, Progress
from .rest_client import Entry, RestClient
from .synthetic_media import synthetic_media
from .tls import client_ssl_context

CLOSE_TIMEOUT = 10.0
REFRESH = 0.5  # seconds between progress reports


@dataclass(frozen=True)
class Shard:
    hosts: tuple[Entry, ...]  # host places of the sessions the tool made (they admit their clients)
    join_links: tuple[str, ...]


@dataclass(frozen=True)
class ShardResult:
    records: tuple[ParticipantRecord, ...]
    cpu_seconds: float  # this process's CPU (all its threads) while the shard ran


def _held(entry: Entry) -> Callable[[], Awaitable[Entry]]:
    """An entry the tool already holds (a host place), asked for as participants ask for theirs."""
    async def held() -> Entry:
        return entry
    return held


def _progress(clients: list[Participant], everyone: list[Participant]) -> Progress:
    return Progress(clients=len(clients), joined=sum(p.joined_at is not None for p in clients),
                    frames=sum(p.received.frames for p in clients), errors=sum(len(p.errors) for p in everyone))


async def _start(hosts: list[Participant], clients: list[Participant], spawn_rate: float,
                 tasks: OwnedTasks) -> None:
    """The hosts first (they admit the others), then one client every 1/``spawn_rate`` seconds."""
    await asyncio.gather(*(tasks.spawn(host.run()) for host in hosts))
    for index, client in enumerate(clients):
        if index:
            await asyncio.sleep(1 / spawn_rate)
        tasks.spawn(client.run())


async def run_shard(shard: Shard, options: LoadOptions, spawn_rate: float, until: float,
                    on_progress: Callable[[Progress], None]) -> ShardResult:
    """Run until the monotonic time ``until``, reporting progress every half second."""
    cpu_began = time.process_time()
    ssl_context = client_ssl_context(options.cafile, options.insecure) if options.url.startswith("https") else None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl_context or True)) as http:
        rest = RestClient(http, options.url)
        media = synthetic_media(options.video, options.light)
        hosts = [Participant(options.url, ssl_context, media, _held(entry), hosts=True) for entry in shard.hosts]
        clients = [Participant(options.url, ssl_context, media, functools.partial(rest.redeem, link))
                   for link in shard.join_links]
        everyone = hosts + clients
        tasks = OwnedTasks()
        try:
            tasks.spawn(_start(hosts, clients, spawn_rate, tasks))
            while (now := time.monotonic()) < until:
                on_progress(_progress(clients, everyone))
                await asyncio.sleep(min(REFRESH, until - now))
            records = tuple(p.record() for p in everyone)
            cpu_seconds = time.process_time() - cpu_began
        finally:
            await tasks.cancel_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(p.close() for p in everyone), return_exceptions=True),
                                       CLOSE_TIMEOUT)
    return ShardResult(records, cpu_seconds)
