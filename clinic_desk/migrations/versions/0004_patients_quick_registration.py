"""patients may be registered with name and phone only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

A caller booking by phone gives a name and a phone number; sex and date of birth are asked
when the patient arrives. Both columns become nullable; a patient missing either is one
whose details are still to be completed (no separate flag that could disagree with them).

SQLite changes a column's NOT NULL by copying the table. `clinic_desk.migrate.upgrade`
runs migrations with foreign key enforcement off, so dropping the old copy neither cascades
to the patients' conditions and search terms nor trips the visits that refer to them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SEX = sa.Enum('female', 'male', name='sex', native_enum=False, length=32)


def _details_required(required: bool) -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.alter_column('sex', existing_type=SEX, nullable=not required)
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=not required)


def upgrade() -> None:
    _details_required(False)


def downgrade() -> None:
    incomplete = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM patients WHERE sex IS NULL OR birth_date IS NULL")).scalar_one()
    if incomplete:
        raise RuntimeError(f"{incomplete} patients have no sex or date of birth yet: complete "
                           "their details before going back to a version that requires them")
    _details_required(True)
