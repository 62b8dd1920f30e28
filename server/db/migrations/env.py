"""Alembic environment: the connection is handed in by server.db.engine.migrate."""

from alembic import context

from server.db.schema import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
