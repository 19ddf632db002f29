"""Tables of the hearing audit log: events, the per-log head, signed checkpoints, timestamps and
the keys that sign them.

Rows that hold signed or hashed material (`data`, `note`, `reply`) store the exact bytes, never a
re-serialisation: a verifier must see what was signed. Nothing here is ever updated except the
head row (`audit_logs`), the `final` flag of a checkpoint (and its note, to add a signature over
the same text), and a signing key's `not_after` and, when it retires, its private part, which is
destroyed.
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
    # Empty once the key is retired: a retired key's private part is destroyed (issue 14
    # point 6), so no later leak of the database and the service key can sign with it.
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    # None while the key is the active one; rotation closes the window.
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditKeyRotation(Base):
    """One rotation of the log key, recorded as an event (canonical JSON, type `key.rotated`)
    in a signed note signed by the retiring and by the new key: the old key hands over to the
    new one, and the new one proves it exists. Stored as the exact bytes signed."""

    __tablename__ = "audit_key_rotations"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditForkReport(Base):
    """A cosigner refused to sign: the service offered a checkpoint that contradicts one the
    cosigner had signed before for the same log (issue 14 point 7). Both notes are kept as
    received; the report is evidence against this service, so it is never deleted."""

    __tablename__ = "audit_fork_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hearing_id: Mapped[str] = mapped_column(HEARING_ID, index=True)
    reporter_id: Mapped[str] = mapped_column(String(64))  # the account that refused
    cosigner: Mapped[str] = mapped_column(String(200))  # its cosigning key name
    reason: Mapped[str] = mapped_column(String(64))  # fork | rollback | bad_proof
    held_note: Mapped[bytes] = mapped_column(LargeBinary)  # what the cosigner signed before
    offered_note: Mapped[bytes] = mapped_column(LargeBinary)  # what it was asked to sign now
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
