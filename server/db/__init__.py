"""Durable records: the engine, the tables, migrations and field encryption at rest."""
