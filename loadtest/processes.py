"""Shards run in load-generating processes (``--processes``): one event loop can encode and decode only
so much, so a bigger load is spread over processes (spawned: nothing of the parent's loop is inherited).
Each process reports its progress and, at the end, its records over one queue."""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time
from collections.abc import Callable
from multiprocessing.queues import Queue

from .options import LoadOptions
from .records import ParticipantRecord, Progress
from .shard import CLOSE_TIMEOUT, Shard, ShardResult, run_shard

START_TIMEOUT = 30.0  # a spawned process imports aiortc and the Socket.IO client before it runs
POLL = 0.5


def _shard_process(index: int, shard: Shard, options: LoadOptions, spawn_rate: float, until: float,
                   reports: Queue) -> None:
    def report(progress: Progress) -> None:
        reports.put(("progress", index, progress))

    result = asyncio.run(run_shard(shard, options, spawn_rate, until, report))
    reports.put(("done", index, result))


def _lost(shard: Shard, index: int) -> ShardResult:
    """What is known of a shard whose process ended without its results: every participant failed."""
    error = (f"load-generating process {index + 1} ended without results",)
    records = [ParticipantRecord(False, None, None, None, (), error) for _ in shard.hosts]
    records += [ParticipantRecord(True, None, None, None, (), error) for _ in shard.join_links]
    return ShardResult(tuple(records), 0.0)


async def run_in_processes(shards: list[Shard], options: LoadOptions, spawn_rate: float, until: float,
                           on_progress: Callable[[int, Progress], None]) -> list[ShardResult]:
    context = multiprocessing.get_context("spawn")
    reports: Queue = context.Queue()
    processes = [context.Process(target=_shard_process, args=(index, shard, options, spawn_rate, until, reports),
                                 daemon=True) for index, shard in enumerate(shards)]
    for process in processes:
        process.start()
    results: dict[int, ShardResult] = {}
    deadline = until + CLOSE_TIMEOUT + START_TIMEOUT
    loop = asyncio.get_running_loop()
    try:
        while len(results) < len(shards) and time.monotonic() < deadline:
            try:
                kind, index, payload = await loop.run_in_executor(None, reports.get, True, POLL)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    break
                continue
            if kind == "progress":
                on_progress(index, payload)
            else:
                results[index] = payload
    finally:
        for process in processes:
            await loop.run_in_executor(None, process.join, 5)
            if process.is_alive():
                process.terminate()
                process.join(5)
    return [results.get(index) or _lost(shard, index) for index, shard in enumerate(shards)]
