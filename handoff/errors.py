"""Named errors of the crisis-handoff domain.

Each error has a stable string ``code`` (safe to show to clients and to match on in the edge)
and a plain-language ``message``. ``details`` carries structured extra data (field names, row
numbers, versions) and never health information. The edge maps these to HTTP problem
responses or Socket.IO error acks; nothing here knows about either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class ErrorKind(str, Enum):
    """What kind of failure an error is: each edge maps a kind once (HTTP status, socket ack code). Shared by
    every package (``handoff`` is the one all of them may import)."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    GONE = "gone"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"


class DomainError(Exception):
    """An error a person can be told about: a stable ``code``, a plain-language ``message`` and a ``kind``."""

    kind = ErrorKind.INTERNAL
    code = "internal_error"
    message = "Something went wrong on our side. Please try again."


class HandoffError(DomainError):
    kind = ErrorKind.INVALID
    code = "handoff_error"
    message = "The crisis-handoff request could not be completed."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or type(self).message
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


# --- values -----------------------------------------------------------------------------------


class InvalidValue(HandoffError):
    """A value object was built from data that does not make sense (naive time, bad id...)."""

    code = "invalid_value"
    message = "A value is not valid."


# --- safety plans -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanIssue:
    """One problem with a safety plan: where it is and what is wrong, in plain words."""

    section: str
    problem: str
    message: str
    item: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class PlanInvalid(HandoffError):
    code = "plan_invalid"
    message = "The safety plan has some problems to fix before it can be saved."

    def __init__(self, issues: list[PlanIssue]) -> None:
        self.issues = tuple(issues)
        summary = "; ".join(i.message for i in issues[:5])
        super().__init__(
            f"{type(self).message} {summary}".strip(),
            details={"issues": [i.to_dict() for i in issues]},
        )


class TemplateInvalid(HandoffError):
    code = "plan_template_invalid"
    message = "The safety-plan template is not valid."


class TemplateMismatch(HandoffError):
    kind = ErrorKind.CONFLICT
    code = "plan_template_mismatch"
    message = "This plan was written against a different template."


class PlanVersionNotFound(HandoffError):
    kind = ErrorKind.NOT_FOUND
    code = "plan_version_not_found"
    message = "That version of the safety plan does not exist."


class PlanContactNotFound(HandoffError):
    code = "plan_contact_not_found"
    message = "That contact is not in the safety plan."


# --- consent ----------------------------------------------------------------------------------


class ConsentRequired(HandoffError):
    kind = ErrorKind.CONFLICT
    code = "consent_required"
    message = "The client has not given consent for this."


class ConsentInvalid(HandoffError):
    code = "consent_invalid"
    message = "That consent record is not valid."


class GrantNotFound(HandoffError):
    kind = ErrorKind.NOT_FOUND
    code = "consent_grant_not_found"
    message = "That consent record does not exist."


class OverrideReasonRequired(HandoffError):
    code = "override_reason_required"
    message = (
        "An emergency override needs a written reason: say what is happening and why "
        "consent cannot be asked for right now."
    )


# --- location and resources -------------------------------------------------------------------


class LocationInvalid(HandoffError):
    code = "location_invalid"
    message = "That location is not valid."


class ResourceImportFailed(HandoffError):
    code = "resource_import_failed"
    message = "Some rows of the resource file could not be read."

    def __init__(self, row_errors: list[dict[str, Any]]) -> None:
        self.row_errors = tuple(row_errors)
        first = "; ".join(f"row {e['row']}: {e['message']}" for e in row_errors[:5])
        super().__init__(f"{type(self).message} {first}".strip(), details={"rows": list(row_errors)})


# --- crisis lifecycle -------------------------------------------------------------------------


class CrisisNotFound(HandoffError):
    kind = ErrorKind.NOT_FOUND
    code = "crisis_not_found"
    message = "That crisis session does not exist."


class CrisisAlreadyExists(HandoffError):
    kind = ErrorKind.CONFLICT
    code = "crisis_already_exists"
    message = "A crisis session with that id already exists."


class IllegalTransition(HandoffError):
    code = "crisis_illegal_transition"
    message = "That step is not possible from the crisis session's current state."


class RoleNotPermitted(HandoffError):
    kind = ErrorKind.FORBIDDEN
    code = "crisis_role_not_permitted"
    message = "Your role does not allow this step in a crisis session."


class CrisisClosed(HandoffError):
    kind = ErrorKind.CONFLICT
    code = "crisis_closed"
    message = "This crisis session is closed; nothing more can be added to it."


class VersionConflict(HandoffError):
    kind = ErrorKind.CONFLICT
    code = "crisis_version_conflict"
    message = "Someone else changed this crisis session first. Reload it and try again."


class GuestNotKeepable(HandoffError):
    code = "crisis_guest_not_keepable"
    message = ("Only a support person in this session can be kept, and only when the crisis is closed; "
               "responders always leave when it closes.")


class NoOnCallCoverage(HandoffError):
    code = "no_on_call_coverage"
    message = "No on-call clinician is rostered for this time. Escalate to the clinical lead."


# --- responder packet -------------------------------------------------------------------------


class PacketInvalid(HandoffError):
    code = "responder_packet_invalid"
    message = "The responder packet cannot be built from this information."


def all_error_classes() -> list[type[HandoffError]]:
    """Every error class (lets the edge, and a test, check that codes are unique)."""
    found: list[type[HandoffError]] = []
    stack: list[type[HandoffError]] = [HandoffError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found
