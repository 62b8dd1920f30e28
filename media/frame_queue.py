"""A bounded per-subscriber frame queue that drops to the next keyframe.

Pure logic, no asyncio: the forwarding track wraps it. A subscriber that does
not keep up only loses its own frames: on overflow the queue empties, waits for
the next keyframe and asks for one, instead of growing without bound.
"""

from __future__ import annotations

import enum
import logging
from collections import deque
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

logger = logging.getLogger(__name__)


class Frame(Protocol):
    @property
    def keyframe(self) -> bool: ...


F = TypeVar("F", bound=Frame)


class PushResult(enum.Enum):
    QUEUED = "queued"
    GATED = "gated"  # discarded while waiting for a keyframe
    OVERFLOW = "overflow"  # queue was full: emptied, now waiting for a keyframe


@dataclass(frozen=True)
class QueueCounters:
    forwarded: int
    dropped: int
    gated: int
    overflows: int


class DropToKeyframeQueue(Generic[F]):
    """FIFO of at most ``capacity`` frames.

    With ``keyframes=True`` (video) the queue starts gated: frames are
    discarded until a keyframe, so a subscriber never starts mid-GOP. An
    overflow empties the queue and gates again. With ``keyframes=False``
    (audio, every frame decodable) an overflow drops the oldest frames only.
    """

    def __init__(self, capacity: int, keyframes: bool) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._keyframes = keyframes
        self._frames: deque[F] = deque()
        self._waiting_for_keyframe = keyframes
        self._forwarded = 0
        self._dropped = 0
        self._gated = 0
        self._overflows = 0

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def waiting_for_keyframe(self) -> bool:
        return self._waiting_for_keyframe

    def counters(self) -> QueueCounters:
        return QueueCounters(self._forwarded, self._dropped, self._gated, self._overflows)

    def push(self, frame: F) -> PushResult:
        if self._waiting_for_keyframe and not frame.keyframe:
            self._gated += 1
            return PushResult.GATED
        if len(self._frames) >= self._capacity:
            return self._overflow(frame)
        self._set_waiting(False)
        self._frames.append(frame)
        return PushResult.QUEUED

    def pass_through(self, frame: F) -> F | None:
        """:meth:`push` and :meth:`pop` in one step, for a reader that is waiting (the
        queue is then empty): the frame to send now, or None if it was gated."""
        if self._frames:
            self.push(frame)
            return self.pop()
        if self._waiting_for_keyframe:
            if not frame.keyframe:
                self._gated += 1
                return None
            self._set_waiting(False)
        self._forwarded += 1
        return frame

    def pop(self) -> F | None:
        if not self._frames:
            return None
        self._forwarded += 1
        return self._frames.popleft()

    def gate(self) -> None:
        """Discard queued frames and wait for a keyframe (e.g. new source)."""
        if self._keyframes:
            self._gated += len(self._frames)
            self._frames.clear()
            self._set_waiting(True)

    def _overflow(self, frame: F) -> PushResult:
        self._overflows += 1
        if not self._keyframes:
            self._frames.popleft()
            self._dropped += 1
            self._frames.append(frame)
            return PushResult.OVERFLOW
        self._dropped += len(self._frames)
        self._frames.clear()
        if frame.keyframe:
            self._frames.append(frame)
        else:
            self._dropped += 1
            self._set_waiting(True)
        return PushResult.OVERFLOW

    def _set_waiting(self, waiting: bool) -> None:
        if waiting != self._waiting_for_keyframe:
            logger.debug("queue waiting_for_keyframe %s -> %s", self._waiting_for_keyframe, waiting)
            self._waiting_for_keyframe = waiting
