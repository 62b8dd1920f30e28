"""monitoring between sessions: check-ins, screener results, check-in schedules and their reminders, a
program's self-harm word list and its own screener instruments; alerts say which rule raised them and
can be acknowledged

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _owned(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, index=True),
        *columns,
    )


def upgrade() -> None:
    _owned("check_ins",
           sa.Column("submitted_at", sa.DateTime(), nullable=False, index=True),
           sa.Column("answers", sa.Text(), nullable=False),
           sa.Column("note", sa.Text(), nullable=True))
    _owned("screener_results",
           sa.Column("instrument", sa.String(64), nullable=False),
           sa.Column("submitted_at", sa.DateTime(), nullable=False),
           sa.Column("answers", sa.Text(), nullable=False),
           sa.Column("result", sa.Text(), nullable=False))
    _owned("check_in_schedules",
           sa.Column("first_day", sa.String(10), nullable=False),
           sa.Column("days", sa.Integer(), nullable=False),
           sa.Column("at", sa.String(5), nullable=False),
           sa.Column("timezone", sa.String(64), nullable=False),
           sa.Column("created_by", sa.String(64), nullable=False),
           sa.Column("created_at", sa.DateTime(), nullable=False),
           sa.Column("replaced_at", sa.DateTime(), nullable=True))
    op.create_table(
        "check_in_reminders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("schedule_id", sa.String(36), sa.ForeignKey("check_in_schedules.id"), nullable=False, index=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.UniqueConstraint("schedule_id", "due_at", name="uq_check_in_reminders_schedule_due"),
    )
    op.create_table(
        "monitoring_vocabularies",
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), primary_key=True),
        sa.Column("phrases", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "program_instruments",
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(sa.Column("rule", sa.String(48), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_note", sa.Text(), nullable=True))
        batch_op.create_unique_constraint("uq_alerts_program_dedupe_key", ["program_id", "dedupe_key"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_constraint("uq_alerts_program_dedupe_key", type_="unique")
        for column in ("acknowledged_note", "acknowledged_by", "acknowledged_at", "dedupe_key", "rule"):
            batch_op.drop_column(column)
    for table in ("program_instruments", "monitoring_vocabularies", "check_in_reminders", "check_in_schedules",
                  "screener_results", "check_ins"):
        op.drop_table(table)
