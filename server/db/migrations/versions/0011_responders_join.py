"""responder links may let the responder join the call

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responder_links") as batch_op:
        batch_op.add_column(sa.Column("allow_join", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("participant_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responder_links") as batch_op:
        batch_op.drop_column("participant_id")
        batch_op.drop_column("allow_join")
