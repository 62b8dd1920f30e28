"""A group room: every participant receives every other participant's tracks."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiortc.sdp import candidate_from_sdp

from .active_speaker import ActiveSpeakerDetector
from .config import MediaSettings
from .errors import (
    InvalidCandidateError,
    InvalidParticipantIdError,
    MediaError,
    NegotiationCollisionError,
    RoomClosedError,
    UnknownParticipantError,
)
from .participant import Participant
from .publication import Publication
from .sdp_checks import ice_ufrag, parse_sdp
from .slot import SlotState
from .stats import PublicationStats, RoomStats, SubscriptionStats

logger = logging.getLogger(__name__)

# RFC 4566 token characters: the id becomes the msid stream id of its tracks.
_PARTICIPANT_ID = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,64}")
KINDS = ("audio", "video")

OnOffer = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class TrackInfo:
    """What a subscriber's m-line carries: the browser sees the same
    ``publisher_id`` as the stream id of the track (``event.streams[0].id``)."""

    mid: str
    publisher_id: str
    kind: str


class MediaRoom:
    def __init__(
        self,
        room_id: str,
        *,
        on_offer: OnOffer,
        on_active_speaker: Callable[[str | None], None] | None = None,
        on_connection_state: Callable[[str, str], None] | None = None,
        on_error: Callable[[str, MediaError], None] | None = None,
        settings: MediaSettings | None = None,
    ) -> None:
        self.room_id = room_id
        self._on_offer = on_offer
        self._on_active_speaker = on_active_speaker
        self._on_connection_state = on_connection_state
        self._on_error = on_error
        self._settings = settings or MediaSettings()
        self._participants: dict[str, Participant] = {}
        self._detector = ActiveSpeakerDetector(self._settings.speaker)
        self._speaker_task: asyncio.Task[None] | None = None
        self._closing: asyncio.Future[None] | None = None

    def __repr__(self) -> str:
        return f"MediaRoom({self.room_id})"

    @property
    def participants(self) -> tuple[str, ...]:
        return tuple(self._participants)

    @property
    def active_speaker(self) -> str | None:
        return self._detector.speaker

    async def handle_offer(self, participant_id: str, offer_sdp: str) -> str:
        """Apply a client's offer (it publishes its tracks); return our answer."""
        self._check_open()
        _check_id(participant_id)
        description = parse_sdp(offer_sdp, "offer")
        participant = self._participants.get(participant_id)
        if participant is not None and participant.ice_ufrag != ice_ufrag(description):
            logger.info("%r: %s reconnected with a new peer connection", self, participant_id)
            await self.remove(participant_id)
            participant = None
        if participant is None:
            return await self._join(participant_id, description, offer_sdp)
        if participant.negotiator.offer_pending:
            raise NegotiationCollisionError(f"an offer to {participant_id} awaits its answer")
        async with participant.negotiator.lock:
            return await participant.accept_offer(description, offer_sdp)

    async def handle_answer(self, participant_id: str, answer_sdp: str) -> None:
        """Apply a client's answer to the offer last sent through ``on_offer``."""
        await self._get(participant_id).negotiator.handle_answer(answer_sdp)

    async def add_ice_candidate(self, participant_id: str, candidate: dict[str, Any] | None) -> None:
        """Add a trickled browser candidate ``{candidate, sdpMid, sdpMLineIndex}``.

        Unknown participants are ignored: candidates may trail a removal.
        """
        participant = self._participants.get(participant_id)
        if participant is None or participant.pc.remoteDescription is None:
            return
        await participant.pc.addIceCandidate(_parse_candidate(candidate))

    def set_paused(self, participant_id: str, kind: str, paused: bool) -> None:
        """Stop (or resume) forwarding the participant's ``kind`` tracks."""
        if kind not in KINDS:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        for publication in self._get(participant_id).publications.values():
            if publication.kind == kind:
                publication.set_paused(paused)

    def set_receiving(self, participant_id: str, kind: str, receiving: bool) -> None:
        """Stop (or resume) forwarding ``kind`` to the participant, e.g. video while they chose
        audio only; resuming starts from a keyframe."""
        if kind not in KINDS:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        self._get(participant_id).slots.set_receiving(kind, receiving)

    def track_map(self, participant_id: str) -> dict[str, TrackInfo]:
        """Mid -> publisher of every m-line the participant receives."""
        table = {}
        for slot in self._get(participant_id).slots:
            if slot.mid and slot.publication and slot.state in (SlotState.OFFERING, SlotState.ACTIVE):
                table[slot.mid] = TrackInfo(slot.mid, slot.publication.publisher_id, slot.kind)
        return table

    async def remove(self, participant_id: str) -> None:
        """Close the participant's peer connection and stop forwarding its
        tracks to the others; idempotent."""
        participant = self._detach(participant_id)
        if participant is not None:
            await participant.close()

    def _detach(self, participant_id: str) -> Participant | None:
        participant = self._participants.pop(participant_id, None)
        if participant is None:
            return None
        logger.info("%r: %s leaves", self, participant_id)
        self._detector.forget(participant_id)
        for other in self._participants.values():
            for publication in participant.publications.values():
                other.unsubscribe(publication)
        return participant

    async def close(self) -> None:
        """Remove everyone and stop the room's own task; idempotent."""
        if self._closing is not None:
            await self._closing
            return
        self._closing = asyncio.get_running_loop().create_future()
        if self._speaker_task is not None:
            self._speaker_task.cancel()
            await asyncio.gather(self._speaker_task, return_exceptions=True)
        for participant in self._participants.values():
            await participant.negotiator.close()  # no renegotiation while emptying
        leaving = [self._detach(participant_id) for participant_id in list(self._participants)]
        await asyncio.gather(*(participant.close() for participant in leaving if participant is not None))
        self._closing.set_result(None)

    def stats(self) -> RoomStats:
        participants = list(self._participants.values())
        return RoomStats(
            room_id=self.room_id,
            participants=tuple(p.id for p in participants),
            publications=tuple(_publication_stats(pub) for p in participants for pub in p.publications.values()),
            subscriptions=tuple(s for p in participants for s in _subscription_stats(p)),
        )

    async def _join(self, participant_id: str, description: Any, offer_sdp: str) -> str:
        participant = Participant(
            participant_id,
            self._settings,
            send_offer=self._send_offer,
            on_publication=self._on_publication,
            on_audio_level=self._on_audio_level,
            on_failure=self._on_failure,
            on_connection_state=self._connection_state,
        )
        self._participants[participant_id] = participant
        self._start_speaker_task()
        try:
            async with participant.negotiator.lock:
                answer = await participant.accept_offer(description, offer_sdp)
        except BaseException:
            await self.remove(participant_id)
            raise
        for other in list(self._participants.values()):
            if other is not participant:
                for publication in other.publications.values():
                    participant.subscribe(publication)
        logger.info("%r: %s joined", self, participant_id)
        return answer

    def _on_publication(self, publisher: Participant, publication: Publication) -> None:
        logger.info("%r: %s publishes %s", self, publisher.id, publication.kind)
        for other in self._participants.values():
            if other is not publisher:
                other.subscribe(publication)

    async def _send_offer(self, participant_id: str, sdp: str) -> None:
        await self._on_offer(participant_id, sdp)

    def _on_audio_level(self, participant_id: str, level: int | None) -> None:
        self._detector.observe(participant_id, level, time.monotonic())

    def _on_failure(self, participant_id: str, error: MediaError) -> None:
        logger.warning("%r: %s failed: %s", self, participant_id, error)
        if self._on_error is not None:
            self._on_error(participant_id, error)

    def _connection_state(self, participant_id: str, state: str) -> None:
        if self._on_connection_state is not None:
            self._on_connection_state(participant_id, state)

    def _start_speaker_task(self) -> None:
        if self._speaker_task is None:
            self._speaker_task = asyncio.ensure_future(self._run_speaker_detection())

    async def _run_speaker_detection(self) -> None:
        while True:
            await asyncio.sleep(self._settings.speaker_interval)
            if self._detector.update(time.monotonic()) and self._on_active_speaker is not None:
                try:
                    self._on_active_speaker(self._detector.speaker)
                except Exception:
                    logger.exception("%r: on_active_speaker failed", self)

    def _get(self, participant_id: str) -> Participant:
        participant = self._participants.get(participant_id)
        if participant is None:
            raise UnknownParticipantError(f"{participant_id!r} is not in room {self.room_id!r}")
        return participant

    def _check_open(self) -> None:
        if self._closing is not None:
            raise RoomClosedError(f"room {self.room_id!r} is closed")


def _check_id(participant_id: str) -> None:
    if not isinstance(participant_id, str) or not _PARTICIPANT_ID.fullmatch(participant_id):
        raise InvalidParticipantIdError("participant ids are 1-64 SDP token characters")


def _parse_candidate(candidate: dict[str, Any] | None) -> Any:
    if not candidate or not candidate.get("candidate"):
        return None  # end of candidates
    try:
        text = candidate["candidate"]
        parsed = candidate_from_sdp(text.split(":", 1)[1] if text.startswith("candidate:") else text)
    except (AssertionError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidCandidateError(f"unparsable candidate: {exc}") from None
    parsed.sdpMid = candidate.get("sdpMid")
    parsed.sdpMLineIndex = candidate.get("sdpMLineIndex")
    if parsed.sdpMid is None and parsed.sdpMLineIndex is None:
        raise InvalidCandidateError("candidate needs sdpMid or sdpMLineIndex")
    return parsed


def _publication_stats(publication: Publication) -> PublicationStats:
    return PublicationStats(
        publisher_id=publication.publisher_id,
        kind=publication.kind,
        codec=publication.codec,
        frames_received=publication.frames,
        keyframes_received=publication.keyframes,
        bytes_received=publication.bytes,
        incomplete_frames=publication.incomplete_frames,
        keyframe_requests_sent=publication.keyframe_requests_sent,
        paused=publication.paused,
    )


def _subscription_stats(participant: Participant) -> list[SubscriptionStats]:
    stats = []
    for slot in participant.slots:
        if slot.publication is None:
            continue
        counters = slot.track.counters()
        stats.append(
            SubscriptionStats(
                subscriber_id=participant.id,
                publisher_id=slot.publication.publisher_id,
                kind=slot.kind,
                mid=slot.mid,
                forwarded=counters.forwarded,
                dropped=counters.dropped,
                gated=counters.gated,
                overflows=counters.overflows,
                keyframe_requests=slot.track.keyframe_requests,
            )
        )
    return stats
