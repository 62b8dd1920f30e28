"""Re-encrypting every encrypted field with the active key, in batches, while servers keep running.

Works on table rows directly (no ORM events), one short transaction per batch."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from server.db.encrypted_fields import ENCRYPTED
from server.db.engine import make_engine
from server.db.field_crypto import Keyring, MalformedCiphertextError, encrypt, key_id_of, reencrypt

BATCH = 500


def _rotated(keyring: Keyring, value: str, *, table: str, record_id: str, field: str) -> str | None:
    try:
        return reencrypt(value, keyring, table=table, record_id=record_id, field=field)
    except MalformedCiphertextError:  # written before encryption existed: seal it now
        return encrypt(keyring, value, table=table, record_id=record_id, field=field)


async def reencrypt_all(url: str, keyring: Keyring, progress: Callable[[int, int], None] = lambda d, t: None) -> int:
    engine = make_engine(url)
    changed = 0
    try:
        for model, fields in ENCRYPTED.items():
            table = model.__table__
            async with engine.connect() as conn:
                total = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            done, last_id = 0, ""
            while True:
                async with engine.begin() as conn:
                    rows = (await conn.execute(
                        select(table.c.id, *(table.c[f] for f in fields)).where(table.c.id > last_id)
                        .order_by(table.c.id).limit(BATCH)
                    )).all()
                    for row in rows:
                        values = {}
                        for field in fields:
                            value = getattr(row, field)
                            if value is not None:
                                new = _rotated(keyring, value, table=table.name, record_id=row.id, field=field)
                                if new is not None:
                                    values[field] = new
                        if values:
                            await conn.execute(update(table).where(table.c.id == row.id).values(**values))
                            changed += len(values)
                if not rows:
                    break
                last_id = rows[-1].id
                done += len(rows)
                progress(done, total)
    finally:
        await engine.dispose()
    return changed


async def count_with_key(url: str, kid: str) -> int:
    engine = make_engine(url)
    count = 0
    try:
        async with engine.connect() as conn:
            for model, fields in ENCRYPTED.items():
                table = model.__table__
                for row in await conn.execute(select(*(table.c[f] for f in fields))):
                    count += sum(1 for value in row if value is not None and _kid(value) == kid)
    finally:
        await engine.dispose()
    return count


def _kid(value: str) -> str | None:
    try:
        return key_id_of(value)
    except MalformedCiphertextError:
        return None
