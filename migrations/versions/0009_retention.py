"""Sessions remember when the retention period removed their members' personal data.

Reviewed by hand: one nullable column; no session has had its data removed yet.

Revision ID: 0009_retention
Revises: 0008_security_log
Create Date: 2026-12-03 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_retention'
down_revision = '0008_security_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_removed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.drop_column('personal_data_removed_at')
