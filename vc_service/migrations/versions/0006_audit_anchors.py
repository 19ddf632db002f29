"""audit anchors: log key rotations signed by both keys, and the cosigners' fork reports

Revision ID: 0006_audit_anchors
Revises: 0002_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_audit_anchors"
# A branch from the audit tables (migrate.py upgrades every head), so it orders with no other
# feature's migration.
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_key_rotations",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_key_rotations")),
    )
    op.create_table(
        "audit_fork_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hearing_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_id", sa.String(length=64), nullable=False),
        sa.Column("cosigner", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("held_note", sa.LargeBinary(), nullable=False),
        sa.Column("offered_note", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_fork_reports")),
    )
    with op.batch_alter_table("audit_fork_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_fork_reports_hearing_id"), ["hearing_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_fork_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_fork_reports_hearing_id"))
    op.drop_table("audit_fork_reports")
    op.drop_table("audit_key_rotations")
