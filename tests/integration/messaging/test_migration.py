"""Migration 0019 on SQLite and PostgreSQL: down to 0018 takes the messaging tables away, up again puts them
back as the models declare them."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db.engine import _alembic_config, make_engine
from server.db.schema import METADATA

TABLES = {"message_threads", "messages"}


async def test_0019_downgrades_and_upgrades(database_url):
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0018"))
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert not TABLES & tables
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(_alembic_config(c), "head"))
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), METADATA))
        assert TABLES <= tables
        assert [d for d in diffs if any(name in str(d) for name in TABLES)] == []
    finally:
        await engine.dispose()
