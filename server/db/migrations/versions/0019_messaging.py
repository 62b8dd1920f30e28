"""secure messaging: a thread per client with their care team, its messages (text encrypted at rest) and
their read receipts

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_threads",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, unique=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("thread_id", sa.String(36), sa.ForeignKey("message_threads.id"), nullable=False, index=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, index=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("sender_kind", sa.String(16), nullable=False),
        sa.Column("sender_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("read_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_table("message_threads")
