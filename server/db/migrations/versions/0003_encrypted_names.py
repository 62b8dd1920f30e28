"""encrypted display names need room for AES-GCM tokens

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("clients", "participants"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("display_name", type_=sa.String(length=2048), existing_nullable=False)


def downgrade() -> None:
    for table in ("clients", "participants"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("display_name", type_=sa.String(length=200), existing_nullable=False)
