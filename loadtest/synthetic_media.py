"""What a synthetic participant sends and how it takes what it receives.

* :class:`LiveMedia` (the default): a painted camera encoded live and a tone, like a browser; every
  received video frame is decrypted, depacketised and decoded (aiortc's receive path).
* :class:`LightMedia` (``--light``): a pre-encoded clip of the same size and rate and pre-encoded Opus
  (``loadtest.clips``: no encoder), and received frames counted from RTP headers
  (``loadtest.header_counter``: nothing decrypted or decoded) — as LiveKit's load tester does, so one
  machine stands in for several times as many participants. What it cannot tell is that the frames
  decode; run a few participants without ``--light`` for that.
"""

from __future__ import annotations

from collections.abc import Callable

from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from .camera import PatternTrack
from .clips import ClipTrack, VoiceTrack, bitrate_for, encode_clip, encode_voice
from .header_counter import HeaderCounter
from .options import VideoFormat

VideoCounter = Callable[[str, float], None]  # (stream, monotonic time): one received video frame


class LiveMedia:
    counts_headers = False

    def __init__(self, video: VideoFormat) -> None:
        self._video = video

    def add_to(self, pc: RTCPeerConnection) -> None:
        pc.addTrack(PatternTrack(self._video.width, self._video.height, self._video.fps))
        pc.addTrack(AudioStreamTrack())

    def count(self, pc: RTCPeerConnection, on_video: VideoCounter, stream: str | None = None) -> HeaderCounter | None:
        return None


class LightMedia:
    counts_headers = True

    def __init__(self, video: VideoFormat) -> None:
        self._fps = video.fps
        self._clip = encode_clip(video.width, video.height, bitrate_for(video.width, video.height), video.fps)
        self._voice = encode_voice()

    def add_to(self, pc: RTCPeerConnection) -> None:
        pc.addTrack(VoiceTrack(self._voice))
        camera = ClipTrack(self._clip, self._fps)
        camera.answer_keyframe_requests(pc.addTrack(camera))

    def count(self, pc: RTCPeerConnection, on_video: VideoCounter, stream: str | None = None) -> HeaderCounter:
        """Count ``pc``'s received video frames from then on (after ``setLocalDescription``), each under its
        publisher's stream id, or all under ``stream``; :meth:`HeaderCounter.learn` each remote description."""
        def counted(publisher: str, kind: str, at: float) -> None:
            if kind == "video":
                on_video(stream or publisher, at)
        return HeaderCounter(pc, counted)


SyntheticMedia = LiveMedia | LightMedia


def synthetic_media(video: VideoFormat, light: bool) -> SyntheticMedia:
    return LightMedia(video) if light else LiveMedia(video)
