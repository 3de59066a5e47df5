"""Account security: two-factor sign-in for staff, and what a login remembers about itself.

Reviewed by hand: nullable columns and one with a server default; existing logins get no
last-seen time (they count from when they began) and an empty device description.

Revision ID: 0010_account_security
Revises: 0009_retention
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_account_security'
down_revision = '0009_retention'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('device', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('network', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('network')
        batch_op.drop_column('device')
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
