"""the live dashboard: an alert can be assigned to a clinician and resolved with a note (encrypted)

Revision ID: 0020
Revises: 0019 (secure messaging) when it is present, else 0018

0019 is secure messaging's migration, written on another branch at the same time; until it is merged this
one follows 0018 directly. Once both are merged, replace the expression below with ``"0019"``.
"""
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0020"
# one line of history whichever branch is merged first (two heads would stop ``steadyline migrate``)
down_revision = "0019" if any(Path(__file__).parent.glob("0019_*.py")) else "0018"
branch_labels = None
depends_on = None

COLUMNS = ("assigned_to", "resolved_at", "resolved_by", "resolved_note")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("assigned_to", sa.String(36), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(36), nullable=True))
        batch.add_column(sa.Column("resolved_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
