"""crisis sessions: header, timeline events, responder links

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(f"ix_{table}_{column}", [column])


def upgrade() -> None:
    op.create_table(
        "crises",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by_id", sa.String(64), nullable=False),
        sa.Column("opened_by_role", sa.String(32), nullable=False),
        sa.Column("responsible_clinician_id", sa.String(64), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
    )
    _index("crises", "session_id", "client_id", "program_id")
    op.create_table(
        "crisis_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("crises.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.UniqueConstraint("crisis_id", "seq", name="uq_crisis_event_seq"),
    )
    _index("crisis_events", "crisis_id")
    op.create_table(
        "responder_links",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("crisis_id", sa.String(64), sa.ForeignKey("crises.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("packet", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    _index("responder_links", "crisis_id", "program_id")


def downgrade() -> None:
    for table in ("responder_links", "crisis_events", "crises"):
        op.drop_table(table)
