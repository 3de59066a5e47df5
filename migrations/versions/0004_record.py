"""The integrity chain of each session (the record that transcripts carry).

Reviewed by hand: one link per event, its position unique within the session.

Revision ID: 0004_record
Revises: 0003_facilitation
Create Date: 2026-11-28 00:28:24.290142

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_record'
down_revision = '0003_facilitation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('session_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'position', name='uq_session_event_position')
    )



def downgrade():

    op.drop_table('session_event')

