"""Hearings, their participants, invitations and the outbox, as database rows.

Secrets never rest in clear: an invitation's link token is kept only as its SHA-256, the seed of
its one-time codes and every outbox message body are encrypted with the service key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vc_service.db import Base, UTCDateTime, new_id, utcnow


class ParticipantRole(StrEnum):
    """The roles of a hearing (the same vocabulary as the signaling protocol and the audit log)."""

    JUDGE = "judge"
    AUTHORITY = "authority"  # the requested state's authority
    CLERK = "clerk"
    WITNESS = "witness"
    EXPERT = "expert"
    ACCUSED = "accused"
    VICTIM = "victim"
    PARTY = "party"
    INTERPRETER = "interpreter"
    COUNSEL = "counsel"
    PROSECUTOR = "prosecutor"


# The roles a person heard can have: the legal engine's own role vocabulary.
HEARD_ROLES = frozenset(
    {
        ParticipantRole.WITNESS,
        ParticipantRole.EXPERT,
        ParticipantRole.ACCUSED,
        ParticipantRole.VICTIM,
        ParticipantRole.PARTY,
    }
)
# Roles held by the service's own staff accounts (they are not invited by link).
STAFF_ROLES = frozenset({ParticipantRole.JUDGE, ParticipantRole.CLERK})


class Consent(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Proceeding(StrEnum):
    CIVIL = "civil"
    CRIMINAL = "criminal"


class Hearing(Base):
    __tablename__ = "hearings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    court_id: Mapped[str] = mapped_column(ForeignKey("courts.id"), index=True)
    judge_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    requesting_state: Mapped[str] = mapped_column(String(2))
    requested_state: Mapped[str] = mapped_column(String(2), index=True)
    venue: Mapped[str] = mapped_column(String(200))
    venue_key: Mapped[str] = mapped_column(String(220), index=True)  # state + folded name
    venue_time_zone: Mapped[str] = mapped_column(String(64))
    proceeding: Mapped[str] = mapped_column(String(16))
    # What the criminal proceedings are about, for the UN conventions' scope (UNTOC / UNCAC):
    # organized_crime | corruption | other; NULL when the judge has not said (and in civil cases).
    offence: Mapped[str | None] = mapped_column(String(24), nullable=True)
    case_reference: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recording_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), index=True)
    # The legal engine's full decision, as it returned it, for the current date and parties.
    legal_decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    legal_outcome: Mapped[str] = mapped_column(String(16))
    # A judge's record of the manual review an `unknown` decision needs.
    legal_review: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    hours_override: Mapped[str | None] = mapped_column(Text, nullable=True)
    # `before`-stage conditions recorded as met by the judge: id -> {by, at, note}.
    conditions_met: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Every UPDATE checks the version it read: a concurrent writer's flush fails (StaleDataError).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Participant(Base):
    __tablename__ = "hearing_participants"
    # One person once per hearing: the same witness cannot be invited twice.
    __table_args__ = (UniqueConstraint("hearing_id", "person_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hearing_id: Mapped[str] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    time_zone: Mapped[str] = mapped_column(String(64))
    heard: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # A staff account (judge, clerk, authority) that may join as this participant.
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Who this is across hearings (account id, e-mail or folded name): conflict checks use it.
    person_key: Mapped[str] = mapped_column(String(260), index=True)
    # SHA-256 of the nonce of the one join credential that is currently valid (single use).
    join_nonce_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InvitationStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # a re-issue replaced it


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hearing_id: Mapped[str] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[str] = mapped_column(
        ForeignKey("hearing_participants.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=InvitationStatus.ACTIVE.value)
    # The HOTP seed of the one-time codes, AES-GCM with the service key; the counter is the
    # number of codes used, so a used code never works again.
    code_secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    code_counter: Mapped[int] = mapped_column(Integer, default=0)
    code_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_by: Mapped[str] = mapped_column(String(36))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


class OutboxStatus(StrEnum):
    HELD = "held"  # no mail server configured: shown to the judge and clerk instead
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hearing_id: Mapped[str] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(254), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    # The body may carry a link token or a code: encrypted, associated with the message id.
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    attachment_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    attachment_name: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SchedulingLock(Base):
    """One row that every scheduling transaction updates first.

    Conflict checks read other hearings and then write; taking this row lock first serialises
    them on PostgreSQL (row lock) and SQLite (write lock) alike, so two concurrent bookings of
    the same judge, person or venue cannot both pass the check.
    """

    __tablename__ = "scheduling_locks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(Integer, default=0)
