"""hearing offence: the offence scope of a criminal hearing (UNTOC / UNCAC), for the legal check

Revision ID: 0004_hearing_offence
Revises: 0003_hearings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hearing_offence"
down_revision = "0003_hearings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: every existing hearing was judged without an offence scope, which is what NULL
    # says; no backfill.
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offence", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_column("offence")
