"""The track behind one subscriber m-line: yields encoded frames, never decoded.

:class:`~media.forwarding_sender.ForwardingSender` reads them with
:meth:`ForwardingTrack.next_frame` (or takes them straight from
:meth:`ForwardingTrack.deliver` while it is idle) and packetizes each frame
once for all subscribers; ``recv()`` still yields an ``av.Packet`` that
aiortc's own sender would ``pack()``. One
``ForwardingTrack`` lives as long as its m-line; publishers come and go as its
source, and :class:`~media.timeline.TimestampRewriter` keeps its timeline
continuous across them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from .encoded_frame import EncodedFrame
from .fanout_group import FanoutBatch
from .frame_queue import DropToKeyframeQueue, PushResult, QueueCounters
from .timeline import TimestampRewriter

KeyframeHandler = Callable[[str], None]


class ImmediateSender(Protocol):
    """What can send a frame at once, from :meth:`ForwardingTrack.deliver`."""

    def ready(self) -> bool: ...

    def send_now(self, frame: EncodedFrame, pts: int, batch: FanoutBatch | None = None) -> None: ...


CLOCK_RATES = {"audio": 48000, "video": 90000}
# Frames gated while waiting for a keyframe before it is asked for again (about 1 s of 30 fps video): a request
# can be lost — sent before the publisher's new transport was up, or dropped on the way — and a subscriber must
# never wait for a keyframe nobody is going to send.
ASK_AGAIN_AFTER_GATED = 30


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
        self._gated_in_a_row = 0
        self._immediate: ImmediateSender | None = None
        self._live = True  # readyState == "live", without the property per frame
        self._receiving = True

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

    def set_immediate_sender(self, sender: ImmediateSender | None) -> None:
        """Let :meth:`deliver` hand a frame straight to ``sender`` while the reader
        (the sender's loop) is idle and ``sender.ready()``: one task wake-up less
        per frame and subscriber. Otherwise frames queue for :meth:`next_frame`."""
        self._immediate = sender

    def set_receiving(self, receiving: bool) -> None:
        """Whether the subscriber wants this track now (off: e.g. audio only on a weak network).
        Off, frames are dropped here; back on, forwarding resumes from a keyframe, asked for at once."""
        if receiving == self._receiving:
            return
        self._receiving = receiving
        self._queue.gate()
        if receiving:
            self.request_keyframe("subscriber receives again")

    def deliver(self, frame: EncodedFrame, batch: FanoutBatch | None = None) -> None:
        """Forward ``frame``: sent at once if the sender is idle and ready (added to ``batch``,
        the frame's fan-out to all subscribers in one C call, when given), else queued."""
        if not (self._live and self._receiving):
            return
        immediate, waiter = self._immediate, self._waiter
        if immediate is not None and waiter is not None and not waiter.done() and immediate.ready():
            to_send = self._queue.pass_through(frame)
            if to_send is None:
                self._gated()
            else:
                self._gated_in_a_row = 0
                pts = self._rewriter.rewrite(to_send.timestamp, self._clock())
                if batch is None:
                    immediate.send_now(to_send, pts)
                else:
                    immediate.send_now(to_send, pts, batch)
            return
        queue = self._queue
        result = queue.push(frame)
        if result is PushResult.OVERFLOW and queue.waiting_for_keyframe:
            self.request_keyframe("subscriber queue overflow")
        if result is PushResult.GATED:
            self._gated()
        else:
            self._gated_in_a_row = 0
            self._wake()

    def _gated(self) -> None:
        self._gated_in_a_row += 1
        if self._gated_in_a_row % ASK_AGAIN_AFTER_GATED == 0:
            self.request_keyframe("still waiting for a keyframe")

    async def recv(self) -> av.Packet:
        frame, pts = await self.next_frame()
        return frame.to_packet(pts)

    async def next_frame(self) -> tuple[EncodedFrame, int]:
        """The next frame to send and its outgoing timestamp (RTP clock units);
        what :class:`~media.forwarding_sender.ForwardingSender` reads instead of
        ``recv()``, so no ``av.Packet`` is made per subscriber."""
        frame = self._queue.pop()
        while frame is None:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            frame = self._queue.pop()
        return frame, self._rewriter.rewrite(frame.timestamp, self._clock())

    def stop(self) -> None:
        self._live = False
        super().stop()
        self._wake()

    def _new_queue(self) -> DropToKeyframeQueue[EncodedFrame]:
        return DropToKeyframeQueue(self._capacity, keyframes=self.kind == "video")

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
