"""What carries out the durable crisis steps (``server.crises.steps``) when they fall due.

* ``ProcrastinateQueue`` (several nodes, PostgreSQL): each armed step is also a procrastinate job,
  deferred with ``scheduled_at`` = its due time by procrastinate's own SQL function **inside the
  transaction that arms the step** (and cancelled the same way). Every node runs a procrastinate
  worker; whichever is alive fetches the job when it falls due (polling every second), jobs of a
  worker whose heartbeat stopped (kill -9 mid-step) are retried by the survivors, and a step that could
  not be carried out yet (Redis away) is retried every 2 s until it can.
* ``EmbeddedQueue`` (one process, SQLite): one owned task sleeps until the earliest pending step (on
  the app's clock, so tests drive it) and carries out what is due; at start it re-arms everything
  still pending in the database, so a restart loses nothing.

Both hand a step id to the same ``run`` callable, which claims the step (so it is done once)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from server.crises.steps import StepStore
from server.db.step_tables import CrisisStepRecord

log = structlog.get_logger(__name__)

RunStep = Callable[[str], Awaitable[bool]]  # carry out the step; False: it could not be done now, try again
RETRY_AFTER = 2.0  # seconds before a step that could not be carried out is tried again
QUEUE = "steadyline-crisis-steps"
SHUTDOWN_GRACE = 5.0  # seconds the steps being carried out get to finish when a node stops
TASK = "steadyline.crisis_step"


class NotNow(Exception):
    """The step could not be carried out now (what it needs is unreachable): procrastinate retries it."""


class StepQueue(Protocol):
    async def armed(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        """Steps were armed in ``db``'s transaction (before it commits)."""

    async def cancelled(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        """Steps were cancelled in ``db``'s transaction (before it commits)."""

    def committed(self) -> None:
        """The transaction that armed or cancelled steps committed."""

    async def start(self, run: RunStep) -> None: ...

    async def close(self) -> None: ...


class EmbeddedQueue:
    def __init__(self, steps: StepStore, *, now: Callable[[], datetime],
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._steps = steps
        self._now = now
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def armed(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        return None

    async def cancelled(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        return None

    def committed(self) -> None:
        self._wake.set()

    async def start(self, run: RunStep) -> None:
        reopened = await self._steps.reopen_running()
        if reopened:
            log.warning("crisis_steps_reopened", steps=reopened)  # this process died while carrying them out
        self._task = asyncio.create_task(self._loop(run), name="crisis-steps")

    async def _loop(self, run: RunStep) -> None:
        while True:
            self._wake.clear()
            retry = False
            try:
                for step_id in await self._steps.due(self._now()):
                    retry |= not await run(step_id)
                next_due = await self._steps.next_due_at()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database hiccuped: try again shortly, never stop the loop
                log.exception("crisis_steps_tick_failed")
                retry, next_due = True, None
            delay = None if next_due is None else max(0.0, (next_due - self._now()).total_seconds())
            if retry:  # what failed is still due: not before RETRY_AFTER, unless another step is due sooner
                delay = RETRY_AFTER if not delay else min(delay, RETRY_AFTER)
            await self._wait(delay)

    async def _wait(self, delay: float | None) -> None:
        """Until ``delay`` seconds pass on the clock, or a step is armed or cancelled."""
        woken = asyncio.ensure_future(self._wake.wait())
        timer = asyncio.ensure_future(self._sleep(delay)) if delay is not None else None
        try:
            await asyncio.wait([t for t in (woken, timer) if t is not None], return_when=asyncio.FIRST_COMPLETED)
        finally:  # cancelled, not awaited: awaiting here could swallow a cancellation of this task
            for task in (woken, timer):
                if task is not None:
                    task.cancel()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def psycopg_conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (procrastinate speaks psycopg)."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ProcrastinateQueue:
    def __init__(self, database_url: str, *, node_id: str, concurrency: int = 4, polling: float = 1.0,
                 heartbeat: float = 2.0, stalled_after: float = 10.0) -> None:
        import procrastinate  # only where the queue is used (PostgreSQL)

        self._procrastinate = procrastinate
        self._app = procrastinate.App(connector=procrastinate.PsycopgConnector(
            conninfo=psycopg_conninfo(database_url), min_size=1, max_size=concurrency + 2))
        self._node_id = node_id
        self._concurrency = concurrency
        self._polling = polling
        self._heartbeat = heartbeat
        self._stalled_after = stalled_after
        self._tasks: list[asyncio.Task] = []
        self._worker = None

    async def armed(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        for row in rows:  # procrastinate's defer function, in our transaction: the job exists iff the step does
            row.job_id = (await db.execute(text(
                "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[CAST(ROW(:queue, :task, 0, :lock, NULL, "
                "CAST(:args AS jsonb), :at) AS procrastinate_job_to_defer_v1)]))"),
                {"queue": QUEUE, "task": TASK, "lock": row.id, "args": json.dumps({"step_id": row.id}),
                 "at": row.due_at})).scalar_one()
        await db.flush()

    async def cancelled(self, db: AsyncSession, rows: list[CrisisStepRecord]) -> None:
        for row in rows:
            if row.job_id is not None:  # a job already running finds its step cancelled and does nothing
                await db.execute(text("SELECT procrastinate_cancel_job_v1(:id, false, true)"), {"id": row.job_id})

    def committed(self) -> None:
        return None

    async def start(self, run: RunStep) -> None:
        procrastinate = self._procrastinate
        from procrastinate.worker import Worker

        @self._app.task(name=TASK, queue=QUEUE, retry=procrastinate.RetryStrategy(
            max_attempts=10_000, wait=int(RETRY_AFTER), retry_exceptions={NotNow}))
        async def crisis_step(step_id: str) -> None:
            if not await run(step_id):
                raise NotNow()

        await self._app.open_async()
        self._worker = Worker(
            app=self._app, queues=[QUEUE], name=f"steadyline-{self._node_id}", concurrency=self._concurrency,
            fetch_job_polling_interval=self._polling, update_heartbeat_interval=self._heartbeat,
            stalled_worker_timeout=self._stalled_after * 3, install_signal_handlers=False,
            delete_jobs="successful", shutdown_graceful_timeout=SHUTDOWN_GRACE)
        self._tasks = [asyncio.create_task(self._worker.run(), name="crisis-steps-worker"),
                       asyncio.create_task(self._retry_stalled(), name="crisis-steps-stalled")]

    async def _retry_stalled(self) -> None:
        """Jobs a dead worker was running (no heartbeat for ``stalled_after``) go back to the queue
        (procrastinate's documented recovery); the step's own claim decides whether it runs again."""
        manager = self._app.job_manager
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                for job in await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=self._stalled_after):
                    log.warning("crisis_step_job_stalled", job_id=job.id)
                    await manager.retry_job(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("crisis_steps_stalled_check_failed")

    async def close(self) -> None:
        """Stop fetching steps and let those being carried out finish (for ``SHUTDOWN_GRACE`` at most;
        one cut off is taken over by a survivor once its claim is stale)."""
        tasks, self._tasks = self._tasks, []
        if self._worker is not None:
            self._worker.stop()
            await asyncio.wait(tasks[:1], timeout=SHUTDOWN_GRACE + 1)
            self._worker = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._app.close_async()
