"""A forwarded frame's fan-out to all its subscribers in one C call.

:meth:`Publication._on_frame <media.publication.Publication>` hands each frame to every
subscriber's :class:`~media.forwarding_track.ForwardingTrack` with one
:class:`FanoutBatch`. A subscriber whose sender can send at once (its loop idle, DTLS
connected, a nominated UDP pair, the C extension built, nothing queued in its transport)
prepares its packets' description as before (:class:`~media.rtp_frame.RtpFrame`: RTP header
with its own payload type, SSRC, sequence number and timestamp, its header extensions and
VP8 picture id; kept for NACKs and counted for RTCP sender reports) and, instead of sending,
adds its target to the batch (:meth:`DirectRtpPath.send_ready
<media.aiortc_internals.DirectRtpPath.send_ready>`). :meth:`FanoutBatch.flush` then makes
one ``_fanout.send_frames`` call: per subscriber, every packet written, protected with that
subscriber's libsrtp context and sent with ``sendmsg`` and UDP segmentation offload. Each
subscriber then takes its own result (datagram and byte counts for the DTLS transport's
statistics; datagrams a full socket refused go through the transport's queue, and the next
frames take the per-subscriber path until it drains).

Anything else takes the per-subscriber path, unchanged: a sender that is busy (queued
frames), not ready, or a batch of ``None`` (the pure-Python path: the extension not built,
``datagram_batch.NATIVE`` off, not Linux).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any, Protocol

from . import datagram_batch
from .rtp_frame import RtpFrame

logger = logging.getLogger(__name__)


class BatchedPath(Protocol):
    def sent(self, frame: RtpFrame, result: tuple | None) -> None: ...


class FanoutBatch:
    """The subscribers' targets of one frame, sent by :meth:`flush` in one C call."""

    __slots__ = ("_targets", "_paths")

    def __init__(self) -> None:
        self._targets: list[tuple] = []
        self._paths: list[tuple[BatchedPath, RtpFrame]] = []

    def __len__(self) -> int:
        return len(self._targets)

    def add(self, path: BatchedPath, frame: RtpFrame, target: tuple) -> None:
        self._targets.append(target)
        self._paths.append((path, frame))

    def flush(self) -> None:
        """Send every target added since the last flush; each path gets its result."""
        targets, paths = self._targets, self._paths
        if not targets:
            return
        self._targets, self._paths = [], []
        try:
            results: list[Any] = datagram_batch._fanout.send_frames(targets)
        except Exception:  # only for a bad list (per-target failures come back as None): nothing was sent
            logger.exception("fan-out of a frame to %d subscribers failed", len(targets))
            results = [None] * len(targets)
        for (path, frame), result in zip(paths, results):
            try:
                path.sent(frame, result)
            except Exception:  # one subscriber's failure never stops the others
                logger.exception("forwarding to a subscriber failed after the fan-out")


class Deliverable(Protocol):
    def deliver(self, frame: Any, batch: FanoutBatch | None = None) -> None: ...


def fan_out(frame: Any, tracks: Iterable[Deliverable]) -> None:
    """Hand ``frame`` to every track; those whose senders can send it now do so in one C call."""
    batch = new_batch()
    try:
        for track in tracks:
            track.deliver(frame, batch)
    finally:  # whoever was added is counted and kept for NACKs already: always send
        if batch is not None:
            batch.flush()


def new_batch() -> FanoutBatch | None:
    """A batch for one frame's subscribers, or None when the C path is off (then every
    subscriber sends on its own, in Python)."""
    if datagram_batch.NATIVE and sys.platform == "linux":
        return FanoutBatch()
    return None
