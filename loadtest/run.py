"""A whole load test: set up (group sessions made with a staff token, each with a synthetic host, or the
given join links), share the participants out over the load-generating processes (whole sessions
together, so each host admits its own clients), run them until the run's duration is over, end the
sessions it made, and summarize."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import aiohttp

from .errors import ApiError, SetupError
from .options import LoadOptions
from .owned_tasks import OwnedTasks
from .processes import run_in_processes
from .progress import show_progress
from .records import Progress
from .report import Summary, summarize
from .rest_client import RestClient, Room
from .shard import Shard, ShardResult, run_shard
from .tls import client_ssl_context

SESSION_MARGIN = timedelta(minutes=10)  # the sessions it makes end this long after the run at the latest
END_TIMEOUT = 10.0  # ending the sessions it made, all together (what is left ends at its scheduled end)


async def _create_rooms(rest: RestClient, options: LoadOptions, rooms: list[Room]) -> None:
    """Into ``rooms``, one at a time: what was made before a failure is still there to be ended."""
    lasts = timedelta(seconds=options.duration) + SESSION_MARGIN
    for index in range(options.rooms):
        clients = min(options.room_size, options.participants - index * options.room_size)
        rooms.append(await rest.create_room(f"Load test room {index + 1}", clients, lasts))


async def _end_rooms(rest: RestClient, rooms: list[Room]) -> None:
    for room in rooms:
        with contextlib.suppress(ApiError, aiohttp.ClientError):
            await rest.end(room.session_id)


def _shards(rooms: list[Room], options: LoadOptions) -> list[Shard]:
    """Rooms (or, without rooms, links) dealt round-robin over at most ``options.processes`` shards."""
    if rooms:
        dealt = [rooms[i::options.processes] for i in range(min(options.processes, len(rooms)))]
        return [Shard(tuple(r.host for r in mine), tuple(link for r in mine for link in r.join_links))
                for mine in dealt]
    links = options.join_links
    return [Shard((), links[i::options.processes]) for i in range(min(options.processes, len(links)))]


async def _run_shards(shards: list[Shard], options: LoadOptions, until: float) -> list[ShardResult]:
    """In this process when there is one shard, else each in its own process; the bar shows them all."""
    latest: dict[int, Progress] = {}
    spawn_rate = options.spawn_rate / len(shards)  # the run's rate, shared out

    def report(index: int, progress: Progress) -> None:
        latest[index] = progress

    tasks = OwnedTasks()
    tasks.spawn(show_progress(lambda: sum(latest.values(), Progress()), until, options.progress))
    try:
        if len(shards) == 1:
            return [await run_shard(shards[0], options, spawn_rate, until, lambda progress: report(0, progress))]
        return await run_in_processes(shards, options, spawn_rate, until, report)
    finally:
        await tasks.cancel_all()


async def run_load_test(options: LoadOptions) -> Summary:
    began = time.monotonic()
    until = began + options.duration
    ssl_context = client_ssl_context(options.cafile, options.insecure) if options.url.startswith("https") else None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl_context or True)) as http:
        rest = RestClient(http, options.url, options.token)
        rooms: list[Room] = []
        try:
            if options.token:
                try:
                    await asyncio.wait_for(_create_rooms(rest, options, rooms), until - time.monotonic())
                except TimeoutError:
                    raise SetupError(f"{len(rooms)} of {options.rooms} sessions made within --duration") from None
            shards = _shards(rooms, options)
            cpu_began = time.process_time()
            results = await _run_shards(shards, options, until)
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_end_rooms(rest, rooms), END_TIMEOUT)
    own_cpu = time.process_time() - cpu_began if len(shards) > 1 else 0.0  # the parent's share
    tool_cores = (own_cpu + sum(r.cpu_seconds for r in results)) / (until - began)
    return summarize([record for r in results for record in r.records], until, tool_cores, len(shards))
