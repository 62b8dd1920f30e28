"""What a load test keeps of each participant and reports while it runs: plain values that cross from a
load-generating process to the one that reports (pickled), with times on the system-wide monotonic clock."""

from __future__ import annotations

from dataclasses import dataclass

from .received_video import VideoStream


@dataclass(frozen=True)
class ParticipantRecord:
    measured: bool  # a client (the tool's own hosts only count their errors)
    started_at: float | None
    joined_at: float | None
    first_frame_at: float | None
    streams: tuple[VideoStream, ...]
    errors: tuple[str, ...]

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.streams)


@dataclass(frozen=True)
class Progress:
    """Running counts of one group of participants."""

    clients: int = 0
    joined: int = 0
    frames: int = 0
    errors: int = 0

    def __add__(self, other: Progress) -> Progress:
        return Progress(self.clients + other.clients, self.joined + other.joined, self.frames + other.frames,
                        self.errors + other.errors)
