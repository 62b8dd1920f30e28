"""The track behind one subscriber m-line: yields encoded ``av.Packet``s.

aiortc's ``RTCRtpSender`` packetizes an ``av.Packet`` with the codec's
``pack()`` instead of encoding, so forwarding costs no codec work. One
``ForwardingTrack`` lives as long as its m-line; publishers come and go as its
source, and :class:`~media.timeline.TimestampRewriter` keeps its timeline
continuous across them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from .encoded_frame import EncodedFrame
from .frame_queue import DropToKeyframeQueue, PushResult, QueueCounters
from .timeline import TimestampRewriter

KeyframeHandler = Callable[[str], None]
CLOCK_RATES = {"audio": 48000, "video": 90000}


class ForwardingTrack(MediaStreamTrack):
    def __init__(self, kind: str, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        if kind not in CLOCK_RATES:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        self.kind = kind
        self._clock = clock
        self._capacity = capacity
        self._queue = self._new_queue()
        self._rewriter = TimestampRewriter(CLOCK_RATES[kind])
        self._keyframe_handler: KeyframeHandler | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._keyframe_requests = 0

    @property
    def keyframe_requests(self) -> int:
        return self._keyframe_requests

    def counters(self) -> QueueCounters:
        return self._queue.counters()

    def switch_source(self, keyframe_handler: KeyframeHandler | None) -> None:
        """Forward a new source (or none) from its next keyframe; counters restart."""
        self._keyframe_handler = keyframe_handler
        self._keyframe_requests = 0
        self._queue = self._new_queue()
        self._rewriter.rebase()

    def gate(self) -> None:
        """The source skipped frames (unpause): wait for its next keyframe."""
        self._queue.gate()

    def request_keyframe(self, reason: str) -> None:
        self._keyframe_requests += 1
        if self._keyframe_handler is not None:
            self._keyframe_handler(reason)

    def deliver(self, frame: EncodedFrame) -> None:
        if self.readyState != "live":
            return
        result = self._queue.push(frame)
        if result is PushResult.OVERFLOW and self._queue.waiting_for_keyframe:
            self.request_keyframe("subscriber queue overflow")
        if result is not PushResult.GATED:
            self._wake()

    async def recv(self) -> av.Packet:
        frame = self._queue.pop()
        while frame is None:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            frame = self._queue.pop()
        return frame.to_packet(self._rewriter.rewrite(frame.timestamp, self._clock()))

    def stop(self) -> None:
        super().stop()
        self._wake()

    def _new_queue(self) -> DropToKeyframeQueue[EncodedFrame]:
        return DropToKeyframeQueue(self._capacity, keyframes=self.kind == "video")

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
