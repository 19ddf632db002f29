"""Log signing keys and registered cosigners.

The service generates its Ed25519 log key on first use and keeps it encrypted with the service
key (purpose `audit-signing-key`, the key's name as associated data, so a ciphertext cannot be
moved to another row). Rotation closes the active key's validity window and opens a new key's
window at the same instant. Before the old key retires it signs, with the new key, the pending
checkpoints of logs not yet sealed (so each of them verifies by either reference time) and the
rotation itself, an event `key.rotated` in a signed note carrying both keys' signatures; then
its private part is destroyed in the same transaction that stores that note (issue 14 point 6:
the database and the service key leaked together give the current key, never a retired one).
Key rows are never deleted: verifiers need the public halves, with their windows, in the trust
policy for as long as any hearing they signed is checked.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.audit import AuditError
from vc_service.audit.bundle import verifier_pins
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import (
    SIG_TYPE_COSIGNATURE_V1,
    SIG_TYPE_ED25519,
    CheckpointError,
    SignedNote,
    Signer,
    TrustedKey,
    check_key_name,
    key_id,
    parse_signed_note,
    verify_log_signatures,
)
from vc_service.audit.events import format_ts
from vc_service.audit.models import AuditCosigner, AuditKeyRotation, AuditSigningKey
from vc_service.audit.policy import POLICY_VERSION, policy_from_dict
from vc_service.db import Database, new_id, utcnow
from vc_service.service_key import ServiceKey

PURPOSE = "audit-signing-key"
ROTATION_EVENT = "key.rotated"
DESTROYED = b""  # private_key_enc of a retired key

# Called with (old, new) signers before the old key's private part is destroyed.
BeforeRetire = Callable[[list[Signer]], Awaitable[None]]


class CosignerExists(AuditError):
    """The name is taken by another key for this hearing: a conflict, not a malformed input."""

    status = 409
    code = "audit.cosigner.exists"


@dataclass(frozen=True)
class KeyInfo:
    """The public facts of a log signing key (what the trust policy publishes)."""

    name: str
    key_id: str  # hex of the 4-byte C2SP key id
    public_key: bytes  # raw 32 bytes
    not_before: datetime
    not_after: datetime | None

    @property
    def active(self) -> bool:
        return self.not_after is None

    def trusted(self) -> TrustedKey:
        return TrustedKey(self.name, self.public_key, SIG_TYPE_ED25519)


def _info(row: AuditSigningKey) -> KeyInfo:
    return KeyInfo(row.name, row.key_id, bytes(row.public_key), row.not_before, row.not_after)


class SigningKeys:
    def __init__(self, db: Database, key: ServiceKey, origin_domain: str) -> None:
        self.db = db
        self._key = key
        self.origin_domain = origin_domain
        self._signers: dict[str, Signer] = {}  # decrypted once per key and process
        # The checkpoint signer sets this: what the old key must still sign before it goes.
        self.before_retire: BeforeRetire | None = None

    def _new_row(self, number: int, now: datetime) -> AuditSigningKey:
        name = f"{self.origin_domain}/audit-key/{number}"
        check_key_name(name)
        private = Ed25519PrivateKey.generate()
        raw_private = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return AuditSigningKey(
            id=new_id(),
            name=name,
            key_id=key_id(name, SIG_TYPE_ED25519, public).hex(),
            public_key=public,
            private_key_enc=self._key.encrypt(PURPOSE, raw_private, name.encode()),
            not_before=now,
            not_after=None,
            created_at=now,
        )

    async def rotate(self) -> KeyInfo:
        """Make a new key the active one; the old one's window closes now, it signs the
        rotation with the new key, and its private part is destroyed."""
        for _ in range(3):
            async with self.db.session() as session:
                rows = (await session.execute(select(AuditSigningKey))).scalars().all()
            old = next((row for row in rows if row.not_after is None), None)
            row = self._new_row(len(rows) + 1, utcnow())
            signers = [] if old is None else [self._decrypted(old), self._decrypted(row)]
            if signers and self.before_retire is not None:
                # Both keys sign what is pending, before the old window closes: each such log
                # then verifies whether its reference time falls before or after the rotation.
                await self.before_retire(signers)
            try:
                async with self.db.transaction() as session:
                    now = utcnow()
                    row.not_before = row.created_at = now
                    closed = await session.execute(
                        update(AuditSigningKey)
                        .where(AuditSigningKey.not_after.is_(None))
                        .values(not_after=now)
                        .returning(AuditSigningKey.id)
                    )
                    if [found for (found,) in closed] != ([] if old is None else [old.id]):
                        raise IntegrityError("rotate", None, ValueError("rotated meanwhile"))
                    session.add(row)
                    if old is not None:
                        await self._retire(session, old, row, signers, now)
                self._signers.pop(old.id if old is not None else "", None)
                return _info(row)
            except IntegrityError:
                self._signers.pop(row.id, None)
                continue  # another process rotated at the same moment: take the next number
        raise AuditError("audit.key.rotation_conflict", "could not rotate the log signing key")

    async def _retire(
        self,
        session: AsyncSession,
        old: AuditSigningKey,
        new: AuditSigningKey,
        signers: list[Signer],
        now: datetime,
    ) -> None:
        number = len((await session.execute(select(AuditKeyRotation.seq))).all())
        event = {
            "log": f"{self.origin_domain}/audit-keys",
            "seq": number,
            "ts": format_ts(now),
            "type": ROTATION_EVENT,
            "actor": {"role": "operator", "id": "vc-service"},
            "old": _key_fields(old, now),
            "new": _key_fields(new, None),
        }
        body = canonical_bytes(event) + b"\n"
        note = SignedNote(body, tuple(signer.sign(body) for signer in signers)).to_bytes()
        session.add(AuditKeyRotation(seq=number, note=note, created_at=now))
        if session.get_bind().dialect.name == "sqlite":
            # Overwrite the freed bytes in the file instead of leaving them in free pages.
            await session.execute(text("PRAGMA secure_delete = ON"))
        await session.execute(
            update(AuditSigningKey)
            .where(AuditSigningKey.id == old.id)
            .values(private_key_enc=DESTROYED)
        )

    async def rotations(self) -> list[bytes]:
        """Every rotation's signed note, oldest first."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(AuditKeyRotation.note).order_by(AuditKeyRotation.seq)
            )
            return [bytes(note) for (note,) in rows]

    async def active(self) -> KeyInfo:
        """The active key, generated on first use."""
        row = await self._active_row()
        return _info(row)

    async def _active_row(self) -> AuditSigningKey:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(AuditSigningKey).where(AuditSigningKey.not_after.is_(None))
                )
            ).scalar_one_or_none()
        if row is not None:
            return row
        try:
            async with self.db.transaction() as session:
                row = self._new_row(1, utcnow())
                session.add(row)
            return row
        except IntegrityError:
            # Another process created the first key at the same time: use it.
            return await self._active_row()

    async def signer(self) -> Signer:
        """A `Signer` for the active key."""
        return self._decrypted(await self._active_row())

    async def signers_for(self, moment: datetime) -> list[Signer]:
        """Signers for a checkpoint whose last event is dated `moment`: the key whose window
        contains `moment` (a verifier without a timestamp judges the key at that time) and the
        active key (valid at any later RFC 3161 genTime), once each. Across a rotation the note
        thus carries both signatures, which signed-note verifiers accept by design."""
        active = await self._active_row()
        async with self.db.session() as session:
            then = (
                (
                    await session.execute(
                        select(AuditSigningKey)
                        .where(AuditSigningKey.not_before <= moment)
                        .where(AuditSigningKey.private_key_enc != DESTROYED)
                        .where(
                            AuditSigningKey.not_after.is_(None)
                            | (AuditSigningKey.not_after > moment)
                        )
                        .order_by(AuditSigningKey.not_before)
                    )
                )
                .scalars()
                .first()
            )
        rows = [active] if then is None or then.id == active.id else [then, active]
        return [self._decrypted(row) for row in rows]

    def _decrypted(self, row: AuditSigningKey) -> Signer:
        signer = self._signers.get(row.id)
        if signer is None:
            if bytes(row.private_key_enc) == DESTROYED:
                raise AuditError(
                    "audit.key.retired", f"the private part of {row.name} has been destroyed"
                )
            raw = self._key.decrypt(PURPOSE, bytes(row.private_key_enc), row.name.encode())
            signer = Signer(row.name, Ed25519PrivateKey.from_private_bytes(raw))
            self._signers[row.id] = signer
        return signer

    async def ensure_in(self, session: AsyncSession) -> None:
        """Create the first key inside the caller's transaction if there is none, so it
        predates every event."""
        found = await session.execute(select(AuditSigningKey.id).limit(1))
        if found.first() is not None:
            return
        try:
            # A savepoint, so losing a race with another process does not spoil the caller's
            # transaction: the other process's key is then the first key.
            async with session.begin_nested():
                session.add(self._new_row(1, utcnow()))
        except IntegrityError:
            return

    async def all(self) -> list[KeyInfo]:
        """Every log key ever used, oldest first."""
        async with self.db.session() as session:
            rows = (
                (
                    await session.execute(
                        select(AuditSigningKey).order_by(AuditSigningKey.not_before)
                    )
                )
                .scalars()
                .all()
            )
        return [_info(row) for row in rows]

    # -- cosigners ----------------------------------------------------------------------------

    async def register_cosigner(self, hearing_id: str, name: str, public_key: bytes) -> str:
        """Register the Ed25519 key (raw 32 bytes) a second signer will cosign the hearing's
        final checkpoint with; returns its C2SP key id (hex, type 0x04 `cosignature/v1`)."""
        ident = key_id(name, SIG_TYPE_COSIGNATURE_V1, public_key).hex()
        async with self.db.transaction() as session:
            existing = await session.get(AuditCosigner, (hearing_id, name))
            if existing is not None:
                if bytes(existing.public_key) != public_key:
                    raise CosignerExists(
                        "audit.cosigner.exists",
                        f"cosigner {name} is already registered for hearing {hearing_id} "
                        "with another key",
                        {"hearing_id": hearing_id, "name": name},
                    )
                return ident
            session.add(
                AuditCosigner(
                    hearing_id=hearing_id,
                    name=name,
                    public_key=public_key,
                    key_id=ident,
                    created_at=utcnow(),
                )
            )
        return ident

    async def hearing_policy(
        self,
        hearing_id: str,
        decision: Mapping[str, Any] | None,
        origin_prefix: str,
        *,
        quorum: int | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """The trust policy for one hearing: every log key, the hearing's registered cosigners
        and, unless `quorum` says otherwise, one cosignature required when the decision names
        the requested state's authority (its cosignature is the record's anchor against the
        operator, issue 14 point 7). Refuses to write a policy no bundle could meet."""
        cosigners = await self.cosigners(hearing_id)
        wanted = default_quorum(decision) if quorum is None else quorum
        if wanted > len(cosigners):
            raise AuditError(
                "audit.cosign.missing",
                f"hearing {hearing_id}: the policy requires {wanted} cosignature(s) (the "
                "decision names the requested state's authority) and "
                f"{len(cosigners)} cosigner(s) are registered; have the authority cosign first, "
                "or ask for quorum 0 explicitly",
                {"hearing_id": hearing_id, "quorum": wanted},
            )
        return trust_policy_document(
            await self.all(), origin_prefix, cosigners=cosigners, quorum=wanted, **options
        )

    async def cosigners(self, hearing_id: str) -> list[TrustedKey]:
        async with self.db.session() as session:
            rows = (
                (
                    await session.execute(
                        select(AuditCosigner)
                        .where(AuditCosigner.hearing_id == hearing_id)
                        .order_by(AuditCosigner.name)
                    )
                )
                .scalars()
                .all()
            )
        return [
            TrustedKey(row.name, bytes(row.public_key), SIG_TYPE_COSIGNATURE_V1) for row in rows
        ]


def _key_fields(row: AuditSigningKey, until: datetime | None) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": row.name,
        "key_id": row.key_id,
        "public_key": base64.b64encode(bytes(row.public_key)).decode("ascii"),
        "valid_from": format_ts(row.not_before),
    }
    if until is not None:
        fields["valid_until"] = format_ts(until)
    return fields


def open_rotation(note: bytes) -> dict[str, Any]:
    """The `key.rotated` event of a rotation note, once both the old and the new key named in
    it have verified their signatures over it (the caller compares the keys with its policy)."""
    parsed = parse_signed_note(note)
    if not parsed.body.endswith(b"\n"):
        raise CheckpointError("a rotation note is one event and a newline")
    event = parse_canonical(parsed.body[:-1])
    if event.get("type") != ROTATION_EVENT:
        raise CheckpointError("not a key.rotated event", "audit.key.rotation")
    for side in ("old", "new"):
        key = event.get(side)
        if not isinstance(key, dict):
            raise CheckpointError(f"the rotation has no {side} key", "audit.key.rotation")
        try:
            raw = base64.b64decode(str(key.get("public_key")), validate=True)
            trusted = TrustedKey(str(key.get("name")), raw, SIG_TYPE_ED25519)
        except (ValueError, CheckpointError) as exc:
            raise CheckpointError(f"the {side} key is malformed", "audit.key.rotation") from exc
        # Only this key is trusted here, so the call proves it signed.
        verify_log_signatures(parsed, [trusted])
    return event


# -- the verifier's trust policy ------------------------------------------------------------


def names_requested_authority(decision: Mapping[str, Any] | None) -> bool:
    """Whether the hearing's legal decision gives the requested state's authority a part (a
    condition it satisfies): then that authority attends, and its cosignature anchors the
    record."""
    conditions = (decision or {}).get("conditions") or []
    return any(
        isinstance(condition, Mapping) and "authority" in (condition.get("satisfied_by") or ())
        for condition in conditions
    )


def default_quorum(decision: Mapping[str, Any] | None) -> int:
    return 1 if names_requested_authority(decision) else 0


def trust_policy_document(
    keys: Sequence[KeyInfo],
    origin_prefix: str,
    *,
    cosigners: Sequence[TrustedKey] = (),
    quorum: int = 0,
    tsa_roots: Sequence[tuple[str, str]] = (),
    tsa_policy_oids: Sequence[str] = (),
    max_clock_skew_seconds: int = 300,
) -> dict[str, Any]:
    """The policy (format of `policy.py`) that trusts every log key in its validity window;
    `tsa_roots` are (name, PEM) pairs, and giving any makes a timestamp required."""
    log_keys: list[dict[str, str]] = []
    for info in keys:
        entry = {
            "name": info.name,
            "public_key": base64.b64encode(info.public_key).decode("ascii"),
            "valid_from": format_ts(info.not_before),
        }
        if info.not_after is not None:
            entry["valid_until"] = format_ts(info.not_after)
        log_keys.append(entry)
    doc: dict[str, Any] = {
        "version": POLICY_VERSION,
        "origin_prefix": origin_prefix,
        "cosigner_quorum": quorum,
        "require_timestamp": bool(tsa_roots),
        "max_clock_skew_seconds": max_clock_skew_seconds,
        # The stock-tool verifier a clerk may run, pinned (issue 14 point 1; bundle.py).
        "verifier_sha256": verifier_pins(),
        "log_keys": log_keys,
    }
    if cosigners:
        doc["cosigners"] = [
            {"name": key.name, "public_key": base64.b64encode(key.public_key).decode("ascii")}
            for key in cosigners
        ]
    if tsa_roots:
        doc["tsa_roots"] = [
            {"name": name, "certificate": pem, "policy_oids": list(tsa_policy_oids)}
            for name, pem in tsa_roots
        ]
    # Refuse to hand out a policy the verifier would not read.
    policy_from_dict(json.loads(json.dumps(doc)))
    return doc


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # A JSON string without \\u escapes of non-ASCII is a valid TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def policy_text(doc: dict[str, Any], fmt: str) -> str:
    """Render a policy document as TOML (commented, for people) or JSON."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines = [
        "# vc-service audit trust policy: give it to `vc-service log verify --trust`.",
        "# Distribute it out of band; a verifier never takes keys from a bundle.",
    ]
    tables = {name: value for name, value in doc.items() if isinstance(value, list) and value}
    tables = {name: value for name, value in tables.items() if isinstance(value[0], dict)}
    for name, value in doc.items():
        if name not in tables:
            lines.append(f"{name} = {_toml_value(value)}")
    for name, entries in tables.items():
        for entry in entries:
            lines.append("")
            lines.append(f"[[{name}]]")
            lines.extend(f"{key} = {_toml_value(item)}" for key, item in entry.items())
    return "\n".join(lines) + "\n"
