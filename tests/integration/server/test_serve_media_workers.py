"""`steadyline serve` and its media worker processes: by default one per spare core; stopped with it on
SIGTERM; and gone with it when it is killed (they watch their parent)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from signaling.media_workers import default_worker_count
from tests.support.services import free_port
from tests.support.steadyline_cli import serve


def _workers(pid: int) -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            for child in listing.read().split():
                try:
                    with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                        if b"media.worker" in cmdline.read():
                            found.add(int(child))
                except FileNotFoundError:
                    pass
    return found


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] == "Z"
    except FileNotFoundError:
        return True


async def _started_workers(pid: int, count: int) -> set[int]:
    deadline = time.monotonic() + 30
    while len(workers := _workers(pid)) < count:
        assert time.monotonic() < deadline, f"{count} media workers did not start"
        await asyncio.sleep(0.1)
    return workers


async def _all_gone(pids: set[int], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not all(_gone(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_serve_starts_one_media_worker_per_spare_core_and_stops_them_on_sigterm(tmp_path):
    process = await serve(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}", None, free_port())
    try:
        workers = await _started_workers(process.pid, default_worker_count())
        assert len(workers) == default_worker_count()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        assert await _all_gone(workers)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_media_workers_end_when_serve_is_killed(tmp_path):
    process = await serve(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}", None, free_port(),
                          media_workers="2")
    try:
        workers = await _started_workers(process.pid, 2)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert await _all_gone(workers), "a media worker outlived its serving process"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_no_media_worker_with_zero(tmp_path):
    process = await serve(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}", None, free_port(),
                          media_workers="0")
    try:
        await asyncio.sleep(1.0)
        assert _workers(process.pid) == set()
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
