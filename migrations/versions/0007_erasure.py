"""Accounts remember when their owner asked to be forgotten (their personal data erased).

Reviewed by hand: one nullable column; no existing account is erased.

Revision ID: 0007_erasure
Revises: 0006_member_ids
Create Date: 2026-12-03 16:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_erasure'
down_revision = '0006_member_ids'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
