"""The audit trail in the database: every append is sealed into the hash chain of ``audit_chain``.

Who, what, which record, when (UTC), from where — never the health information itself.

Every column of ``audit_records`` is either sealed or an index copy of a sealed value: ``session_id``
is the sealed ``details["session_id"]``. Verification rebuilds each row from its sealed entry and
names the first row whose stored columns differ (:func:`row_mismatch`), so a column that is not
covered by the seal cannot be edited undetected; the export reads the sealed value, not the index."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.audit.chain import GENESIS_HMAC, AuditEntry, Outcome, SealedEntry, append, utc_timestamp
from server.audit.keys import AuditKeyMissing
from server.audit.verify import BreakReason, ChainBreak, Checkpoint, VerifyResult, sign_checkpoint, verify
from server.db.tables import AuditRecord

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


def _sealed_session_id(sealed: SealedEntry) -> str | None:
    value = sealed.entry.details.get("session_id")
    return value if isinstance(value, str) else None


def _columns(row: AuditRecord) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in AuditRecord.__table__.columns}


def row_mismatch(row: AuditRecord, sealed: SealedEntry) -> list[str]:
    """The columns of ``row`` that differ from the row its sealed entry would be stored as."""
    stored, expected = _columns(row), _columns(_to_row(sealed, _sealed_session_id(sealed)))
    return sorted(name for name in expected if stored[name] != expected[name])


def to_sealed(row: AuditRecord) -> SealedEntry:
    entry = AuditEntry(
        sequence=row.sequence, occurred_at=row.occurred_at, actor_id=row.actor_id, actor_role=row.actor_role,
        action=row.action, outcome=Outcome(row.outcome), target_type=row.target_type, target_id=row.target_id,
        program_id=row.program_id, remote_addr=row.remote_addr, details=json.loads(row.details),
    )
    return SealedEntry(entry=entry, previous_hmac=row.previous_hmac, hmac=row.hmac)


class AuditLog:
    def __init__(self, sessionmaker: async_sessionmaker, secret: bytes,
                 signing_key: Ed25519PrivateKey | None = None) -> None:
        """``secret`` seals records; ``signing_key`` (only where checkpoints are written) signs checkpoints."""
        self._sm = sessionmaker
        self._secret = secret
        self._signing_key = signing_key
        self._lock = asyncio.Lock()  # one appender per process; the primary key orders nodes

    def __repr__(self) -> str:
        return "AuditLog(secret=***, signing_key=***)"

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
            session_id = event.session_id or None
            details = {"session_id": session_id} if session_id else {}
            entry = AuditEntry(
                sequence=(previous.sequence + 1) if previous else 1, occurred_at=utc_timestamp(),
                actor_id=event.actor_id, actor_role=event.actor_role, action=event.action, outcome=event.outcome,
                target_type=event.target_type, target_id=event.target_id, program_id=event.program_id,
                remote_addr=event.remote_addr, details=details,
            )
            sealed = append(self._secret, previous, entry)
            db.add(_to_row(sealed, session_id))
        return sealed

    async def entries(self) -> list[SealedEntry]:
        return [sealed for _, sealed in await self._rows()]

    async def _rows(self) -> list[tuple[AuditRecord, SealedEntry]]:
        async with self._sm() as db:
            rows = (await db.execute(select(AuditRecord).order_by(AuditRecord.sequence))).scalars()
            return [(row, to_sealed(row)) for row in rows]

    async def export(self, *, program_id: str, session_id: str | None = None,
                     target_ids: list[str] | None = None) -> list[SealedEntry]:
        """A program's records about one session, or about the given people (client + participants)."""
        query = select(AuditRecord).where(AuditRecord.program_id == program_id)
        conditions = []
        if session_id:  # the index column, or the sealed value as stored (json.dumps, sorted keys)
            sealed_text = json.dumps({"session_id": session_id})[1:-1]
            conditions += [AuditRecord.session_id == session_id,
                           AuditRecord.details.contains(sealed_text, autoescape=True)]
        if target_ids:
            conditions += [AuditRecord.target_id.in_(target_ids), AuditRecord.actor_id.in_(target_ids)]
        if conditions:
            query = query.where(or_(*conditions))
        async with self._sm() as db:
            rows = (await db.execute(query.order_by(AuditRecord.sequence))).scalars()
            sealed = [to_sealed(row) for row in rows]
        # The column is only an index: what is sealed decides, so a record moved by editing the column
        # stays in its own session's export, is left out of the other's, and is named by `audit verify`.
        return [s for s in sealed if not session_id or _sealed_session_id(s) == session_id]

    async def checkpoint(self) -> Checkpoint:
        if self._signing_key is None:
            raise AuditKeyMissing("this process holds no audit checkpoint signing key")
        async with self._sm() as db:
            head = (await db.execute(select(AuditRecord).order_by(AuditRecord.sequence.desc()).limit(1))).scalar()
        return sign_checkpoint(self._signing_key, to_sealed(head) if head else None)

    async def verify(self, checkpoints: list[Checkpoint] | None = None,
                     public_key: Ed25519PublicKey | None = None) -> VerifyResult:
        """The chain, every row against its seal, and every checkpoint (checked with ``public_key``)."""
        rows = await self._rows()
        result = verify(self._secret, [sealed for _, sealed in rows], public_key=public_key,
                        checkpoints=checkpoints or [])
        return _first_row_mismatch(rows, result)


def _first_row_mismatch(rows: list[tuple[AuditRecord, SealedEntry]], result: VerifyResult) -> VerifyResult:
    """The chain's own break, or an earlier row whose columns differ from its sealed entry."""
    limit = result.broken.index if result.broken else len(rows)
    for index, (row, sealed) in enumerate(rows[:limit]):
        columns = row_mismatch(row, sealed)
        if columns:
            before = rows[index - 1][1] if index else None
            detail = f"column(s) {', '.join(columns)} differ from the sealed record"
            return VerifyResult(index, before.sequence if before else 0, before.hmac if before else GENESIS_HMAC,
                                ChainBreak(index, sealed.sequence, BreakReason.EDITED, detail))
    return result
