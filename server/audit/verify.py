"""Signed head checkpoints of the audit chain, and verification that names the first broken
record (edited, deleted, reordered, spliced, or truncated behind a checkpoint).

Checkpoints are Ed25519 signatures: the private key signs where checkpoints are written, and
checking them needs only the public key. Whoever holds the chain key (or the whole database host)
can re-seal a rewritten chain, but cannot sign a checkpoint that agrees with it."""

from __future__ import annotations

import enum
import hmac as _hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.audit.chain import (
    _CHECKPOINT_DOMAIN,
    GENESIS_HMAC,
    InvalidAuditEntryError,
    InvalidCheckpointError,
    SealedEntry,
    _canonical,
    _check_hmac,
    _check_secret,
    _check_timestamp,
    _from_dict,
    chain_hmac,
)
from server.audit.keys import key_id as _key_id

_SIGNATURE_RE = re.compile(r"[0-9a-f]{128}")
_KEY_ID_RE = re.compile(r"[0-9a-f]{16}")

# --- checkpoints ------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the chain's head was ``head_hmac`` at ``sequence``, signed with the
    Ed25519 key named by ``key_id``."""

    sequence: int
    head_hmac: str
    signed_at: str
    key_id: str
    signature: str

    def __post_init__(self) -> None:
        if not isinstance(self.sequence, int) or isinstance(self.sequence, bool):
            raise InvalidAuditEntryError("checkpoint sequence must be an int")
        if self.sequence < 0:
            raise InvalidAuditEntryError("checkpoint sequence must not be negative")
        _check_hmac("head_hmac", self.head_hmac)
        object.__setattr__(self, "signed_at", _check_timestamp("signed_at", self.signed_at))
        if not isinstance(self.key_id, str) or not _KEY_ID_RE.fullmatch(self.key_id):
            raise InvalidAuditEntryError("key_id must be 16 lowercase hex characters")
        if not isinstance(self.signature, str) or not _SIGNATURE_RE.fullmatch(self.signature):
            raise InvalidAuditEntryError("signature must be an Ed25519 signature as 128 lowercase hex characters")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        return _from_dict(cls, data)


def _checkpoint_message(sequence: int, head_hmac: str, signed_at: str, key_id: str) -> bytes:
    body = {"sequence": sequence, "head_hmac": head_hmac, "signed_at": signed_at, "key_id": key_id}
    return _CHECKPOINT_DOMAIN + _canonical(body)


def sign_checkpoint(
    signing_key: Ed25519PrivateKey, head: SealedEntry | None, *, signed_at: datetime | str | None = None
) -> Checkpoint:
    """Sign the current head (None: an empty chain) as a :class:`Checkpoint`."""
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise InvalidCheckpointError("checkpoints are signed with an Ed25519 private key")
    sequence = head.sequence if head else 0
    head_hmac = head.hmac if head else GENESIS_HMAC
    moment = datetime.now(timezone.utc) if signed_at is None else signed_at
    when = _check_timestamp("signed_at", moment)
    kid = _key_id(signing_key.public_key())
    signature = signing_key.sign(_checkpoint_message(sequence, head_hmac, when, kid)).hex()
    return Checkpoint(sequence, head_hmac, when, kid, signature)


def verify_checkpoint(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    """True if ``checkpoint`` was signed by the private half of ``public_key``."""
    if not isinstance(public_key, Ed25519PublicKey) or checkpoint.key_id != _key_id(public_key):
        return False
    message = _checkpoint_message(checkpoint.sequence, checkpoint.head_hmac, checkpoint.signed_at, checkpoint.key_id)
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), message)
    except InvalidSignature:
        return False
    return True


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
    public_key: Ed25519PublicKey | None = None,
    checkpoints: Iterable[Checkpoint] = (),
) -> VerifyResult:
    """Check a chain and name the first break.

    ``checkpoint`` (and each of ``checkpoints``) is a signed head the chain must
    still contain; the latest of them must not lie beyond its end. ``after`` is
    an earlier, already verified checkpoint: the entries then continue from it
    instead of from the genesis. Every checkpoint must verify with
    ``public_key``, else :class:`InvalidCheckpointError`.
    """
    _check_secret(secret)
    signed = [cp for cp in (checkpoint, *checkpoints) if cp is not None]
    for label, cp in [("checkpoint", cp) for cp in signed] + ([("after", after)] if after else []):
        if public_key is None:
            raise InvalidCheckpointError(f"{label}: a public key is needed to check it")
        if not verify_checkpoint(public_key, cp):
            raise InvalidCheckpointError(f"{label} at record {cp.sequence} signature does not verify")
    by_sequence: dict[int, list[Checkpoint]] = {}
    for cp in signed:
        by_sequence.setdefault(cp.sequence, []).append(cp)
    latest = max(signed, key=lambda cp: cp.sequence, default=None)
    entries = list(sealed_entries)
    sequence, head = (after.sequence, after.head_hmac) if after else (0, GENESIS_HMAC)
    for index, sealed in enumerate(entries):
        broken = _check_link(secret, entries, index, sequence + 1, head)
        for cp in by_sequence.get(sealed.sequence, ()) if broken is None else ():
            broken = broken or _check_against_checkpoint(index, sealed, cp)
        if broken is not None:
            return VerifyResult(index, sequence, head, broken)
        sequence, head = sealed.sequence, sealed.hmac
    broken = _check_truncation(len(entries), sequence, latest)
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
