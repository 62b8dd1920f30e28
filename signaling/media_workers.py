"""Group rooms' media in worker processes (``media.worker``), so that forwarding a big call never
slows the signalling loop of every other room.

:class:`MediaWorkers` spawns and owns the worker processes: each is ``python -m media.worker`` with
one end of a local socket pair; the commands and events on it are ``media.worker_messages``. A room
is placed on the least-loaded ready worker and used through a :class:`RemoteRoom`, which has the
``MediaRoom`` API ``MediaRooms`` relies on. A worker that ends (killed, crashed: end of file on its
channel) fails its outstanding commands with ``MediaWorkerLostError``, tells each of its rooms
(``on_lost``: ``MediaRooms`` forgets the room and tells its members to offer again, which rebuilds it
on another worker) and is replaced by a new process. ``close`` stops them all: end of file on the
channel makes a worker close its rooms and exit; one that does not within a bound is killed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from media import MediaError, MediaUnavailableError, MediaWorkerLostError, errors as media_errors
from media.worker_messages import (
    LINE_LIMIT,
    Answer,
    Candidate,
    CloseRoom,
    Command,
    MessageError,
    Offer,
    ParticipantFailed,
    Ready,
    Remove,
    Result,
    ServerOffer,
    SetPaused,
    SetReceiving,
    SpeakerChanged,
    dump,
    parse,
)

log = structlog.get_logger(__name__)

READY_TIMEOUT = 10.0  # how long a room waits for a (re)starting worker
STOP_TIMEOUT = 3.0  # a stopping worker that has not exited by then is killed
RESTART_BACKOFF = 1.0  # a worker that died within this many seconds of its start is restarted this late


def default_worker_count() -> int:
    """One worker per core the signalling process leaves spare."""
    return max(1, (os.cpu_count() or 1) - 1)


def _error(code: str | None, message: str) -> MediaError:
    """The media error a worker reported, as its own class where there is one (``code`` is stable)."""
    for value in vars(media_errors).values():
        if isinstance(value, type) and issubclass(value, MediaError) and value.code == code:
            return value(message)
    error = MediaError(message)
    error.code = code or MediaError.code
    return error


OnOffer = Callable[[str, str], Awaitable[None]]


class RemoteRoom:
    """A room held by a worker process; the ``MediaRoom`` calls ``MediaRooms`` makes."""

    def __init__(self, room_id: str, worker: WorkerProcess, *, on_offer: OnOffer,
                 on_active_speaker: Callable[[str | None], None], on_error: Callable[[str, MediaError], None],
                 on_lost: Callable[[RemoteRoom], None]) -> None:
        self.room_id = room_id
        self.worker = worker
        self._on_offer = on_offer
        self._on_active_speaker = on_active_speaker
        self._on_error = on_error
        self._on_lost = on_lost
        self._participants: tuple[str, ...] = ()
        self.lost = False

    def __repr__(self) -> str:
        return f"RemoteRoom({self.room_id} on worker {self.worker.pid})"

    @property
    def participants(self) -> tuple[str, ...]:
        return self._participants

    async def _call(self, command: Command) -> Result:
        result = await self.worker.request(command)
        if result.participants is not None:
            self._participants = tuple(result.participants)
        if not result.ok:
            raise _error(result.code, result.message)
        return result

    async def handle_offer(self, participant_id: str, sdp: str) -> str:
        result = await self._call(Offer(request=self.worker.next_request(), room=self.room_id,
                                        participant=participant_id, sdp=sdp))
        return result.sdp or ""

    async def handle_answer(self, participant_id: str, sdp: str) -> None:
        await self._call(Answer(request=self.worker.next_request(), room=self.room_id,
                                participant=participant_id, sdp=sdp))

    async def add_ice_candidate(self, participant_id: str, candidate: dict[str, Any] | None) -> None:
        await self._call(Candidate(request=self.worker.next_request(), room=self.room_id,
                                   participant=participant_id, candidate=candidate))

    def set_paused(self, participant_id: str, kind: str, paused: bool) -> None:
        self.worker.send(SetPaused(room=self.room_id, participant=participant_id, kind=kind, paused=paused))

    def set_receiving(self, participant_id: str, kind: str, receiving: bool) -> None:
        self.worker.send(SetReceiving(room=self.room_id, participant=participant_id, kind=kind,
                                      receiving=receiving))

    async def remove(self, participant_id: str) -> None:
        with contextlib.suppress(MediaWorkerLostError):  # gone with the worker anyway
            await self._call(Remove(request=self.worker.next_request(), room=self.room_id,
                                    participant=participant_id))

    async def close(self) -> None:
        self.worker.forget(self)
        with contextlib.suppress(MediaWorkerLostError):
            await self._call(CloseRoom(request=self.worker.next_request(), room=self.room_id))

    # events from the worker
    def deliver(self, event: ServerOffer | SpeakerChanged | ParticipantFailed) -> Awaitable[None] | None:
        match event:
            case ServerOffer(participant=pid, sdp=sdp):
                return self._on_offer(pid, sdp)
            case SpeakerChanged(participant=pid):
                self._on_active_speaker(pid)
            case ParticipantFailed(participant=pid, code=code, message=message):
                self._on_error(pid, _error(code, message))
        return None

    def worker_lost(self) -> None:
        self.lost = True
        self._on_lost(self)


class WorkerProcess:
    """One ``media.worker`` process and its channel."""

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.pid: int | None = None
        self.ready = asyncio.get_running_loop().create_future()
        self.ended = asyncio.Event()
        self.started_at = time.monotonic()
        self.rooms: dict[str, RemoteRoom] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[Result]] = {}
        self._requests = 0
        self._tasks: set[asyncio.Task] = set()
        self._reader_task: asyncio.Task | None = None

    @property
    def load(self) -> tuple[int, int]:
        return sum(len(room.participants) for room in self.rooms.values()), len(self.rooms)

    @property
    def alive(self) -> bool:
        return not self.ended.is_set()

    async def start(self) -> None:
        parent, child = socket.socketpair()
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "media.worker", "--fd", str(child.fileno()), "--parent", str(os.getpid()),
                pass_fds=(child.fileno(),), stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            child.close()
        self.pid = self._process.pid
        reader, self._writer = await asyncio.open_connection(sock=parent, limit=LINE_LIMIT)
        self._reader_task = asyncio.create_task(self._read(reader), name=f"media-worker-{self.slot}")
        log.info("media_worker_started", slot=self.slot, pid=self.pid)

    def next_request(self) -> int:
        self._requests += 1
        return self._requests

    def send(self, command: Command) -> None:
        if self.alive and self._writer is not None and not self._writer.is_closing():
            self._writer.write(dump(command))

    async def request(self, command: Command) -> Result:
        if not self.alive:
            raise MediaWorkerLostError("the media worker holding this room has ended")
        future = asyncio.get_running_loop().create_future()
        self._pending[command.request] = future
        self.send(command)
        try:
            return await future
        finally:
            self._pending.pop(command.request, None)

    def place(self, room: RemoteRoom) -> None:
        self.rooms[room.room_id] = room

    def forget(self, room: RemoteRoom) -> None:
        if self.rooms.get(room.room_id) is room:
            del self.rooms[room.room_id]

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while line := await reader.readline():
                try:
                    event = parse(line)
                except MessageError:
                    log.exception("media_worker_unreadable_event", pid=self.pid)
                    continue
                self._dispatch(event)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            log.warning("media_worker_channel_broken", pid=self.pid)
        finally:
            self._end()

    def _dispatch(self, event: Any) -> None:
        match event:
            case Ready():
                if not self.ready.done():
                    self.ready.set_result(None)
            case Result(request=request):
                future = self._pending.get(request)
                if future is not None and not future.done():
                    future.set_result(event)
            case ServerOffer(room=room_id) | SpeakerChanged(room=room_id) | ParticipantFailed(room=room_id):
                room = self.rooms.get(room_id)
                if room is not None:
                    outcome = room.deliver(event)
                    if outcome is not None:
                        self._spawn(outcome)

    def _spawn(self, awaitable: Awaitable[None]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("media_worker_event_failed", pid=self.pid, error=repr(task.exception()))

    def _end(self) -> None:
        """The channel ended: the process is gone or going. Everything it held is lost."""
        if self.ended.is_set():
            return
        self.ended.set()
        if not self.ready.done():
            self.ready.set_exception(MediaUnavailableError("the media worker ended while starting"))
            self.ready.exception()  # retrieved: nobody may be waiting
        for future in self._pending.values():
            if not future.done():
                future.set_exception(MediaWorkerLostError("the media worker holding this room has ended"))
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            room.worker_lost()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End of file on the channel: the worker closes its rooms and exits; killed after ``timeout``."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if self._process is not None:
            try:
                await asyncio.wait_for(self._process.wait(), timeout)
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self._process.kill()
                await self._process.wait()
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def exited(self) -> int | None:
        """Wait for the process to end; its exit status."""
        if self._process is None:
            return None
        return await self._process.wait()


class MediaWorkers:
    """The pool of worker processes (``count`` of them, each restarted when it dies)."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("a media worker pool has at least one worker")
        self.count = count
        self._workers: dict[int, WorkerProcess] = {}
        self._supervisors: list[asyncio.Task] = []
        self._changed: asyncio.Event | None = None
        self._closing = False

    @property
    def workers(self) -> list[WorkerProcess]:
        return list(self._workers.values())

    def start(self) -> None:
        if not self._supervisors:
            self._changed = asyncio.Event()
            self._supervisors = [asyncio.create_task(self._supervise(slot), name=f"media-worker-slot-{slot}")
                                 for slot in range(self.count)]

    async def _supervise(self, slot: int) -> None:
        """Keep one worker running in ``slot``: start it, wait for it to end, start another."""
        while not self._closing:
            worker = WorkerProcess(slot)
            try:
                await worker.start()
            except OSError:
                log.exception("media_worker_start_failed", slot=slot)
                await asyncio.sleep(RESTART_BACKOFF)
                continue
            self._workers[slot] = worker
            worker.ready.add_done_callback(lambda _: self._wake())
            await worker.ended.wait()
            status = await worker.exited()
            self._wake()
            if self._closing:
                return
            log.warning("media_worker_died", slot=slot, pid=worker.pid, status=status, rooms_lost=True)
            if time.monotonic() - worker.started_at < RESTART_BACKOFF:
                await asyncio.sleep(RESTART_BACKOFF)

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()

    def _ready(self) -> list[WorkerProcess]:
        return [w for w in self._workers.values() if w.alive and w.ready.done() and not w.ready.exception()]

    async def ready_worker(self, timeout: float = READY_TIMEOUT) -> WorkerProcess:
        """The least-loaded ready worker, waiting up to ``timeout`` for one to be ready."""
        deadline = time.monotonic() + timeout
        while not (ready := self._ready()):
            remaining = deadline - time.monotonic()
            if self._closing or remaining <= 0 or self._changed is None:
                raise MediaUnavailableError("no media worker is ready; try again shortly")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
        return min(ready, key=lambda worker: worker.load)

    def room(self, worker: WorkerProcess, room_id: str, **callbacks: Any) -> RemoteRoom:
        room = RemoteRoom(room_id, worker, **callbacks)
        worker.place(room)
        log.info("media_room_placed", room_id=room_id, worker=worker.pid, load=worker.load)
        return room

    async def close(self) -> None:
        self._closing = True
        await asyncio.gather(*(worker.stop() for worker in list(self._workers.values())), return_exceptions=True)
        for task in self._supervisors:
            task.cancel()
        await asyncio.gather(*self._supervisors, return_exceptions=True)
        self._supervisors = []
