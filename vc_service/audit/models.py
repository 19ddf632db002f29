"""Tables of the hearing audit log: events, the per-log head, signed checkpoints, timestamps and
the keys that sign them.

Rows that hold signed or hashed material (`data`, `note`, `reply`) store the exact bytes, never a
re-serialisation: a verifier must see what was signed. Nothing here is ever updated except the
head row (`audit_logs`), the `final` flag of a checkpoint and a signing key's `not_after`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vc_service.db import Base, UTCDateTime, new_id, utcnow

HEARING_ID = String(64)


class AuditLog(Base):
    """The head of one hearing's log. Its row lock (PostgreSQL) or the database write lock
    (SQLite) is what serialises `seq` allocation across tasks and server processes."""

    __tablename__ = "audit_logs"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    origin: Mapped[str] = mapped_column(String(255))
    # Number of committed events, so also the next `seq`.
    size: Mapped[int] = mapped_column(Integer, default=0)
    # Set in the transaction that appends `hearing.closed`: the log takes no event after it.
    closed_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    # The primary key is the last guard against a fork: two events can never share a seq.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the canonical JSON, exactly as hashed
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)  # SHA-256(0x00 ‖ data)


class AuditCheckpoint(Base):
    """A signed note over (origin, size, root), stored as the exact bytes that were signed."""

    __tablename__ = "audit_checkpoints"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[bytes] = mapped_column(LargeBinary)
    key_name: Mapped[str] = mapped_column(String(500))  # the signing key names, space-separated
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditCosignature(Base):
    """One verified cosignature line over a checkpoint, from a registered cosigner."""

    __tablename__ = "audit_cosignatures"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cosigner: Mapped[str] = mapped_column(String(200), primary_key=True)
    line: Mapped[str] = mapped_column(Text)  # "— name base64(keyid ‖ timestamp ‖ sig)"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditCosigner(Base):
    """A second signer (e.g. the requested-state authority) registered for one hearing."""

    __tablename__ = "audit_cosigners"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw 32-byte Ed25519 key
    key_id: Mapped[str] = mapped_column(String(8))  # hex of the 4-byte C2SP key id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditTimestamp(Base):
    """An RFC 3161 token over a checkpoint's note text, with the request it answers (the
    request lets `openssl ts -verify -queryfile` check the nonce)."""

    __tablename__ = "audit_timestamps"

    hearing_id: Mapped[str] = mapped_column(HEARING_ID, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    query: Mapped[bytes] = mapped_column(LargeBinary)  # DER TimeStampReq (.tsq)
    reply: Mapped[bytes] = mapped_column(LargeBinary)  # DER TimeStampResp (.tsr)
    gen_time: Mapped[datetime] = mapped_column(UTCDateTime())
    tsa_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditSigningKey(Base):
    """An Ed25519 log signing key. The private key is encrypted with the service key; the public
    key and its validity window are published in the trust policy for as long as any log it
    signed may be verified, so rows are never deleted."""

    __tablename__ = "audit_signing_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key_id: Mapped[str] = mapped_column(String(8))  # hex of the 4-byte C2SP key id
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw 32 bytes
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    # None while the key is the active one; rotation closes the window.
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
