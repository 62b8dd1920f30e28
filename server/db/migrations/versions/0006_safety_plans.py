"""safety plans, consent, confirmed locations, local resources and alerts

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("local_resources", "client_locations", "alerts", "disclosure_overrides", "consent_grants",
          "safety_plan_versions", "safety_plans", "plan_templates")


def _index(table: str, *columns: str, unique: bool = False) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(f"ix_{table}_{column}", [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False, unique=True),
        sa.Column("template_json", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "safety_plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, unique=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    _index("safety_plans", "program_id")
    op.create_table(
        "safety_plan_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("safety_plans.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_version_number"),
    )
    _index("safety_plan_versions", "plan_id")
    op.create_table(
        "consent_grants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("party_kind", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    _index("consent_grants", "client_id", "program_id")
    op.create_table(
        "disclosure_overrides",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("crisis_id", sa.String(64), nullable=False),
        sa.Column("clinician_id", sa.String(36), nullable=False),
        sa.Column("party_kind", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=True),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    _index("disclosure_overrides", "client_id", "program_id")
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("recipient_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    _index("alerts", "program_id")
    op.create_table(
        "client_locations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("participant_id", sa.String(36), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("geolocation", sa.Text(), nullable=True),
        sa.Column("has_geolocation", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
    )
    _index("client_locations", "client_id", "program_id")
    op.create_table(
        "local_resources",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("programs.id"), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("program_id", "resource_id", name="uq_program_resource"),
    )
    _index("local_resources", "program_id")


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
