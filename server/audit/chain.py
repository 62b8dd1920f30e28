"""Tamper-evident audit records: an HMAC-SHA256 hash chain (checkpoints and verification: audit_verify).

Pure logic; storing rows is done elsewhere. Each entry is sealed with

    hmac = HMAC-SHA256(secret, DOMAIN || previous_hmac || canonical(entry))

where ``previous_hmac`` is the seal of the entry before (``GENESIS_HMAC`` for the
first) and ``canonical`` is JSON with sorted keys, no whitespace and ASCII-only
escapes, so no field value — a newline, a quote, a brace — can make one record
read as another. The sequence number is inside the seal, so a deletion shows
as a gap and a reordering as an out-of-order sequence.

A chain alone cannot show that its tail was cut off. A ``Checkpoint``
(``audit_verify``) signs (sequence, head hmac, time) with an Ed25519 key;
kept apart from the log (another store, an export, a ticket), it lets
``verify`` detect truncation. Anyone holding the secret can re-seal a
rewritten chain, so the secret stays out of the database, and checkpoints are
signed with a private key the chain secret cannot stand in for: checking them
needs only the public key.

Storage must keep every field exactly as given (``occurred_at`` as the text
string, ``details`` as its JSON) or verification will report an edit.
"""

from __future__ import annotations

import enum
import hashlib
import hmac as _hmac
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeVar

_T = TypeVar("_T")

GENESIS_HMAC = "0" * 64
MIN_SECRET_BYTES = 32
MAX_DETAILS = 16
MAX_DETAIL_TEXT = 128
MAX_FIELD_TEXT = 256

_ENTRY_DOMAIN = b"steadyline.audit.entry.v1\x00"
_CHECKPOINT_DOMAIN = b"steadyline.audit.checkpoint.v2\x00"  # v1: HMAC checkpoints, no longer accepted
_HMAC_RE = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_DETAIL_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# Detail keys whose words suggest health information or identifying free text.
# A heuristic backstop: the rule is that details carry ids, codes and counts only.
_PHI_WORDS = frozenset(
    """name names note notes text message messages body comment comments content
    diagnosis diagnoses symptom symptoms plan location address lat latitude lon lng
    longitude phone email dob birth birthday birthdate ssn mrn transcript answer
    answers response responses risk score cssrs medication medications condition""".split()
)


# --- errors -----------------------------------------------------------------


class AuditChainError(Exception):
    """Base class of every error raised by this module."""


class InvalidAuditEntryError(AuditChainError, ValueError):
    """An audit entry, sealed entry or checkpoint fails validation."""


class SequenceError(AuditChainError):
    """An entry appended out of sequence."""


class InvalidCheckpointError(AuditChainError):
    """A checkpoint's signature does not verify with the given public key (or none was given)."""


# --- small helpers ----------------------------------------------------------


def utc_timestamp(moment: datetime | None = None) -> str:
    """The one accepted text form of a time: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidAuditEntryError("timestamps must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime(_TIMESTAMP_FORMAT)


def _check_timestamp(label: str, value: object) -> str:
    if isinstance(value, datetime):
        return utc_timestamp(value)
    if not isinstance(value, str) or not _TIMESTAMP_RE.fullmatch(value):
        raise InvalidAuditEntryError(f"{label} must be UTC text like 2026-01-31T12:00:00.000000Z")
    try:
        datetime.strptime(value, _TIMESTAMP_FORMAT)
    except ValueError:
        raise InvalidAuditEntryError(f"{label} is not a real date and time") from None
    return value


def _check_text(label: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD_TEXT:
        raise InvalidAuditEntryError(f"{label} must be a non-empty str of at most {MAX_FIELD_TEXT}")
    _check_encodable(label, value)


def _check_encodable(label: str, value: str) -> None:
    if _SURROGATE_RE.search(value):
        raise InvalidAuditEntryError(f"{label} is not encodable as UTF-8")


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise InvalidAuditEntryError(f"secret must be at least {MIN_SECRET_BYTES} bytes")


def _check_hmac(label: str, value: object) -> None:
    if not isinstance(value, str) or not _HMAC_RE.fullmatch(value):
        raise InvalidAuditEntryError(f"{label} must be 64 lowercase hex characters")


def _from_dict(cls: type[_T], data: Mapping[str, Any]) -> _T:
    if not isinstance(data, Mapping) or set(data) != {f.name for f in fields(cls)}:
        raise InvalidAuditEntryError(f"{cls.__name__} needs exactly its own fields")
    return cls(**data)


def _canonical(payload: Mapping[str, Any]) -> bytes:
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


# --- details ----------------------------------------------------------------

DetailValue = str | int | bool | None


def _check_details(details: object) -> Mapping[str, DetailValue]:
    if not isinstance(details, Mapping):
        raise InvalidAuditEntryError("details must be a mapping")
    if len(details) > MAX_DETAILS:
        raise InvalidAuditEntryError(f"details may hold at most {MAX_DETAILS} items")
    for key, value in details.items():
        _check_detail(key, value)
    return MappingProxyType(dict(details))


def _check_detail(key: object, value: object) -> None:
    if not isinstance(key, str) or not _DETAIL_KEY_RE.fullmatch(key):
        raise InvalidAuditEntryError("detail keys must be snake_case identifiers (max 40)")
    if _PHI_WORDS.intersection(key.split("_")):
        raise InvalidAuditEntryError(f"detail key {key!r} looks like health information")
    if value is None or isinstance(value, (bool, int)):
        return
    if not isinstance(value, str) or len(value) > MAX_DETAIL_TEXT:
        raise InvalidAuditEntryError(
            f"detail {key!r} must be null, bool, int or a str of at most {MAX_DETAIL_TEXT}"
        )
    _check_encodable(f"detail {key!r}", value)


# --- entries ----------------------------------------------------------------


class Outcome(str, enum.Enum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    """One audited action. ``details`` holds ids, codes and counts — never health information."""

    sequence: int
    occurred_at: str
    actor_id: str
    actor_role: str
    action: str
    outcome: Outcome
    target_type: str | None = None
    target_id: str | None = None
    program_id: str | None = None
    remote_addr: str | None = None
    details: Mapping[str, DetailValue] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.sequence, int) or isinstance(self.sequence, bool):
            raise InvalidAuditEntryError("sequence must be an int")
        if self.sequence < 1:
            raise InvalidAuditEntryError("sequence must be at least 1")
        object.__setattr__(self, "occurred_at", _check_timestamp("occurred_at", self.occurred_at))
        for label in ("actor_id", "actor_role", "action"):
            _check_text(label, getattr(self, label))
        for label in ("target_type", "target_id", "program_id"):
            _check_text(label, getattr(self, label), optional=True)
        object.__setattr__(self, "outcome", _check_outcome(self.outcome))
        object.__setattr__(self, "remote_addr", _check_address(self.remote_addr))
        object.__setattr__(self, "details", _check_details(self.details))

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return data | {"outcome": self.outcome.value, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        return _from_dict(cls, data)

    def canonical(self) -> bytes:
        """The exact bytes sealed into the chain."""
        return _canonical(self.to_dict())


def _check_outcome(value: object) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        pass
    raise InvalidAuditEntryError(f"outcome must be one of {[o.value for o in Outcome]}")


def _check_address(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    raise InvalidAuditEntryError("remote_addr must be an IPv4 or IPv6 address")


@dataclass(frozen=True)
class SealedEntry:
    """An entry with the seal of its predecessor and its own seal."""

    entry: AuditEntry
    previous_hmac: str
    hmac: str

    def __post_init__(self) -> None:
        if not isinstance(self.entry, AuditEntry):
            raise InvalidAuditEntryError("entry must be an AuditEntry")
        _check_hmac("previous_hmac", self.previous_hmac)
        _check_hmac("hmac", self.hmac)

    @property
    def sequence(self) -> int:
        return self.entry.sequence


# --- sealing ----------------------------------------------------------------


def chain_hmac(secret: bytes, previous_hmac: str, entry: AuditEntry) -> str:
    """HMAC-SHA256 over the previous seal and the canonical entry, as hex."""
    _check_secret(secret)
    _check_hmac("previous_hmac", previous_hmac)
    message = _ENTRY_DOMAIN + previous_hmac.encode("ascii") + entry.canonical()
    return _hmac.new(secret, message, hashlib.sha256).hexdigest()


def append(secret: bytes, previous: SealedEntry | None, entry: AuditEntry) -> SealedEntry:
    """Seal ``entry`` as the successor of ``previous`` (None for the first entry)."""
    expected = previous.sequence + 1 if previous else 1
    if entry.sequence != expected:
        raise SequenceError(f"expected sequence {expected}, got {entry.sequence}")
    previous_hmac = previous.hmac if previous else GENESIS_HMAC
    return SealedEntry(entry, previous_hmac, chain_hmac(secret, previous_hmac, entry))
