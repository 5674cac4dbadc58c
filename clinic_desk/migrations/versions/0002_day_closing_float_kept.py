"""day closings keep the float left in the drawer

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The cash left in the drawer at a close is the next day's opening float; the rest of the
counted cash is handed over. A plain ADD COLUMN keeps the table (and its append-only
triggers) as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clinic_desk.models import append_only

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('day_closings', sa.Column('float_kept', sa.BigInteger(), nullable=False,
                                            server_default='0'))


def downgrade() -> None:
    # SQLite drops the column by copying the table, which loses its triggers: they are
    # created again on the new table (PostgreSQL alters the table in place).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for statement in append_only.drop_statements('sqlite', ('day_closings',)):
            op.execute(statement)
    with op.batch_alter_table('day_closings', schema=None) as batch_op:
        batch_op.drop_column('float_kept')
    if sqlite:
        for statement in append_only.create_statements('sqlite', ('day_closings',)):
            op.execute(statement)
