"""SQL of secure messaging: the client's thread, its messages (the text encrypted at rest by the
field-encryption events, ``db.encrypted_fields``), read receipts, and which clients have messages nobody has read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.db.messaging_tables import MessageRecord, MessageThreadRecord
from server.db.tables import Client, new_id

CLIENT, STAFF = "client", "staff"  # sender kinds
THREAD_LIMIT = 200


@dataclass(frozen=True)
class UnreadThread:
    client_id: str
    unread: int
    urgent: bool  # one of them is marked urgent
    since: datetime  # the oldest unread one


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    sender_kind: str
    sender_id: str
    text: str
    urgent: bool
    sent_at: datetime
    read_at: datetime | None
    read_by: str | None


def _message(row: MessageRecord) -> Message:
    return Message(id=row.id, thread_id=row.thread_id, sender_kind=row.sender_kind, sender_id=row.sender_id,
                   text=row.body, urgent=row.urgent, sent_at=row.sent_at, read_at=row.read_at, read_by=row.read_by)


class MessageStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def thread_id(self, client_id: str) -> str | None:
        query = select(MessageThreadRecord.id).where(MessageThreadRecord.client_id == client_id)
        async with self._sm() as db:
            return (await db.execute(query)).scalar()

    async def _thread(self, client: Client, at: datetime) -> str:
        """The client's thread, made if there is none (two first messages at once make one thread)."""
        found = await self.thread_id(client.id)
        if found is not None:
            return found
        try:
            async with self._sm() as db, db.begin():
                db.add(MessageThreadRecord(id=new_id(), client_id=client.id, program_id=client.program_id,
                                           created_at=at, last_message_at=at))
        except IntegrityError:
            pass  # made by the other one
        found = await self.thread_id(client.id)
        assert found is not None
        return found

    async def add(self, client: Client, *, sender_kind: str, sender_id: str, text: str, urgent: bool,
                  at: datetime) -> Message:
        thread_id = await self._thread(client, at)
        row = MessageRecord(id=new_id(), thread_id=thread_id, program_id=client.program_id, client_id=client.id,
                            sender_kind=sender_kind, sender_id=sender_id, body=text, urgent=urgent, sent_at=at)
        async with self._sm() as db, db.begin():
            db.add(row)
            await db.execute(update(MessageThreadRecord).where(MessageThreadRecord.id == thread_id)
                             .values(last_message_at=at))
        return _message(row)

    async def messages(self, client_id: str, limit: int = THREAD_LIMIT) -> list[Message]:
        """The latest messages of the client's thread, oldest first."""
        query = (select(MessageRecord).where(MessageRecord.client_id == client_id)
                 .order_by(MessageRecord.sent_at.desc(), MessageRecord.id.desc()).limit(limit))
        async with self._sm() as db:
            rows = list((await db.execute(query)).scalars())
        return [_message(r) for r in reversed(rows)]

    async def mark_read(self, client_id: str, *, sent_by: str, reader_id: str, at: datetime) -> int:
        """The reader opened the thread: every message of the other side (``sent_by``) not read yet is read now."""
        query = (update(MessageRecord)
                 .where(MessageRecord.client_id == client_id, MessageRecord.sender_kind == sent_by,
                        MessageRecord.read_at.is_(None))
                 .values(read_at=at, read_by=reader_id))
        async with self._sm() as db, db.begin():
            return (await db.execute(query)).rowcount or 0

    async def unread(self, client_id: str, *, sent_by: str) -> int:
        query = select(func.count()).select_from(MessageRecord).where(
            MessageRecord.client_id == client_id, MessageRecord.sender_kind == sent_by, MessageRecord.read_at.is_(None))
        async with self._sm() as db:
            return (await db.execute(query)).scalar_one()

    async def sent_since(self, client_id: str, *, sender_kind: str, since: datetime) -> int:
        query = select(func.count()).select_from(MessageRecord).where(
            MessageRecord.client_id == client_id, MessageRecord.sender_kind == sender_kind,
            MessageRecord.sent_at >= since)
        async with self._sm() as db:
            return (await db.execute(query)).scalar_one()

    async def unread_threads(self, program_id: str, client_ids: Collection[str] | None) -> list[UnreadThread]:
        """Clients of the program with messages nobody on the care team has read (``client_ids`` None: all of
        them), the one written longest ago first."""
        query = (select(MessageRecord.client_id, func.count(), func.max(case((MessageRecord.urgent, 1), else_=0)),
                        func.min(MessageRecord.sent_at))
                 .where(MessageRecord.program_id == program_id, MessageRecord.sender_kind == CLIENT,
                        MessageRecord.read_at.is_(None))
                 .group_by(MessageRecord.client_id))
        if client_ids is not None:
            query = query.where(MessageRecord.client_id.in_(list(client_ids)))
        async with self._sm() as db:
            rows = (await db.execute(query)).all()
        return sorted((UnreadThread(client_id, count, bool(urgent), since) for client_id, count, urgent, since in rows),
                      key=lambda t: t.since)
