"""Presence rows name the server process that holds the socket and when it last confirmed
it, so that each process cleans up only its own rows, and rows of a process that died
expire, instead of every row being cleared whenever any process starts.

Reviewed by hand: rows written before this revision have no process and no time; they are
dropped here (they belong to sockets of processes that stopped for the upgrade), and every
new row carries both.

Revision ID: 0005_presence_process
Revises: 0004_record
Create Date: 2026-12-03 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_presence_process'
down_revision = '0004_record'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM presence")
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_id', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_presence_seen_at', ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.drop_index('ix_presence_seen_at')
        batch_op.drop_column('seen_at')
        batch_op.drop_column('process_id')
