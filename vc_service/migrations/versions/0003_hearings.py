"""hearings: hearings, participants, invitations, outbox, scheduling lock

Revision ID: 0003_hearings
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_hearings"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    locks = op.create_table(
        "scheduling_locks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_locks")),
    )
    op.create_table(
        "hearings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("judge_id", sa.String(length=36), nullable=False),
        sa.Column("requesting_state", sa.String(length=2), nullable=False),
        sa.Column("requested_state", sa.String(length=2), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("venue_key", sa.String(length=220), nullable=False),
        sa.Column("venue_time_zone", sa.String(length=64), nullable=False),
        sa.Column("proceeding", sa.String(length=16), nullable=False),
        sa.Column("case_reference", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_requested", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("legal_decision", sa.JSON(), nullable=False),
        sa.Column("legal_outcome", sa.String(length=16), nullable=False),
        sa.Column("legal_review", sa.JSON(), nullable=True),
        sa.Column("hours_override", sa.Text(), nullable=True),
        sa.Column("conditions_met", sa.JSON(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_hearings_court_id_courts")
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["users.id"], name=op.f("fk_hearings_judge_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearings")),
    )
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hearings_court_id"), ["court_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearings_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearings_judge_id"), ["judge_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hearings_requested_state"), ["requested_state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hearings_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearings_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearings_venue_key"), ["venue_key"], unique=False)

    op.create_table(
        "hearing_participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hearing_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("heard", sa.Boolean(), nullable=False),
        sa.Column("consent", sa.String(length=8), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("person_key", sa.String(length=260), nullable=False),
        sa.Column("join_nonce_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_hearing_participants_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_participants")),
        sa.UniqueConstraint(
            "hearing_id", "person_key", name=op.f("uq_hearing_participants_hearing_id")
        ),
    )
    with op.batch_alter_table("hearing_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hearing_participants_hearing_id"), ["hearing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hearing_participants_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hearing_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("attachment_enc", sa.LargeBinary(), nullable=True),
        sa.Column("attachment_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_outbox_messages_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_hearing_id"), ["hearing_id"], unique=False
        )

    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hearing_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("code_secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("code_counter", sa.Integer(), nullable=False),
        sa.Column("code_failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("issued_by", sa.String(length=36), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_invitations_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["hearing_participants.id"],
            name=op.f("fk_invitations_participant_id_hearing_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_hearing_id"), ["hearing_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invitations_participant_id"), ["participant_id"], unique=False
        )
    # The one row every scheduling transaction locks first (see models.SchedulingLock).
    op.bulk_insert(locks, [{"id": 1, "counter": 0}])


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_participant_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_hearing_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_hearing_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_created_at"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("hearing_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearing_participants_person_key"))
        batch_op.drop_index(batch_op.f("ix_hearing_participants_hearing_id"))

    op.drop_table("hearing_participants")
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearings_venue_key"))
        batch_op.drop_index(batch_op.f("ix_hearings_state"))
        batch_op.drop_index(batch_op.f("ix_hearings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_hearings_requested_state"))
        batch_op.drop_index(batch_op.f("ix_hearings_judge_id"))
        batch_op.drop_index(batch_op.f("ix_hearings_ends_at"))
        batch_op.drop_index(batch_op.f("ix_hearings_court_id"))

    op.drop_table("hearings")
    op.drop_table("scheduling_locks")
