"""follow-up plans made when a crisis closes

Revision ID: 0009
Revises: 0008

Depends only on tables of 0007 and earlier (crises, clients, programs), never on 0008's.
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(f"ix_{table}_{column}", [column])


def upgrade() -> None:
    op.create_table(
        "follow_up_plans",
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("crises.id"), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("responsible_clinician_id", sa.String(64), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("include_family_debrief", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    _index("follow_up_plans", "client_id", "program_id")
    op.create_table(
        "follow_up_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("follow_up_plans.crisis_id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
    )
    _index("follow_up_items", "crisis_id")


def downgrade() -> None:
    op.drop_table("follow_up_items")
    op.drop_table("follow_up_plans")
