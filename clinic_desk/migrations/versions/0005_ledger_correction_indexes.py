"""the ledger rows a correction wrote are found by index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

The correction register and the day's reconciliation read the charges, discounts and
payments that each correction of a period wrote; without these indexes each such read
scans a table holding the clinic's whole history. Creating an index leaves the tables
(and their append-only triggers) as they are.
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('charges', 'discounts', 'payments')


def upgrade() -> None:
    for table in TABLES:
        op.create_index(op.f(f'ix_{table}_correction_id'), table, ['correction_id'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f'ix_{table}_correction_id'), table_name=table)
