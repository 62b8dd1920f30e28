"""The audit trail in the database: every append is sealed into the hash chain of ``audit_chain``.

Who, what, which record, when (UTC), from where — never the health information itself."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from .audit_chain import AuditEntry, Outcome, SealedEntry, append, utc_timestamp
from .audit_verify import Checkpoint, VerifyResult, sign_checkpoint, verify
from .models import AuditRecord

APPEND_ATTEMPTS = 8


@dataclass(frozen=True)
class AuditEvent:
    """What a caller reports; the log adds the sequence number, time and seals."""

    actor_id: str
    actor_role: str
    action: str
    outcome: Outcome = Outcome.SUCCESS
    target_type: str | None = None
    target_id: str | None = None
    program_id: str | None = None
    session_id: str | None = None
    remote_addr: str | None = None


def _to_row(sealed: SealedEntry, session_id: str | None) -> AuditRecord:
    e = sealed.entry
    return AuditRecord(
        sequence=e.sequence, occurred_at=e.occurred_at, actor_id=e.actor_id, actor_role=e.actor_role,
        action=e.action, outcome=e.outcome.value, target_type=e.target_type, target_id=e.target_id,
        program_id=e.program_id, session_id=session_id, remote_addr=e.remote_addr,
        details=json.dumps(dict(e.details), sort_keys=True), previous_hmac=sealed.previous_hmac, hmac=sealed.hmac,
    )


def to_sealed(row: AuditRecord) -> SealedEntry:
    entry = AuditEntry(
        sequence=row.sequence, occurred_at=row.occurred_at, actor_id=row.actor_id, actor_role=row.actor_role,
        action=row.action, outcome=Outcome(row.outcome), target_type=row.target_type, target_id=row.target_id,
        program_id=row.program_id, remote_addr=row.remote_addr, details=json.loads(row.details),
    )
    return SealedEntry(entry=entry, previous_hmac=row.previous_hmac, hmac=row.hmac)


class AuditLog:
    def __init__(self, sessionmaker: async_sessionmaker, secret: bytes) -> None:
        self._sm = sessionmaker
        self._secret = secret
        self._lock = asyncio.Lock()  # one appender per process; the primary key orders nodes

    def __repr__(self) -> str:
        return "AuditLog(secret=***)"

    async def record(self, event: AuditEvent) -> SealedEntry:
        async with self._lock:
            for _ in range(APPEND_ATTEMPTS):
                try:
                    return await self._append(event)
                except IntegrityError:
                    continue  # another node took that sequence number: chain onto theirs
            raise RuntimeError("could not append to the audit trail")

    async def _append(self, event: AuditEvent) -> SealedEntry:
        async with self._sm() as db, db.begin():
            head = (await db.execute(select(AuditRecord).order_by(AuditRecord.sequence.desc()).limit(1))).scalar()
            previous = to_sealed(head) if head else None
            details = {"session_id": event.session_id} if event.session_id else {}
            entry = AuditEntry(
                sequence=(previous.sequence + 1) if previous else 1, occurred_at=utc_timestamp(),
                actor_id=event.actor_id, actor_role=event.actor_role, action=event.action, outcome=event.outcome,
                target_type=event.target_type, target_id=event.target_id, program_id=event.program_id,
                remote_addr=event.remote_addr, details=details,
            )
            sealed = append(self._secret, previous, entry)
            db.add(_to_row(sealed, event.session_id))
        return sealed

    async def entries(self) -> list[SealedEntry]:
        async with self._sm() as db:
            rows = (await db.execute(select(AuditRecord).order_by(AuditRecord.sequence))).scalars()
            return [to_sealed(row) for row in rows]

    async def export(self, *, program_id: str, session_id: str | None = None,
                     target_ids: list[str] | None = None) -> list[SealedEntry]:
        """A program's records about one session, or about the given people (client + participants)."""
        query = select(AuditRecord).where(AuditRecord.program_id == program_id)
        conditions = []
        if session_id:
            conditions.append(AuditRecord.session_id == session_id)
        if target_ids:
            conditions += [AuditRecord.target_id.in_(target_ids), AuditRecord.actor_id.in_(target_ids)]
        if conditions:
            query = query.where(or_(*conditions))
        async with self._sm() as db:
            rows = (await db.execute(query.order_by(AuditRecord.sequence))).scalars()
            return [to_sealed(row) for row in rows]

    async def checkpoint(self) -> Checkpoint:
        async with self._sm() as db:
            head = (await db.execute(select(AuditRecord).order_by(AuditRecord.sequence.desc()).limit(1))).scalar()
        return sign_checkpoint(self._secret, to_sealed(head) if head else None)

    async def verify(self, checkpoint: Checkpoint | None = None) -> VerifyResult:
        return verify(self._secret, await self.entries(), checkpoint)
