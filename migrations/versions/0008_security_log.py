"""The security log: sign-ins, failed sign-ins, tokens, deactivations, exports, publications
and erasures, append-only, with a truncated network address.

Reviewed by hand: a new table; user references become NULL if an account row is ever
deleted (the log outlives it); indexes for the admin page's filters and order.

Revision ID: 0008_security_log
Revises: 0007_erasure
Create Date: 2026-12-03 16:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_security_log'
down_revision = '0007_erasure'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.String(length=32), nullable=True),
    sa.Column('network', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index('ix_security_event_kind', ['kind'], unique=False)
        batch_op.create_index('ix_security_event_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_security_event_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_event_created_at')
        batch_op.drop_index('ix_security_event_actor_id')
        batch_op.drop_index('ix_security_event_kind')
    op.drop_table('security_event')
