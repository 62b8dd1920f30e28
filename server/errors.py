"""Errors of the server's features. Each has a stable ``code`` and a ``kind``; the edges map kinds once
(``server.http.problems`` for HTTP, the signalling namespace for socket acks)."""

from __future__ import annotations

from handoff.errors import DomainError, ErrorKind


class SteadylineError(DomainError):
    code = "internal_error"
    message = "Something went wrong on our side. Please try again."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        super().__init__(self.message)


class InvalidInput(SteadylineError):
    kind = ErrorKind.INVALID
    code = "invalid_input"
    message = "The request is not valid."

    def __init__(self, message: str | None = None, *, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class Unauthorized(SteadylineError):
    kind = ErrorKind.UNAUTHORIZED
    code = "unauthorized"
    message = "Please sign in."


class BadCredentials(Unauthorized):
    code = "bad_credentials"
    message = "That email and password do not match."


class Forbidden(SteadylineError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"
    message = "You are not allowed to do that."


class NotCareTeam(Forbidden):
    """A therapist of the program who is not on this client's care team (their own therapist, or leading or
    co-hosting a session they are in): admins may, colleagues may not."""

    code = "not_care_team"
    message = "Only this client's care team can do that."


class NotFound(SteadylineError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    message = "Not found."


class CrisisNotFound(NotFound):
    """An unknown crisis id and another program's crisis get this same answer (no oracle)."""

    code = "crisis_not_found"
    message = "crisis not found"


class StaffOnly(Forbidden):
    """A valid participant token (a join or responder link's) sent to a staff endpoint: signing in
    again would not help, so this is 403, not 401."""

    code = "staff_only"
    message = "This is for program staff. A join link or responder link does not give access to it."


class LinkInvalid(SteadylineError):
    """Expired, used, revoked and unknown links all get this same answer."""

    kind = ErrorKind.GONE
    code = "link_invalid"
    message = (
        "This link can't be used. It may have expired, been replaced, or its session may have ended. "
        "Please ask your therapist or program for a new link."
    )


class Conflict(SteadylineError):
    kind = ErrorKind.CONFLICT
    code = "conflict"
    message = "That conflicts with the current state."


class SessionEnded(Conflict):
    code = "session_ended"
    message = "This session has ended."


class LiveStateUnavailable(SteadylineError):
    """Redis, which holds who is connected where and the shared limits, cannot be reached."""

    kind = ErrorKind.UNAVAILABLE
    code = "live_state_unavailable"
    message = "We are having trouble reaching part of our service. Please try again in a few seconds."


class RateLimited(SteadylineError):
    kind = ErrorKind.RATE_LIMITED
    code = "rate_limited"
    message = "Too many attempts. Please wait a minute and try again."
