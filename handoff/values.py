"""Small shared value types: UTC timestamps, the clock port, phone numbers and email addresses.

Every time in this package is timezone-aware UTC. Callers pass a :data:`Clock` in; nothing deep
inside calls ``now()`` itself, so rules are testable at any instant.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Annotated, Callable

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware. Inject one; never call ``datetime.now`` in rules."""


def system_clock() -> datetime:
    """The real clock, for the composition root only."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; refuse naive ones (their meaning is a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    return value.astimezone(timezone.utc)


UtcDateTime = Annotated[AwareDatetime, AfterValidator(as_utc)]
"""A pydantic field type: aware datetime, normalised to UTC."""


def new_id(prefix: str) -> str:
    """A fresh opaque id such as ``contact_3f2a...``. Ids are stable once assigned."""
    return f"{prefix}_{uuid.uuid4().hex}"


class Value(BaseModel):
    """Base of the immutable value types: frozen, no unknown fields, validated on creation."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --- phone numbers and email addresses --------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SHORT_CODE = re.compile(r"^\d{3,6}$")  # service numbers such as 988 or 911
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def normalise_phone(raw: str, *, allow_short_code: bool = False) -> str:
    """Return the E.164 form (``+15550100123``) of a phone number written with spaces, dashes,
    dots or brackets; raise ``ValueError`` with a plain message if it is not one.

    ``allow_short_code`` also accepts short service numbers (3 to 6 digits, such as 988).
    """
    compact = _PHONE_SEPARATORS.sub("", raw or "")
    if _E164.match(compact):
        return compact
    if allow_short_code and _SHORT_CODE.match(compact):
        return compact
    hint = " or a short service number such as 988" if allow_short_code else ""
    raise ValueError(
        f"phone number {raw!r} should be in international form, such as +1 555 0100{hint}"
    )


def normalise_email(raw: str) -> str:
    """Return the address with its domain lower-cased; raise ``ValueError`` if it is not one."""
    text = (raw or "").strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValueError(f"email address {raw!r} does not look right (expected name@example.org)")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def tel_uri(phone: str, *, local_context: str = "+1") -> str:
    """A ``tel:`` URI for a normalised phone number (RFC 3966). A short service number is a
    local number, so it gets a ``phone-context`` (the country calling code it is valid in)."""
    if phone.startswith("+"):
        return f"tel:{phone}"
    return f"tel:{phone};phone-context={local_context}"


PhoneNumber = Annotated[str, AfterValidator(normalise_phone)]
ServiceNumber = Annotated[str, AfterValidator(lambda v: normalise_phone(v, allow_short_code=True))]
EmailAddress = Annotated[str, AfterValidator(normalise_email)]
