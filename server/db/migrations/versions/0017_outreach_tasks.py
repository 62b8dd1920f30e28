"""outreach tasks: a client who missed a session, for the care team to reach out to; when a participant
was first let in (kept after they leave: a missed session is one never attended)

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.add_column(sa.Column("attended_at", sa.DateTime(), nullable=True))
    op.execute(sa.text("UPDATE participants SET attended_at = admitted_at WHERE admitted_at IS NOT NULL"))
    op.create_table(
        "outreach_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, index=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("participant_id", sa.String(36), sa.ForeignKey("participants.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("therapist_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_to", sa.String(36), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(36), nullable=True),
        sa.Column("note", sa.String(2048), nullable=True),
        sa.UniqueConstraint("participant_id", "kind", name="uq_outreach_tasks_participant_kind"),
    )


def downgrade() -> None:
    op.drop_table("outreach_tasks")
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("attended_at")
