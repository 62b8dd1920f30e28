"""Signed audit head checkpoints, appended to a file kept apart from the database, so that a
truncated audit table is caught by ``steadyline audit verify``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import structlog

from .audit_verify import Checkpoint
from .audit_log import AuditLog

log = structlog.get_logger(__name__)


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint.to_dict(), sort_keys=True) + "\n")


def latest_checkpoint(path: Path) -> Checkpoint | None:
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Checkpoint.from_dict(json.loads(lines[-1])) if lines else None


async def checkpoint_periodically(audit: AuditLog, path: Path, interval: float) -> None:
    """Owned by the app's cleanup context, which cancels it on shutdown."""
    while True:
        await asyncio.sleep(interval)
        try:
            append_checkpoint(path, await audit.checkpoint())
        except Exception:
            log.exception("audit_checkpoint_failed")
