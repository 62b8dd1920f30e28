"""One track a participant publishes, fanned out to forwarding tracks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import RTCRtpReceiver

from .encoded_frame import EncodedFrame
from .fanout_group import fan_out
from .forwarding_track import ForwardingTrack
from .keyframe_bridge import KeyframeBridge
from .receiver_tap import ReceiverTap

logger = logging.getLogger(__name__)

AudioLevelSink = Callable[[str, "int | None"], None]


@dataclass
class _Counters:
    frames: int = 0
    keyframes: int = 0
    bytes: int = 0
    incomplete: int = 0
    codec: str = ""
    subscribers: set[ForwardingTrack] = field(default_factory=set)


class Publication:
    def __init__(
        self,
        publisher_id: str,
        kind: str,
        receiver: RTCRtpReceiver,
        keyframe_min_interval: float,
        on_audio_level: AudioLevelSink,
    ) -> None:
        self.publisher_id = publisher_id
        self.kind = kind
        self._on_audio_level = on_audio_level
        self._paused = False
        self._closed = False
        self._state = _Counters()
        self._tap = ReceiverTap(receiver, kind, self._on_frame)
        self._bridge = KeyframeBridge(self._tap.request_keyframe, keyframe_min_interval)

    def __repr__(self) -> str:
        return f"Publication({self.publisher_id}, {self.kind})"

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def frames(self) -> int:
        return self._state.frames

    @property
    def keyframes(self) -> int:
        return self._state.keyframes

    @property
    def incomplete_frames(self) -> int:
        return self._state.incomplete

    @property
    def codec(self) -> str:
        return self._state.codec

    @property
    def bytes(self) -> int:
        return self._state.bytes

    @property
    def keyframe_requests_sent(self) -> int:
        return self._bridge.sent

    def attach(self, track: ForwardingTrack) -> None:
        if self._closed:
            return
        track.switch_source(self.request_keyframe)
        self._state.subscribers.add(track)
        self.request_keyframe("new subscriber")

    def detach(self, track: ForwardingTrack) -> None:
        if track in self._state.subscribers:
            self._state.subscribers.discard(track)
            track.switch_source(None)

    def request_keyframe(self, reason: str) -> None:
        if self.kind == "video":
            self._bridge.request(reason)

    def set_paused(self, paused: bool) -> None:
        if paused == self._paused:
            return
        logger.info("%r paused %s -> %s", self, self._paused, paused)
        self._paused = paused
        if not paused:
            for track in self._state.subscribers:
                track.gate()
            self.request_keyframe("unpaused")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for track in list(self._state.subscribers):
            self.detach(track)
        self._tap.close()
        await self._bridge.close()

    def _on_incomplete(self) -> None:
        """Upstream loss left a broken frame: skip to the next keyframe."""
        self._state.incomplete += 1
        for track in self._state.subscribers:
            track.gate()
        self.request_keyframe("incomplete frame from publisher")

    def _on_frame(self, frame: EncodedFrame) -> None:
        state = self._state
        state.frames += 1
        state.bytes += len(frame.data)
        state.codec = frame.codec
        if not frame.complete:
            self._on_incomplete()
            return
        if frame.keyframe and self.kind == "video":
            state.keyframes += 1
            self._bridge.keyframe_received()
        if self._paused or self._closed:
            return
        if self.kind == "audio":
            self._on_audio_level(self.publisher_id, frame.audio_level)
        fan_out(frame, state.subscribers)  # one C call for every subscriber ready for it
