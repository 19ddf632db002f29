"""Courts, staff accounts, sign-in sessions and the append-only record of sign-in attempts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vc_service.db import Base, UTCDateTime, new_id, utcnow

# The languages of the staff pages (web/static/i18n/staff/<language>.json).
STAFF_LANGUAGES = ("en", "fr", "de", "es")


class Role(enum.StrEnum):
    JUDGE = "judge"
    CLERK = "clerk"
    AUTHORITY = "authority"
    ADMIN = "admin"


class Court(Base):
    __tablename__ = "courts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    court_id: Mapped[str] = mapped_column(ForeignKey("courts.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The staff pages' language the person chose (one of STAFF_LANGUAGES); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True, default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP secret is encrypted with the service key (AES-GCM), never stored in clear.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    totp_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last accepted TOTP time step: a code is accepted once (no replay within its window).
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class SignInStep(Base):
    """Password accepted, second factor pending: a short-lived ticket, stored hashed."""

    __tablename__ = "sign_in_steps"

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "totp" or "enrol"
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pending_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class AuthEvent(Base):
    """Every sign-in success and failure, append-only; it feeds the audit trail."""

    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
