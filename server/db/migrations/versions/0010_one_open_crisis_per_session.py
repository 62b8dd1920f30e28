"""at most one open crisis per session (partial unique index)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OPEN = sa.text("state != 'closed'")


def upgrade() -> None:
    op.create_index("uq_crises_open_per_session", "crises", ["session_id"], unique=True,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)


def downgrade() -> None:
    op.drop_index("uq_crises_open_per_session", table_name="crises")
