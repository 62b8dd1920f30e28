"""responder links can be revoked; who received each responder packet (42 CFR 2.51)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responder_links") as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(36), nullable=True))
    op.create_table(
        "responder_receipts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("link_id", sa.String(36), sa.ForeignKey("responder_links.id"), nullable=False),
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("crises.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("recipient_name", sa.Text(), nullable=False),
        sa.Column("recipient_agency", sa.Text(), nullable=False),
    )
    op.create_index("ix_responder_receipts_link_id", "responder_receipts", ["link_id"])
    op.create_index("ix_responder_receipts_crisis_id", "responder_receipts", ["crisis_id"])


def downgrade() -> None:
    op.drop_index("ix_responder_receipts_crisis_id", "responder_receipts")
    op.drop_index("ix_responder_receipts_link_id", "responder_receipts")
    op.drop_table("responder_receipts")
    with op.batch_alter_table("responder_links") as batch_op:
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_at")
