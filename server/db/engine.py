"""Database engine lifecycle and schema migrations (Alembic, run in-process)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from server.db import encrypted_fields

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        _create_private_sqlite_file(url)
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _create_private_sqlite_file(url: str) -> None:
    """Create a missing SQLite database file with mode 0600 (SQLite gives its journal and WAL files the
    database file's mode), instead of leaving it to the process's umask."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass  # there already, or no such directory (SQLite will say so when it connects)


def make_sessionmaker(engine: AsyncEngine, keys: object | None = None) -> async_sessionmaker:
    """``keys`` (a ``KeySource``) lets the ORM open and seal encrypted health-information fields."""
    encrypted_fields.register()
    info = {} if keys is None else {encrypted_fields.KEYS_INFO: keys}
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to run on every start."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: command.upgrade(_alembic_config(sync_conn), revision))


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
