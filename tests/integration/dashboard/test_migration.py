"""Migration 0020 on SQLite and PostgreSQL: down to 0019 takes the alerts' assignment and resolution away,
up again puts them back as the models declare them (an alert written before keeps its data)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db.engine import _alembic_config, make_engine
from server.db.schema import METADATA

COLUMNS = {"assigned_to", "resolved_at", "resolved_by", "resolved_note"}


def _columns(conn) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns("alerts")}


async def test_0020_downgrades_and_upgrades(database_url):
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0019"))
            assert not COLUMNS & await conn.run_sync(_columns)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(_alembic_config(c), "head"))
            assert COLUMNS <= await conn.run_sync(_columns)
            diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), METADATA))
        assert [d for d in diffs if any(name in str(d) for name in COLUMNS)] == []
    finally:
        await engine.dispose()
