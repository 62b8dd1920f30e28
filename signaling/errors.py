"""Signalling errors: each has a stable code; the namespace turns them into error acks
(``{"ok": false, "error": {"code", "message"}}``) or connection refusals."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from handoff.errors import DomainError, ErrorKind

# Outages of the shared live state: answered as "unavailable" (try again shortly), never as a bug
OUTAGES = (RedisConnectionError, RedisTimeoutError)


class SignalingError(DomainError):
    kind = ErrorKind.INVALID
    code = "signaling_error"
    message = "That could not be done."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        super().__init__(self.message)

    def as_payload(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class LiveStateUnavailable(SignalingError):
    """The shared live state (Redis) cannot be reached: nothing was done; trying again shortly will work."""

    kind = ErrorKind.UNAVAILABLE
    code = "live_state_unavailable"
    message = "We are having trouble reaching part of our service. Please wait a few seconds; we will keep trying."


class AuthRequired(SignalingError):
    code = "auth_required"
    message = "No sign-in token was given."


class AuthFailed(SignalingError):
    code = "auth_failed"
    message = "Your link or sign-in is not valid any more. Please open your link again."


class MalformedPayload(SignalingError):
    code = "malformed_payload"
    message = "The message was not understood."


class UnknownEvent(SignalingError):
    code = "unknown_event"
    message = "Unknown event."


class NotPermitted(SignalingError):
    code = "not_permitted"
    message = "You are not allowed to do that."


class NotJoined(SignalingError):
    code = "not_joined"
    message = "Join the session first."


class NotAdmitted(SignalingError):
    code = "not_admitted"
    message = "You are still in the waiting room."


class UnknownParticipant(SignalingError):
    code = "unknown_participant"
    message = "That person is not in this session."


class RoomFull(SignalingError):
    code = "room_full"
    message = "The session is full."


class RoomLocked(SignalingError):
    code = "room_locked"
    message = "The session is locked. Unlock it to let people in."


class RateLimited(SignalingError):
    code = "rate_limited"
    message = "Too many messages; slow down."


class SessionClosed(SignalingError):
    code = "session_ended"
    message = "This session has ended."


class NotWaiting(SignalingError):
    code = "not_waiting"
    message = "That person is not in the waiting room."


class NotGroupSession(SignalingError):
    code = "not_group_session"
    message = "This session's media is peer-to-peer; use `signal`."
