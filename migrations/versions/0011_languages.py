"""Languages: what each message was written in, interpreters' translations, the glossary of
contested names, and each person's time zone and choice of translations.

Reviewed by hand: every new column is nullable (existing messages have no recorded
language and are no translation; existing people keep the session's time zone and see the
translations into their own language); two new tables.

Revision ID: 0011_languages
Revises: 0010_account_security
Create Date: 2026-12-03 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_languages'
down_revision = '0010_account_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('translation_view', sa.String(length=8), nullable=True))
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('translation_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_message_translation_of_id'), ['translation_of_id'], unique=False)
        batch_op.create_foreign_key('fk_message_translation_of_id_message', 'message',
                                    ['translation_of_id'], ['id'])
    op.create_table(
        'message_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('body_source', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('replaced_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('message_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_revision_message_id'), ['message_id'], unique=False)
    op.create_table(
        'glossary_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=32), nullable=True),
        sa.Column('concept', sa.String(length=200), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('forms', sa.JSON(), nullable=False),
        sa.Column('neutral', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('glossary_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glossary_entry_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('glossary_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glossary_entry_session_id'))
    op.drop_table('glossary_entry')
    with op.batch_alter_table('message_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_revision_message_id'))
    op.drop_table('message_revision')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_message_translation_of_id_message', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_message_translation_of_id'))
        batch_op.drop_column('edited_at')
        batch_op.drop_column('translation_of_id')
        batch_op.drop_column('lang')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('translation_view')
        batch_op.drop_column('time_zone')
