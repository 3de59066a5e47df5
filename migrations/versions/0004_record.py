"""The integrity chain of each session (the record that transcripts carry), and the
session's transcript settings: preface, closing summary, time zone, and what publishing froze.

Reviewed by hand: one link per event, its position unique within the session; new session
columns carry server defaults.

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
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transcript_preface', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('transcript_summary', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))
        batch_op.add_column(sa.Column('published_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_attribution', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('published_public', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        for column in ('published_public', 'published_attribution', 'published_at', 'published_digest',
                       'time_zone', 'transcript_summary', 'transcript_preface'):
            batch_op.drop_column(column)

    op.drop_table('session_event')

