"""Settings of a media room; validated once."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiortc import RTCIceServer

from .active_speaker import SpeakerSettings


@dataclass(frozen=True)
class MediaSettings:
    """``ice_servers`` defaults to none: a server normally has a reachable
    address and aiortc would otherwise ask a public STUN server. The SFU
    forwards VP8 video and Opus audio only (what every browser sends)."""

    ice_servers: tuple[RTCIceServer, ...] = ()
    video_queue_frames: int = 30
    audio_queue_frames: int = 25
    keyframe_min_interval: float = 0.3
    answer_timeout: float = 15.0
    speaker_interval: float = 0.2
    speaker: SpeakerSettings = field(default_factory=SpeakerSettings)
    video_codec: str = "video/VP8"
    audio_codec: str = "audio/opus"

    def __post_init__(self) -> None:
        if self.video_queue_frames < 1 or self.audio_queue_frames < 1:
            raise ValueError("queue sizes must be at least 1 frame")
        if self.keyframe_min_interval < 0:
            raise ValueError("keyframe_min_interval must not be negative")
        if self.answer_timeout <= 0 or self.speaker_interval <= 0:
            raise ValueError("answer_timeout and speaker_interval must be positive")
        if self.video_codec.lower() != "video/vp8" or self.audio_codec.lower() != "audio/opus":
            raise ValueError("only video/VP8 and audio/opus are forwarded")

    @property
    def queue_capacities(self) -> dict[str, int]:
        return {"audio": self.audio_queue_frames, "video": self.video_queue_frames}

    @property
    def codecs(self) -> dict[str, str]:
        return {"audio": self.audio_codec, "video": self.video_codec}
