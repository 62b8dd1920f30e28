"""A subscriber's m-lines ("slots") and their negotiation states.

A slot is one sendonly transceiver towards a subscriber with its
:class:`ForwardingTrack`. Slots are recycled: when a publisher leaves, its
slot is negotiated ``inactive`` and later reused for a newcomer of the same
kind, so churn does not grow the SDP. States::

    PENDING -> OFFERING -> ACTIVE -> RELEASING -> DEACTIVATING -> FREE -> PENDING

A slot is only reused once ``inactive`` has been negotiated, so a browser sees
every reuse as a new ``track`` event with the new publisher's stream id.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from aiortc import RTCPeerConnection, RTCRtpTransceiver

from . import aiortc_internals
from .codec_inspect import codec_preferences
from .forwarding_sender import ForwardingSender
from .forwarding_track import ForwardingTrack
from .keyframe_bridge import route_keyframe_requests
from .publication import Publication

logger = logging.getLogger(__name__)


class SlotState(enum.Enum):
    PENDING = "pending"
    OFFERING = "offering"
    ACTIVE = "active"
    RELEASING = "releasing"
    DEACTIVATING = "deactivating"
    FREE = "free"


@dataclass(eq=False)
class Slot:
    kind: str
    track: ForwardingTrack
    state: SlotState = SlotState.PENDING
    publication: Publication | None = None
    transceiver: RTCRtpTransceiver | None = None
    cancelled: bool = False  # unsubscribed while its offer was in flight
    sender: ForwardingSender | None = None

    @property
    def mid(self) -> str | None:
        return self.transceiver.mid if self.transceiver else None


class SlotTable:
    """All slots of one subscriber; the one place their states change."""

    def __init__(self, subscriber_id: str, capacities: dict[str, int], codecs: dict[str, str]) -> None:
        self._subscriber_id = subscriber_id
        self._capacities = capacities
        self._codecs = codecs
        self._slots: list[Slot] = []
        self._receiving = {"audio": True, "video": True}

    def __iter__(self):
        return iter(list(self._slots))

    def subscribe(self, publication: Publication) -> bool:
        """Plan a slot for ``publication``; True if a negotiation is needed."""
        existing = self._find(publication)
        if existing is not None:
            existing.cancelled = False
            return False
        slot = next((s for s in self._slots if s.kind == publication.kind and s.state is SlotState.FREE), None)
        if slot is None:
            slot = Slot(publication.kind, ForwardingTrack(publication.kind, self._capacities[publication.kind]))
            self._slots.append(slot)
        slot.publication = publication
        slot.track.set_receiving(self._receiving[slot.kind])
        self._set_state(slot, SlotState.PENDING)
        return True

    def set_receiving(self, kind: str, receiving: bool) -> None:
        """Forward ``kind`` to this subscriber or not (now and for later subscriptions)."""
        self._receiving[kind] = receiving
        for slot in self._slots:
            if slot.kind == kind:
                slot.track.set_receiving(receiving)

    def unsubscribe(self, publication: Publication) -> bool:
        """Stop forwarding ``publication`` now; True if a negotiation is needed."""
        slot = self._find(publication)
        if slot is None:
            return False
        publication.detach(slot.track)
        if slot.state is SlotState.OFFERING:
            slot.cancelled = True
            return False
        slot.publication = None
        if slot.state is SlotState.PENDING:
            return self._drop_pending(slot)
        self._set_state(slot, SlotState.RELEASING)
        return True

    def prepare_offer(self, pc: RTCPeerConnection) -> bool:
        """Configure transceivers for the next offer; True if anything changed."""
        changed = False
        for slot in self._slots:
            if slot.state is SlotState.PENDING:
                self._offer_send(pc, slot)
                changed = True
            elif slot.state is SlotState.RELEASING:
                slot.transceiver.direction = "inactive"
                self._set_state(slot, SlotState.DEACTIVATING)
                changed = True
        return changed

    def commit_answer(self) -> bool:
        """Apply the accepted answer; True if another negotiation is needed."""
        again = False
        for slot in self._slots:
            if slot.state is SlotState.OFFERING:
                again |= self._activate(slot)
            elif slot.state is SlotState.DEACTIVATING:
                self._set_state(slot, SlotState.FREE)
        return again

    def close(self) -> None:
        for slot in self._slots:
            if slot.publication is not None:
                slot.publication.detach(slot.track)
            slot.track.stop()

    def _offer_send(self, pc: RTCPeerConnection, slot: Slot) -> None:
        if slot.transceiver is None:
            slot.transceiver = pc.addTransceiver(slot.track, direction="sendonly")
            slot.transceiver.setCodecPreferences(codec_preferences(slot.kind, self._codecs[slot.kind]))
            track = slot.track
            slot.sender = ForwardingSender(slot.transceiver.sender, track)
            route_keyframe_requests(slot.transceiver.sender, lambda: track.request_keyframe("subscriber PLI/FIR"))
        else:
            slot.transceiver.direction = "sendonly"
        aiortc_internals.set_stream_id(slot.transceiver.sender, slot.publication.publisher_id)
        self._set_state(slot, SlotState.OFFERING)

    def _activate(self, slot: Slot) -> bool:
        publication, cancelled = slot.publication, slot.cancelled
        slot.cancelled = False
        if publication is None or publication.closed or cancelled:
            slot.publication = None
            self._set_state(slot, SlotState.RELEASING)
            return True
        publication.attach(slot.track)
        self._set_state(slot, SlotState.ACTIVE)
        return False

    def _drop_pending(self, slot: Slot) -> bool:
        if slot.transceiver is None:
            self._slots.remove(slot)
            slot.track.stop()
        else:
            self._set_state(slot, SlotState.FREE)
        return False

    def _find(self, publication: Publication) -> Slot | None:
        return next((s for s in self._slots if s.publication is publication), None)

    def _set_state(self, slot: Slot, state: SlotState) -> None:
        logger.debug(
            "slot %s of %s (%s): %s -> %s",
            slot.mid, self._subscriber_id, slot.kind, slot.state.value, state.value,
        )
        slot.state = state
