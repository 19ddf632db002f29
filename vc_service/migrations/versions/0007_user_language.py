"""user language: the language a staff member chose for the staff pages (NULL: the browser's)

Revision ID: 0007_user_language
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_user_language"
# A branch from the accounts tables (migrate.py upgrades every head), so it orders with no other
# feature's migration.
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no backfill: nobody has chosen yet, and NULL lets the browser's languages decide.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
