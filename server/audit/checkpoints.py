"""Signed audit head checkpoints, appended to a file kept apart from the database (created mode
0600), so that a rewritten or truncated audit table is caught by ``steadyline audit verify``.

Lines in the old HMAC format (before Ed25519 checkpoints) are kept in the file but cannot be checked
with a public key: they are counted as ``legacy`` and otherwise ignored."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path

import structlog

from server.audit.chain import InvalidAuditEntryError
from server.audit.log import AuditLog
from server.audit.verify import Checkpoint

log = structlog.get_logger(__name__)
_LEGACY_FIELDS = frozenset({"sequence", "head_hmac", "signed_at", "signature"})


@dataclass(frozen=True)
class CheckpointFile:
    checkpoints: list[Checkpoint]
    legacy: int  # HMAC-signed lines from before Ed25519 checkpoints

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint.to_dict(), sort_keys=True) + "\n")


def read_checkpoints(path: Path) -> CheckpointFile:
    """Every checkpoint in the file, in the order written. A line that is neither a checkpoint nor a
    legacy one raises ``InvalidAuditEntryError``: the file was damaged."""
    if not path.exists():
        return CheckpointFile([], 0)
    checkpoints, legacy = [], 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise InvalidAuditEntryError(f"{path} line {number} is not JSON") from None
        if isinstance(data, dict) and set(data) == _LEGACY_FIELDS:
            legacy += 1
            continue
        checkpoints.append(Checkpoint.from_dict(data))
    return CheckpointFile(checkpoints, legacy)


async def checkpoint_periodically(audit: AuditLog, path: Path, interval: float) -> None:
    """Owned by the app's cleanup context, which cancels it on shutdown."""
    while True:
        await asyncio.sleep(interval)
        try:
            append_checkpoint(path, await audit.checkpoint())
        except Exception:
            log.exception("audit_checkpoint_failed")
