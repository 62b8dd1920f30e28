"""between sessions: programs have a time zone, office hours and a crisis line; clients their own
therapist and contact; sessions opened on demand by a help press; the client's standing link; the
session booked for a follow-up item

Revision ID: 0016
Revises: 0015
"""
import os

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programs") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))
        batch_op.add_column(sa.Column("office_hours", sa.String(100), nullable=False,
                                      server_default="Mon-Fri 09:00-17:00"))
        batch_op.add_column(sa.Column("crisis_line", sa.String(40), nullable=True))
    # programs made before had the deployment's one time zone: keep reading their times on it
    zone = os.environ.get("STEADYLINE_PROGRAM_TIMEZONE")
    if zone:
        op.execute(sa.text("UPDATE programs SET timezone = :zone").bindparams(zone=zone))
    with op.batch_alter_table("clients") as batch_op:
        batch_op.add_column(sa.Column("therapist_id", sa.String(36), nullable=True))
        batch_op.create_foreign_key("fk_clients_therapist_id_staff", "staff", ["therapist_id"], ["id"])
        batch_op.add_column(sa.Column("email", sa.String(2048), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(2048), nullable=True))
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(sa.Column("on_demand", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("follow_up_items") as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.String(36), nullable=True))
    op.create_table(
        "home_links",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, index=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("home_links")
    with op.batch_alter_table("follow_up_items") as batch_op:
        batch_op.drop_column("session_id")
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_column("on_demand")
    with op.batch_alter_table("clients") as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
        batch_op.drop_constraint("fk_clients_therapist_id_staff", type_="foreignkey")
        batch_op.drop_column("therapist_id")
    with op.batch_alter_table("programs") as batch_op:
        batch_op.drop_column("crisis_line")
        batch_op.drop_column("office_hours")
        batch_op.drop_column("timezone")
