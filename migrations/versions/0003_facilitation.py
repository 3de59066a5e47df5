"""Facilitation: agenda phases, pause and lock, floor control and raised hands, balance
display, pseudonymous sessions, hidden presence, consent records, materials, and the
staff back-channel and phase of each message.

Reviewed by hand from Alembic's draft: new columns carry server defaults so existing rows
stay valid (existing messages are in the room channel, before any phase); consent is
append-only, indexed for "latest choice of this member in this session".

Revision ID: 0003_facilitation
Revises: 0002_moderation
Create Date: 2026-11-27 23:42:51.897327

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_facilitation'
down_revision = '0002_moderation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('agenda_phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'position', name='uq_agenda_phase_position')
    )
    with op.batch_alter_table('agenda_phase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_phase_session_id'), ['session_id'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('naming', sa.String(length=10), nullable=False),
    sa.Column('include', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_session_user', ['session_id', 'user_id', 'id'], unique=False)

    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_session_id'), ['session_id'], unique=False)

    op.create_table('raised_hand',
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id')
    )
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('pseudonymous', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('phase_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phase_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('phase_ends_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('floor_mode', sa.String(length=10), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('floor_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('floor_ends_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('floor_last_side', sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column('floor_seconds', sa.Integer(), server_default='120', nullable=False))
        batch_op.add_column(sa.Column('show_balance', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('nudge_after_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('share_alert_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('share_alert_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dialogue_session_floor_ends_at'), ['floor_ends_at'], unique=False)
        batch_op.create_foreign_key('fk_dialogue_session_floor_user_id_user', 'user', ['floor_user_id'], ['id'])

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_presence', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('nudged_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=5), server_default='room', nullable=False))
        batch_op.add_column(sa.Column('phase_index', sa.Integer(), nullable=True))




def downgrade():

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('phase_index')
        batch_op.drop_column('channel')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('nudged_at')
        batch_op.drop_column('hide_presence')

    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('fk_dialogue_session_floor_user_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dialogue_session_floor_ends_at'))
        batch_op.drop_column('paused_at')
        batch_op.drop_column('share_alert_at')
        batch_op.drop_column('share_alert_percent')
        batch_op.drop_column('nudge_after_minutes')
        batch_op.drop_column('show_balance')
        batch_op.drop_column('floor_seconds')
        batch_op.drop_column('floor_last_side')
        batch_op.drop_column('floor_ends_at')
        batch_op.drop_column('floor_user_id')
        batch_op.drop_column('floor_mode')
        batch_op.drop_column('phase_ends_at')
        batch_op.drop_column('phase_started_at')
        batch_op.drop_column('phase_index')
        batch_op.drop_column('pseudonymous')
        batch_op.drop_column('locked')

    op.drop_table('raised_hand')
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_session_id'))

    op.drop_table('material')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_session_user')

    op.drop_table('consent')
    with op.batch_alter_table('agenda_phase', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_phase_session_id'))

    op.drop_table('agenda_phase')

