"""Migration 0018 on SQLite and PostgreSQL: down to 0017 takes the monitoring tables and the alerts' new
columns away, up again puts them back as the models declare them."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db.engine import _alembic_config, make_engine
from server.db.schema import METADATA

TABLES = {"check_ins", "screener_results", "check_in_schedules", "check_in_reminders", "monitoring_vocabularies",
          "program_instruments"}
ALERT_COLUMNS = {"rule", "dedupe_key", "acknowledged_at", "acknowledged_by", "acknowledged_note"}


def _shape(conn) -> tuple[set[str], set[str]]:
    inspector = inspect(conn)
    return set(inspector.get_table_names()), {c["name"] for c in inspector.get_columns("alerts")}


def _ours(diff) -> bool:
    text = str(diff)
    return any(name in text for name in TABLES | ALERT_COLUMNS)


async def test_0018_downgrades_and_upgrades(database_url):
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0017"))
            tables, columns = await conn.run_sync(_shape)
        assert not TABLES & tables and not ALERT_COLUMNS & columns
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(_alembic_config(c), "head"))
            tables, columns = await conn.run_sync(_shape)
            diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), METADATA))
        assert TABLES <= tables and ALERT_COLUMNS <= columns
        assert [d for d in diffs if _ours(d)] == []
    finally:
        await engine.dispose()
