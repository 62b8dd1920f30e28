"""the live dashboard: an alert can be assigned to a clinician and resolved with a note (encrypted)

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
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
