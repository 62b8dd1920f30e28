"""What can go wrong in a load test, named."""

from __future__ import annotations


class InvalidOptionsError(ValueError):
    """The options cannot describe a load test (no source of participants, a bad size, …)."""


class ApiError(RuntimeError):
    """The server answered a REST call with an unexpected status."""

    def __init__(self, method: str, path: str, status: int, body: object) -> None:
        code = body.get("code") if isinstance(body, dict) else None
        title = body.get("title") if isinstance(body, dict) else None  # the server's words (problem+json)
        said = ": ".join(str(part) for part in (code, title) if part)
        super().__init__(f"{method} {path} answered {status}" + (f" ({said})" if said else ""))
        self.status = status


class SetupError(RuntimeError):
    """The run could not be set up within its duration (the sessions it makes, with their clients)."""


class ParticipantError(RuntimeError):
    """A synthetic participant could not join or keep its call (refused, timed out, disconnected)."""
