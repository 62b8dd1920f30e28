"""One participant: its peer connection, what it publishes, what it receives."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
)
from aiortc import sdp as aiortc_sdp
from aiortc.exceptions import OperationError

from .config import MediaSettings
from .header_extensions import extension_ids, renumber, without_bandwidth_feedback
from .payload_types import payload_types, renumber_payload_types
from .errors import MediaError, UnsupportedCodecError
from .negotiator import Negotiator
from .publication import AudioLevelSink, Publication
from .sdp_checks import ice_ufrag, media_kinds
from .codec_inspect import codec_preferences
from .slot import SlotTable

logger = logging.getLogger(__name__)


class Participant:
    def __init__(
        self,
        participant_id: str,
        settings: MediaSettings,
        *,
        send_offer: Callable[[str, str], Awaitable[None]],
        on_publication: Callable[["Participant", Publication], None],
        on_audio_level: AudioLevelSink,
        on_failure: Callable[[str, MediaError], None],
        on_connection_state: Callable[[str, str], None],
    ) -> None:
        self.id = participant_id
        self._settings = settings
        self._on_publication = on_publication
        self._on_audio_level = on_audio_level
        self._on_connection_state = on_connection_state
        self.publications: dict[str, Publication] = {}
        self.ice_ufrag: str | None = None
        self.pc = RTCPeerConnection(
            RTCConfiguration(iceServers=list(settings.ice_servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self.slots = SlotTable(participant_id, settings.queue_capacities, settings.codecs)
        self._extension_ids: dict[str, int] = {}
        self._payload_types: dict[tuple, int] = {}
        self.negotiator = Negotiator(
            participant_id,
            self.pc,
            send_offer=lambda pid, sdp: send_offer(pid, self._in_their_numbering(sdp)),
            prepare=lambda: self.slots.prepare_offer(self.pc),
            commit=self.slots.commit_answer,
            on_failure=lambda error: on_failure(participant_id, error),
            answer_timeout=settings.answer_timeout,
        )
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)

    def __repr__(self) -> str:
        return f"Participant({self.id})"

    async def accept_offer(self, description: aiortc_sdp.SessionDescription, sdp: str) -> str:
        """Apply the client's offer and return our answer (caller holds the lock)."""
        self._prepare_receivers(description)
        self._extension_ids = extension_ids(sdp) or self._extension_ids
        self._payload_types = payload_types(sdp) or self._payload_types
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        except OperationError as exc:
            raise UnsupportedCodecError(str(exc)) from None
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.ice_ufrag = ice_ufrag(description)
        return self.pc.localDescription.sdp

    def _in_their_numbering(self, sdp: str) -> str:
        """Our offer with the participant's header-extension ids and payload types: a browser
        refuses changed extension ids, and would switch its published tracks to our payload
        types, which aiortc's already started receivers drop (see media/payload_types.py).
        Bandwidth-estimation feedback is left out (see :func:`without_bandwidth_feedback`)."""
        sdp = without_bandwidth_feedback(renumber(sdp, self._extension_ids))
        return renumber_payload_types(sdp, self._payload_types)

    def subscribe(self, publication: Publication) -> None:
        if self.slots.subscribe(publication):
            self.negotiator.request()

    def unsubscribe(self, publication: Publication) -> None:
        if self.slots.unsubscribe(publication):
            self.negotiator.request()

    async def close(self) -> None:
        await self.negotiator.close()
        self.slots.close()
        for publication in self.publications.values():
            await publication.close()
        await self.pc.close()

    def _prepare_receivers(self, description: aiortc_sdp.SessionDescription) -> None:
        """Pre-create recvonly transceivers for new m-lines, limited to our codecs.

        aiortc matches an offered m-line to the first transceiver of its kind
        without a mid, so preferences set here shape the answer.
        """
        known = {t.mid for t in self.pc.getTransceivers()}
        for mid, kind in media_kinds(description):
            if mid not in known:
                transceiver = self.pc.addTransceiver(kind, direction="recvonly")
                transceiver.setCodecPreferences(codec_preferences(kind, self._settings.codecs[kind]))

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        publication = self._publish(transceiver.receiver, track.kind)
        self.publications[transceiver.mid] = publication
        self._on_publication(self, publication)

    def _publish(self, receiver: RTCRtpReceiver, kind: str) -> Publication:
        return Publication(self.id, kind, receiver, self._settings.keyframe_min_interval, self._on_audio_level)

    def _on_state(self) -> None:
        state = self.pc.connectionState
        logger.info("%r connection state %s", self, state)
        if state == "connected":
            # Only now has the client applied our answer (ICE needs it), and
            # only on a connected DTLS transport does aiortc start new senders.
            self.negotiator.connected.set()
        self._on_connection_state(self.id, state)
