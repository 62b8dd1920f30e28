"""Signed head checkpoints of the audit chain, and verification that names the first broken
record (edited, deleted, reordered, spliced, or truncated behind a checkpoint)."""

from __future__ import annotations

import enum
import hashlib
import hmac as _hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

from .audit_chain import (
    _CHECKPOINT_DOMAIN, GENESIS_HMAC, InvalidAuditEntryError, InvalidCheckpointError, SealedEntry, _canonical,
    _check_hmac, _check_secret, _check_timestamp, _from_dict, chain_hmac,
)

# --- checkpoints ------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the chain's head was ``head_hmac`` at ``sequence``."""

    sequence: int
    head_hmac: str
    signed_at: str
    signature: str

    def __post_init__(self) -> None:
        if not isinstance(self.sequence, int) or isinstance(self.sequence, bool):
            raise InvalidAuditEntryError("checkpoint sequence must be an int")
        if self.sequence < 0:
            raise InvalidAuditEntryError("checkpoint sequence must not be negative")
        _check_hmac("head_hmac", self.head_hmac)
        object.__setattr__(self, "signed_at", _check_timestamp("signed_at", self.signed_at))
        _check_hmac("signature", self.signature)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        return _from_dict(cls, data)


def _checkpoint_signature(secret: bytes, sequence: int, head_hmac: str, signed_at: str) -> str:
    _check_secret(secret)
    body = _canonical({"sequence": sequence, "head_hmac": head_hmac, "signed_at": signed_at})
    return _hmac.new(secret, _CHECKPOINT_DOMAIN + body, hashlib.sha256).hexdigest()


def sign_checkpoint(
    secret: bytes, head: SealedEntry | None, *, signed_at: datetime | str | None = None
) -> Checkpoint:
    """Sign the current head (None: an empty chain) as a :class:`Checkpoint`."""
    sequence = head.sequence if head else 0
    head_hmac = head.hmac if head else GENESIS_HMAC
    moment = datetime.now(timezone.utc) if signed_at is None else signed_at
    when = _check_timestamp("signed_at", moment)
    signature = _checkpoint_signature(secret, sequence, head_hmac, when)
    return Checkpoint(sequence, head_hmac, when, signature)


def verify_checkpoint(secret: bytes, checkpoint: Checkpoint) -> bool:
    expected = _checkpoint_signature(
        secret, checkpoint.sequence, checkpoint.head_hmac, checkpoint.signed_at
    )
    return _hmac.compare_digest(expected, checkpoint.signature)


# --- verification -----------------------------------------------------------


class BreakReason(str, enum.Enum):
    EDITED = "edited"  # the entry (or its stored seal) differs from what was sealed
    DELETED = "deleted"  # a gap in the sequence: entries missing here
    REORDERED = "reordered"  # an entry out of order, or duplicated
    BROKEN_LINK = "broken_link"  # sealed after a different predecessor (spliced in)
    TRUNCATED = "truncated"  # the chain ends before the checkpointed head
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"  # the checkpointed head was rewritten


@dataclass(frozen=True)
class ChainBreak:
    """The first place verification failed. ``index`` is a position in the input;
    for truncation it is one past the end. ``sequence`` is the entry found there
    (for truncation: the first missing sequence number)."""

    index: int
    sequence: int
    reason: BreakReason
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_sequence: int
    head_hmac: str
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(
    secret: bytes,
    sealed_entries: Iterable[SealedEntry],
    checkpoint: Checkpoint | None = None,
    *,
    after: Checkpoint | None = None,
) -> VerifyResult:
    """Check a chain and name the first break.

    ``checkpoint`` is a later signed head the chain must still contain.
    ``after`` is an earlier, already verified checkpoint: the entries then
    continue from it instead of from the genesis. Both must verify with
    ``secret``, else :class:`InvalidCheckpointError`.
    """
    _check_secret(secret)
    for label, cp in (("checkpoint", checkpoint), ("after", after)):
        if cp is not None and not verify_checkpoint(secret, cp):
            raise InvalidCheckpointError(f"{label} signature does not verify")
    entries = list(sealed_entries)
    sequence, head = (after.sequence, after.head_hmac) if after else (0, GENESIS_HMAC)
    for index, sealed in enumerate(entries):
        broken = _check_link(secret, entries, index, sequence + 1, head)
        if broken is None and checkpoint is not None:
            broken = _check_against_checkpoint(index, sealed, checkpoint)
        if broken is not None:
            return VerifyResult(index, sequence, head, broken)
        sequence, head = sealed.sequence, sealed.hmac
    broken = _check_truncation(len(entries), sequence, checkpoint)
    return VerifyResult(len(entries), sequence, head, broken)


def _check_link(
    secret: bytes, entries: list[SealedEntry], index: int, expected: int, previous_hmac: str
) -> ChainBreak | None:
    sealed = entries[index]
    seal = chain_hmac(secret, sealed.previous_hmac, sealed.entry)
    if not _hmac.compare_digest(seal, sealed.hmac):
        detail = "seal does not match the entry: altered, or sealed with another secret"
        return ChainBreak(index, sealed.sequence, BreakReason.EDITED, detail)
    if sealed.sequence != expected:
        return _sequence_break(entries, index, expected)
    if not _hmac.compare_digest(sealed.previous_hmac, previous_hmac):
        detail = "sealed after a different predecessor than the entry before it"
        return ChainBreak(index, expected, BreakReason.BROKEN_LINK, detail)
    return None


def _sequence_break(entries: list[SealedEntry], index: int, expected: int) -> ChainBreak:
    found = entries[index].sequence
    detail = f"expected sequence {expected}, found {found}"
    later = any(e.sequence == expected for e in entries[index + 1 :])
    if found > expected and not later:
        missing = found - expected
        return ChainBreak(index, found, BreakReason.DELETED, f"{detail}: {missing} missing")
    return ChainBreak(index, found, BreakReason.REORDERED, detail)


def _check_against_checkpoint(
    index: int, sealed: SealedEntry, checkpoint: Checkpoint
) -> ChainBreak | None:
    if sealed.sequence != checkpoint.sequence:
        return None
    if _hmac.compare_digest(sealed.hmac, checkpoint.head_hmac):
        return None
    detail = f"entry {sealed.sequence} differs from the head signed at {checkpoint.signed_at}"
    return ChainBreak(index, sealed.sequence, BreakReason.CHECKPOINT_MISMATCH, detail)


def _check_truncation(
    count: int, head_sequence: int, checkpoint: Checkpoint | None
) -> ChainBreak | None:
    if checkpoint is None or head_sequence >= checkpoint.sequence:
        return None
    detail = (
        f"chain ends at {head_sequence} but a checkpoint signed at "
        f"{checkpoint.signed_at} saw {checkpoint.sequence}"
    )
    return ChainBreak(count, head_sequence + 1, BreakReason.TRUNCATED, detail)
