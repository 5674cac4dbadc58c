"""appointments found by status and start

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

The automatic no-show check runs on every calendar refresh: it asks for the appointments
still booked or confirmed whose time has passed. With this index that is two short range
scans, however many years of arrived appointments the file holds.
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_appointments_status_start', 'appointments', ['status', 'starts_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_appointments_status_start', table_name='appointments')
