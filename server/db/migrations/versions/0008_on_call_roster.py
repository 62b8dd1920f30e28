"""on-call roster: who covers which hours, with backups

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "on_call_rosters",
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), primary_key=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "on_call_shifts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("on_call_rosters.program_id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.String(36), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(8), nullable=False),
        sa.Column("end", sa.String(8), nullable=False),
        sa.Column("coverage", sa.String(16), nullable=False),
    )
    with op.batch_alter_table("on_call_shifts") as batch_op:
        batch_op.create_index("ix_on_call_shifts_program_id", ["program_id"])
        batch_op.create_index("ix_on_call_shifts_clinician_id", ["clinician_id"])


def downgrade() -> None:
    op.drop_table("on_call_shifts")
    op.drop_table("on_call_rosters")
