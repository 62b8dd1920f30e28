"""Errors raised by the media package, named after what went wrong.

The signalling layer maps them to Socket.IO error acks by ``code``; clients get
the ``code`` and message, never a stack trace.
"""


class MediaError(Exception):
    """Base class of every error media/ raises on purpose."""

    code = "media_error"


class RoomClosedError(MediaError):
    code = "room_closed"


class UnknownParticipantError(MediaError):
    code = "unknown_participant"


class InvalidParticipantIdError(MediaError):
    code = "invalid_participant_id"


class InvalidSdpError(MediaError):
    code = "invalid_sdp"


class InvalidCandidateError(MediaError):
    code = "invalid_candidate"


class UnsupportedCodecError(MediaError):
    """The offer has no codec the SFU forwards (VP8 for video, Opus for audio)."""

    code = "unsupported_codec"


class NegotiationCollisionError(MediaError):
    """The client offered while a server offer to it awaits an answer.

    The client should roll back its offer, answer the server's, then re-offer.
    """

    code = "negotiation_collision"


class NoPendingOfferError(MediaError):
    """An answer arrived but no server offer to that participant is outstanding."""

    code = "no_pending_offer"


class NegotiationTimeoutError(MediaError):
    """A participant did not answer a server offer in time; its peer is unusable."""

    code = "negotiation_timeout"


class AiortcContractError(MediaError):
    """An aiortc internal the SFU relies on has changed (see aiortc_internals)."""

    code = "aiortc_contract_broken"


class MediaWorkerLostError(MediaError):
    """The media worker process that held the room ended (killed, crashed): the room is rebuilt on
    another worker when its members offer again."""

    code = "media_worker_lost"


class MediaUnavailableError(MediaError):
    """No media worker process is ready to take a room (all starting or restarting)."""

    code = "media_unavailable"
