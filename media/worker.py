"""A media worker process: group rooms' aiortc peers and UDP sockets, away from the signalling loop.

Started by the signalling process as ``python -m media.worker --fd N`` with one end of a local socket
pair as file descriptor ``N``. It reads commands (``media.worker_messages``) from it, runs one
:class:`MediaRoom` per room on its own asyncio loop and writes back results and the rooms' events.
It knows nothing of Socket.IO: the parent relays.

It exits when the channel ends (end of file: the parent closed it or died — the kernel closes a dead
process's descriptors), and, on Linux, when its parent dies (``PR_SET_PDEATHSIG``), closing every
room on the way out."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys

from .config import MediaSettings
from .errors import MediaError, UnknownParticipantError
from .room import MediaRoom
from .worker_messages import (
    LINE_LIMIT,
    Answer,
    Candidate,
    CloseRoom,
    Command,
    Event,
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

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


class Worker:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 settings: MediaSettings | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self._settings = settings or MediaSettings()
        self._rooms: dict[str, MediaRoom] = {}
        self._tasks: set[asyncio.Task] = set()

    def send(self, event: Event) -> None:
        if not self._writer.is_closing():
            self._writer.write(dump(event))

    async def run(self) -> None:
        """Serve commands until the channel ends; then close every room."""
        self.send(Ready(pid=os.getpid()))
        try:
            while line := await self._reader.readline():
                try:
                    command = parse(line)
                except MessageError:
                    logger.exception("media worker: unreadable command")
                    continue
                self._spawn(self._handle(command))
        except ConnectionError:  # the parent is gone: as end of file
            pass
        finally:
            await self.close()

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, command: Command) -> None:
        request = getattr(command, "request", None)
        sdp = code = None
        message = ""
        try:
            sdp = await self._apply(command)
        except MediaError as error:
            code, message = error.code, str(error)
        except Exception as error:  # never let one command end the worker
            logger.exception("media worker: %s failed", type(command).__name__)
            code, message = MediaError.code, type(error).__name__
        if request is not None:
            room = self._rooms.get(command.room)
            self.send(Result(request=request, sdp=sdp, code=code, message=message,
                             participants=list(room.participants) if room is not None else []))

    async def _apply(self, command: Command) -> str | None:
        match command:
            case Offer(room=room_id, participant=pid, sdp=sdp):
                return await self._room(room_id).handle_offer(pid, sdp)
            case Answer(room=room_id, participant=pid, sdp=sdp):
                room = self._rooms.get(room_id)
                if room is None:
                    raise UnknownParticipantError(f"{pid!r} is not in room {room_id!r}")
                await room.handle_answer(pid, sdp)
            case Candidate(room=room_id, participant=pid, candidate=candidate):
                if (room := self._rooms.get(room_id)) is not None:
                    await room.add_ice_candidate(pid, candidate)
            case SetPaused(room=room_id, participant=pid, kind=kind, paused=paused):
                if (room := self._rooms.get(room_id)) is not None and pid in room.participants:
                    room.set_paused(pid, kind, paused)
            case SetReceiving(room=room_id, participant=pid, kind=kind, receiving=receiving):
                if (room := self._rooms.get(room_id)) is not None and pid in room.participants:
                    room.set_receiving(pid, kind, receiving)
            case Remove(room=room_id, participant=pid):
                if (room := self._rooms.get(room_id)) is not None:
                    await room.remove(pid)
            case CloseRoom(room=room_id):
                if (room := self._rooms.pop(room_id, None)) is not None:
                    await room.close()
        return None

    def _room(self, room_id: str) -> MediaRoom:
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = MediaRoom(
                room_id, settings=self._settings,
                on_offer=lambda pid, sdp: self._offer(room_id, pid, sdp),
                on_active_speaker=lambda pid: self.send(SpeakerChanged(room=room_id, participant=pid)),
                on_error=lambda pid, error: self.send(
                    ParticipantFailed(room=room_id, participant=pid, code=error.code, message=str(error))),
            )
        return room

    async def _offer(self, room_id: str, participant_id: str, sdp: str) -> None:
        self.send(ServerOffer(room=room_id, participant=participant_id, sdp=sdp))

    async def close(self) -> None:
        rooms, self._rooms = list(self._rooms.values()), {}
        await asyncio.gather(*(room.close() for room in rooms), return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            self._writer.close()


def die_with_parent() -> None:
    """Linux: the kernel sends SIGKILL when the parent process dies (the pipe's EOF is the other way)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


async def serve(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_connection(sock=sock, limit=LINE_LIMIT)
    loop = asyncio.get_running_loop()
    worker = Worker(reader, writer)
    main = asyncio.current_task()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await worker.run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m media.worker")
    parser.add_argument("--fd", type=int, required=True, help="file descriptor of the channel to the parent")
    parser.add_argument("--parent", type=int, default=0, help="pid of the parent: exit at once if already gone")
    args = parser.parse_args(argv)
    die_with_parent()
    if args.parent and os.getppid() != args.parent:
        sys.exit(0)  # the parent died before we could ask to die with it
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format=f"media-worker[{os.getpid()}] %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args.fd))


if __name__ == "__main__":
    main()
