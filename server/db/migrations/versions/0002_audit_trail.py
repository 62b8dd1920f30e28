"""audit trail

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:52:53.524014
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_records',
    sa.Column('sequence', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('program_id', sa.String(length=36), nullable=True),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.Column('details', sa.String(length=4000), nullable=False),
    sa.Column('previous_hmac', sa.String(length=64), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('sequence')
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_target_id'), ['target_id'], unique=False)


def downgrade() -> None:

    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_records_target_id'))
        batch_op.drop_index(batch_op.f('ix_audit_records_session_id'))
        batch_op.drop_index(batch_op.f('ix_audit_records_program_id'))
        batch_op.drop_index(batch_op.f('ix_audit_records_action'))

    op.drop_table('audit_records')

