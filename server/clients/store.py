"""Clients' own therapist and contact, and their standing links (only hashes are kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.db.home_tables import HomeLinkRecord
from server.db.tables import Client
from server.errors import NotFound


@dataclass(frozen=True)
class ClientContact:
    therapist_id: str | None
    email: str | None
    phone: str | None


class ClientStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def set_profile(self, client_id: str, contact: ClientContact) -> Client:
        async with self._sm() as db, db.begin():
            client = await db.get(Client, client_id)
            if client is None:
                raise NotFound("client not found")
            client.therapist_id, client.email, client.phone = contact.therapist_id, contact.email, contact.phone
        return client

    # the standing link
    async def issue_link(self, *, client_id: str, program_id: str, token_hash: str, by: str, at: datetime,
                         expires_at: datetime) -> HomeLinkRecord:
        """The client's new standing link; any link before it stops working (rotation)."""
        async with self._sm() as db, db.begin():
            await self._revoke(db, client_id, at)
            row = HomeLinkRecord(client_id=client_id, program_id=program_id, token_hash=token_hash, created_by=by,
                                 created_at=at, expires_at=expires_at)
            db.add(row)
        return row

    async def revoke_links(self, client_id: str, at: datetime) -> int:
        async with self._sm() as db, db.begin():
            return await self._revoke(db, client_id, at)

    @staticmethod
    async def _revoke(db, client_id: str, at: datetime) -> int:
        result = await db.execute(update(HomeLinkRecord).where(
            HomeLinkRecord.client_id == client_id, HomeLinkRecord.revoked_at.is_(None)).values(revoked_at=at))
        return result.rowcount or 0

    async def current_link(self, client_id: str) -> HomeLinkRecord | None:
        query = (select(HomeLinkRecord).where(HomeLinkRecord.client_id == client_id,
                                              HomeLinkRecord.revoked_at.is_(None))
                 .order_by(HomeLinkRecord.created_at.desc()).limit(1))
        async with self._sm() as db:
            return (await db.execute(query)).scalar()

    async def open_link(self, token_hash: str, at: datetime) -> HomeLinkRecord | None:
        """The working link with this hash (its use noted), or None."""
        async with self._sm() as db, db.begin():
            row = (await db.execute(select(HomeLinkRecord).where(HomeLinkRecord.token_hash == token_hash))).scalar()
            if row is None or row.revoked_at is not None or row.expires_at <= at:
                return None
            row.last_used_at = at
        return row

    async def link_works(self, link_id: str, at: datetime) -> bool:
        async with self._sm() as db:
            row = await db.get(HomeLinkRecord, link_id)
        return row is not None and row.revoked_at is None and row.expires_at > at
