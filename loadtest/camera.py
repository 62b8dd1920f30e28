"""A synthetic camera for aiortc peers (the load tester's, the tests' and the benchmarks'): frames at a
steady rate on the wall clock, painted with a moving pattern so real VP8 frames flow."""

from __future__ import annotations

import asyncio
import fractions
import time

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

VIDEO_CLOCK = 90_000


class PacedVideoTrack(MediaStreamTrack):
    """Frames at ``fps``; subclasses paint them (``_paint``, with ``self._index`` the frame number).

    Like a camera, a source that fell behind (a busy machine) skips the frames it missed instead of
    delivering them in a burst that would look like a higher frame rate."""

    kind = "video"

    def __init__(self, width: int, height: int, fps: int) -> None:
        super().__init__()
        self._width, self._height, self._fps = width, height, fps
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        self._index = max(self._index, int((time.monotonic() - self._start) * self._fps))
        await asyncio.sleep(max(0.0, self._start + self._index / self._fps - time.monotonic()))
        frame = VideoFrame(width=self._width, height=self._height, format="yuv420p")
        self._paint(frame)
        frame.pts = self._index * VIDEO_CLOCK // self._fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._index += 1
        return frame

    def _paint(self, frame: VideoFrame) -> None:
        raise NotImplementedError


class PatternTrack(PacedVideoTrack):
    """A small moving bar, so every frame differs and real VP8 frames flow. 160×120 at 15 fps by default:
    the tests' in-process peers encode and decode every stream on a 2-core machine shared with the server."""

    def __init__(self, width: int = 160, height: int = 120, fps: int = 15) -> None:
        super().__init__(width, height, fps)

    def _paint(self, frame: VideoFrame) -> None:
        bar = (self._index * 4) % self._width
        for index, plane in enumerate(frame.planes):
            row = bytearray([128 if index else 16]) * plane.line_size
            if index == 0:
                row[bar:bar + 4] = b"\xeb" * 4
            plane.update(bytes(row) * (plane.buffer_size // plane.line_size))
