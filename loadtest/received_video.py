"""Video a synthetic participant receives: decoded frames counted per remote track, and when the first
arrived."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack


@dataclass
class VideoStream:
    first_at: float
    frames: int = 1

    def fps_until(self, end: float) -> float:
        """Frames per second from its first frame to ``end`` (0 for a stream that began after ``end``)."""
        return self.frames / (end - self.first_at) if end > self.first_at else 0.0


class ReceivedVideo:
    def __init__(self) -> None:
        self.streams: dict[str, VideoStream] = {}

    @property
    def first_frame_at(self) -> float | None:
        return min((s.first_at for s in self.streams.values()), default=None)

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.streams.values())

    def count(self, stream_id: str, at: float) -> None:
        """One frame of ``stream_id`` received at the monotonic time ``at``."""
        stream = self.streams.get(stream_id)
        if stream is None:
            self.streams[stream_id] = VideoStream(first_at=at)
        else:
            stream.frames += 1

    async def consume(self, track: MediaStreamTrack) -> None:
        """Decode ``track`` until it ends, counting its frames."""
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            self.count(track.id, time.monotonic())
