"""What a load test measured, from its participants: joins per second, time to the first received frame
(p50/p95), frames per second received per stream, and errors — printed with the machine's load average."""

from __future__ import annotations

import math
import os
import statistics
from collections import Counter
from dataclasses import dataclass

from .records import ParticipantRecord

SHOWN_ERRORS = 5
SATURATED_CORES = 0.9  # per process: one event loop (codecs release the GIL, so a little more is possible)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class Summary:
    participants: int
    joined: int
    join_seconds: float  # from the first participant's start to the last one in the room
    first_frame_ms: list[float]
    stream_fps: list[float]
    frames_per_second: float  # every participant's received video frames over the measured window
    errors: Counter[str]
    tool_cores: float  # CPU of the load-generating processes (all their threads) over the run, in cores
    processes: int

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def lines(self, camera_fps: int) -> list[str]:
        joins_per_second = self.joined / self.join_seconds if self.join_seconds > 0 else float(self.joined)
        lines = [(f"joins: {self.joined}/{self.participants} in {self.join_seconds:.2f} s "
                  f"({joins_per_second:.1f} joins/s)")]
        if self.first_frame_ms:
            lines.append(f"first frame: p50 {percentile(self.first_frame_ms, 0.5):.0f} ms, "
                         f"p95 {percentile(self.first_frame_ms, 0.95):.0f} ms "
                         f"({len(self.first_frame_ms)} of {self.participants} participants received video)")
        else:
            lines.append(f"first frame: none (0 of {self.participants} participants received video)")
        if self.stream_fps:
            lines.append(f"fps received: {statistics.median(self.stream_fps):.1f} per stream median "
                         f"(min {min(self.stream_fps):.1f}; camera {camera_fps}) over {len(self.stream_fps)} streams, "
                         f"{self.frames_per_second:.0f} frames/s in all")
        else:
            lines.append("fps received: no video streams")
        tool = f"load tester: {self.tool_cores:.2f} cores busy in {self.processes} process(es)"
        if self.tool_cores >= SATURATED_CORES * self.processes:
            tool += " (saturated: its own encoding and decoding may limit the fps received; see --processes)"
        lines.append(tool)
        lines.append(f"errors: {self.error_count}")
        lines += [f"  {count}× {message}" for message, count in self.errors.most_common(SHOWN_ERRORS)]
        return lines


def summarize(records: list[ParticipantRecord], ended_at: float, tool_cores: float, processes: int) -> Summary:
    """Clients are measured; the tool's hosts only have their errors counted. Streams that started less
    than a second before ``ended_at`` are too short to give a rate."""
    clients = [r for r in records if r.measured]
    started = [r.started_at for r in clients if r.started_at is not None]
    joined = [r.joined_at for r in clients if r.joined_at is not None]
    first = [(r.first_frame_at - r.started_at) * 1000 for r in clients
             if r.first_frame_at is not None and r.started_at is not None]
    streams = [s for r in clients for s in r.streams if ended_at - s.first_at >= 1.0]
    window = ended_at - min(started, default=ended_at)
    errors = Counter(message for r in records for message in r.errors)
    errors.update("did not join within the run" for r in clients if r.joined_at is None and not r.errors)
    return Summary(
        participants=len(clients), joined=len(joined),
        join_seconds=max(joined) - min(started) if joined else 0.0, first_frame_ms=first,
        stream_fps=[s.fps_until(ended_at) for s in streams],
        frames_per_second=sum(r.frames for r in clients) / window if window > 0 else 0.0,
        errors=errors, tool_cores=tool_cores, processes=processes)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"
