"""durable crisis escalation steps; on PostgreSQL, procrastinate's job queue schema

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import await_only

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_steps",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("crises.id"), nullable=False, index=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("participant_id", sa.String(64), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("armed_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_crisis_steps_state_due", "crisis_steps", ["state", "due_at"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _procrastinate_schema(bind)


def _procrastinate_schema(bind) -> None:
    """procrastinate's own tables and functions (its ``schema.sql``, several statements, hence the
    driver connection), once: the steps of several nodes run on its queue."""
    from procrastinate.schema import SchemaManager

    if bind.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return
    driver = bind.connection.dbapi_connection.driver_connection  # asyncpg, inside this migration's transaction
    await_only(driver.execute(SchemaManager.get_schema()))


def downgrade() -> None:
    op.drop_index("ix_crisis_steps_state_due", table_name="crisis_steps")
    op.drop_table("crisis_steps")
