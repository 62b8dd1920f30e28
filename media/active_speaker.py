"""Active-speaker detection from audio levels; pure logic, injected clock.

Each audio packet is observed with its RFC 6464 level (0 dBov loudest, 127
silence). Without the header extension a packet counts as fully loud, so the
detector degrades to packet rates (useful with DTX, where silence sends few
packets). A participant's score is its mean loudness over ``window`` with
missing packets counted as silence. A challenger replaces the current speaker
once it has out-scored it by ``margin`` for ``hold`` seconds; the speaker
becomes ``None`` after ``silence`` seconds below ``threshold``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

MAX_LEVEL = 127


@dataclass(frozen=True)
class SpeakerSettings:
    window: float = 0.5
    packet_interval: float = 0.02
    threshold: float = 40.0  # mean loudness (127 - dBov level) to count as speaking
    margin: float = 8.0
    hold: float = 0.3
    silence: float = 1.5

    def __post_init__(self) -> None:
        if self.window <= 0 or self.packet_interval <= 0:
            raise ValueError("window and packet_interval must be positive")
        if self.hold < 0 or self.silence < 0 or self.margin < 0:
            raise ValueError("hold, silence and margin must not be negative")


class ActiveSpeakerDetector:
    def __init__(self, settings: SpeakerSettings = SpeakerSettings()) -> None:
        self._settings = settings
        self._samples: dict[str, deque[tuple[float, int]]] = {}
        self._speaker: str | None = None
        self._challenger: tuple[str, float] | None = None
        self._quiet_since: float | None = None

    @property
    def speaker(self) -> str | None:
        return self._speaker

    def observe(self, participant_id: str, level: int | None, now: float) -> None:
        loudness = MAX_LEVEL if level is None else MAX_LEVEL - max(0, min(MAX_LEVEL, level))
        samples = self._samples.setdefault(participant_id, deque())
        samples.append((now, loudness))
        self._trim(samples, now)

    def forget(self, participant_id: str) -> None:
        self._samples.pop(participant_id, None)
        if self._challenger and self._challenger[0] == participant_id:
            self._challenger = None
        if self._speaker == participant_id:
            self._set_speaker(None)

    def score(self, participant_id: str, now: float) -> float:
        samples = self._samples.get(participant_id)
        if not samples:
            return 0.0
        self._trim(samples, now)
        expected = self._settings.window / self._settings.packet_interval
        return sum(loudness for _, loudness in samples) / max(expected, len(samples))

    def update(self, now: float) -> bool:
        """Re-evaluate; True if the active speaker changed."""
        before = self._speaker
        scores = {pid: self.score(pid, now) for pid in self._samples}
        loudest = max(scores, key=lambda pid: (scores[pid], pid), default=None)
        self._track_silence(scores, now)
        if loudest is not None and scores[loudest] >= self._settings.threshold:
            self._challenge(loudest, scores, now)
        return self._speaker != before

    def _challenge(self, loudest: str, scores: dict[str, float], now: float) -> None:
        if loudest == self._speaker:
            self._challenger = None
            return
        current = scores.get(self._speaker, 0.0) if self._speaker else 0.0
        if self._speaker is not None and scores[loudest] < current + self._settings.margin:
            self._challenger = None
            return
        if self._challenger is None or self._challenger[0] != loudest:
            self._challenger = (loudest, now)
        if self._speaker is None or now - self._challenger[1] >= self._settings.hold:
            self._set_speaker(loudest)

    def _track_silence(self, scores: dict[str, float], now: float) -> None:
        if self._speaker is None:
            return
        if scores.get(self._speaker, 0.0) >= self._settings.threshold:
            self._quiet_since = None
            return
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since >= self._settings.silence:
            self._set_speaker(None)

    def _set_speaker(self, speaker: str | None) -> None:
        self._speaker = speaker
        self._challenger = None
        self._quiet_since = None

    def _trim(self, samples: deque[tuple[float, int]], now: float) -> None:
        horizon = now - self._settings.window
        while samples and samples[0][0] < horizon:
            samples.popleft()
