"""Sessions say whether the room shows that people are writing (the typing indicator).

Reviewed by hand: one boolean column with a server default of true, so every existing
session keeps the platform's default; nothing else changes.

Revision ID: 0012_typing
Revises: 0011_languages
Create Date: 2026-12-04 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_typing'
down_revision = '0011_languages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typing_indicator', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('dialogue_session', schema=None) as batch_op:
        batch_op.drop_column('typing_indicator')
