"""Per-session member ids: each membership gets an opaque, random public id, which every
payload, page and transcript uses to name members instead of the account id (protocol
version 2).

Reviewed by hand: the column is added nullable, every existing membership gets a fresh
random id (never derived from the account), then it becomes required and unique.

Revision ID: 0006_member_ids
Revises: 0005_presence_process
Create Date: 2026-12-03 15:45:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_member_ids'
down_revision = '0005_presence_process'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
    membership = sa.table('membership', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    connection = op.get_bind()
    for (membership_id,) in connection.execute(sa.select(membership.c.id)).all():
        connection.execute(membership.update().where(membership.c.id == membership_id)
                           .values(public_id=secrets.token_urlsafe(12)))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint('uq_membership_public_id', ['public_id'])


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint('uq_membership_public_id', type_='unique')
        batch_op.drop_column('public_id')
