"""The verifier's trust policy: the only place trust comes from (never the bundle, GHSA-fx35).

A clerk gets this file out of band (from the court's IT, the service operator's published key
page, or the counterpart authority) and passes it to `vc-service log verify FILE.zip --trust
POLICY`. TOML or JSON with the same structure; unknown fields are errors, so a typo cannot
silently drop a requirement. Example (TOML):

    version = 1
    # Every hearing origin must be this prefix followed by a lowercase UUID.
    origin_prefix = "audit.court.example/hearing/"
    # Distinct trusted cosigners whose cosignature/v1 the final checkpoint must carry (0 = none).
    cosigner_quorum = 1
    # Whether the final checkpoint must carry an RFC 3161 timestamp from a trusted TSA
    # (default: true as soon as tsa_roots lists a TSA).
    require_timestamp = true
    # The latest genTime may fall after the last event's ts (default one day): a log cannot be
    # dated further back than this from the moment an independent clock saw it.
    max_timestamp_delay_seconds = 86400
    # Cosignature times may be this far in the future of the verifying machine's clock.
    max_clock_skew_seconds = 300
    # The stock-tool verifier (VERIFY.md, scripts/*.sh) pinned as `sha256sum` lines: a clerk
    # runs only copies that hash to these, never what a bundle brings (issue 14 point 1).
    # (`vc-service keys trust-policy` writes all six; `vc-service log verifier` the files.)
    verifier_sha256 = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  VERIFY.md",
        "5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e  scripts/verify.sh",
    ]

    [[log_keys]]
    name = "audit.court.example/log-2026"     # C2SP key name, as in the signature lines
    public_key = "N2+pepPEq6Es43K2hGsIDG3rXXIlX6SWcvMsMIFjhUQ="  # raw 32 bytes, base64 (or PEM)
    valid_from = "2026-01-01T00:00:00Z"
    valid_until = "2027-01-01T00:00:00Z"      # optional; rotated keys keep their window

    [[cosigners]]
    name = "authority.example.es/witness"
    public_key = '''
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA166E2h86XzBNpL+UIMiwtwWVSvmg5+UndDHXzzfG8JY=
    -----END PUBLIC KEY-----
    '''
    valid_from = "2026-01-01T00:00:00Z"

    [[tsa_roots]]
    name = "Example TSA root"
    certificate = "-----BEGIN CERTIFICATE-----\\n...\\n-----END CERTIFICATE-----\\n"
    # optional: intermediate and TSA certificates, when tokens do not carry them (untrusted)
    untrusted = "-----BEGIN CERTIFICATE-----\\n...\\n-----END CERTIFICATE-----\\n"
    policy_oids = ["1.3.6.1.4.1.99999.1"]    # optional; empty accepts any TSA policy

Times are RFC 3339 UTC (`Z`); TOML may also write them as native date-times. A key is trusted
for a signature only at a time inside [valid_from, valid_until).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vc_service.audit import AuditError
from vc_service.audit.checkpoint import (
    SIG_TYPE_COSIGNATURE_V1,
    SIG_TYPE_ED25519,
    CheckpointError,
    TrustedKey,
    check_key_name,
    raw_public_key,
)

POLICY_VERSION = 1
# How long after the last event sealing may obtain its timestamp: sealing asks at once, but a
# TSA that is down delays it until an operator retries (`vc-service log seal`).
DEFAULT_TIMESTAMP_DELAY = 86400
MAX_TIMESTAMP_DELAY = 30 * 86400
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
_PIN = re.compile(r"[0-9a-f]{64}  (?:VERIFY\.md|scripts/[a-z_]{1,32}\.sh)")


class PolicyError(AuditError):
    """The trust policy is malformed; the message names the field."""

    code = "audit.policy.invalid"

    def __init__(self, message: str, code: str = "audit.policy.invalid") -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class PolicyKey:
    name: str
    public_key: bytes
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def valid_at(self, when: datetime) -> bool:
        if self.valid_from is not None and when < self.valid_from:
            return False
        return self.valid_until is None or when < self.valid_until

    def window(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else "-∞"
        end = self.valid_until.isoformat() if self.valid_until else "+∞"
        return f"[{start}, {end})"


@dataclass(frozen=True)
class TsaRoot:
    name: str
    certificate_pem: bytes
    untrusted_pem: bytes | None = None
    policy_oids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustPolicy:
    origin_prefix: str
    log_keys: tuple[PolicyKey, ...]
    cosigners: tuple[PolicyKey, ...] = ()
    cosigner_quorum: int = 0
    tsa_roots: tuple[TsaRoot, ...] = ()
    require_timestamp: bool = False
    max_clock_skew: timedelta = field(default=timedelta(seconds=300))
    max_timestamp_delay: timedelta = field(default=timedelta(seconds=DEFAULT_TIMESTAMP_DELAY))
    verifier_sha256: tuple[str, ...] = ()  # "<hex>  <path>" of the stock-tool verifier files

    def trusted_log_keys(self) -> list[TrustedKey]:
        return [TrustedKey(k.name, k.public_key, SIG_TYPE_ED25519) for k in self.log_keys]

    def trusted_cosigners(self) -> list[TrustedKey]:
        return [TrustedKey(k.name, k.public_key, SIG_TYPE_COSIGNATURE_V1) for k in self.cosigners]

    def log_key(self, trusted: TrustedKey) -> PolicyKey:
        return next(
            k
            for k in self.log_keys
            if k.name == trusted.name and k.public_key == trusted.public_key
        )

    def cosigner(self, trusted: TrustedKey) -> PolicyKey:
        return next(
            k
            for k in self.cosigners
            if k.name == trusted.name and k.public_key == trusted.public_key
        )


def parse_public_key(value: str, where: str) -> bytes:
    """A raw Ed25519 public key from base64 (32 bytes) or an SPKI PEM block."""
    text = "\n".join(line.strip() for line in value.strip().splitlines())
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise PolicyError(f"{where}: not a PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise PolicyError(f"{where}: not an Ed25519 key")
        return raw_public_key(key)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PolicyError(f"{where}: public key is neither PEM nor base64") from exc
    if len(raw) != 32:
        raise PolicyError(f"{where}: an Ed25519 public key is 32 bytes, got {len(raw)}")
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise PolicyError(f"{where}: invalid Ed25519 public key") from exc
    return raw


def parse_time(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        if value.utcoffset() != timedelta(0):
            raise PolicyError(f"{where}: time must be in UTC")
        return value.astimezone(UTC)
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise PolicyError(f"{where}: time must be RFC 3339 UTC, e.g. 2026-01-01T00:00:00Z")
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc


def _fields(table: object, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise PolicyError(f"{where} must be a table/object")
    unknown = set(table) - required - optional
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    missing = required - set(table)
    if missing:
        raise PolicyError(f"{where}: missing field(s) {', '.join(sorted(missing))}")
    return table


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where} must be a non-empty string")
    return value


def _keys(entries: object, where: str) -> tuple[PolicyKey, ...]:
    if not isinstance(entries, list):
        raise PolicyError(f"{where} must be a list")
    keys: list[PolicyKey] = []
    for position, entry in enumerate(entries):
        at = f"{where}[{position}]"
        table = _fields(entry, at, {"name", "public_key"}, {"valid_from", "valid_until"})
        name = _string(table["name"], f"{at}.name")
        try:
            check_key_name(name)
        except CheckpointError as exc:
            raise PolicyError(f"{at}.name: {exc.message}") from exc
        key = PolicyKey(
            name,
            parse_public_key(_string(table["public_key"], f"{at}.public_key"), at),
            parse_time(table["valid_from"], f"{at}.valid_from") if "valid_from" in table else None,
            parse_time(table["valid_until"], f"{at}.valid_until")
            if "valid_until" in table
            else None,
        )
        if key.valid_from and key.valid_until and key.valid_until <= key.valid_from:
            raise PolicyError(f"{at}: valid_until is not after valid_from")
        if any((k.name, k.public_key) == (key.name, key.public_key) for k in keys):
            raise PolicyError(f"{at}: key {name} is listed twice")
        keys.append(key)
    return tuple(keys)


def _tsa_roots(entries: object) -> tuple[TsaRoot, ...]:
    if not isinstance(entries, list):
        raise PolicyError("tsa_roots must be a list")
    roots: list[TsaRoot] = []
    for position, entry in enumerate(entries):
        at = f"tsa_roots[{position}]"
        table = _fields(entry, at, {"name", "certificate"}, {"untrusted", "policy_oids"})
        pems: list[bytes] = []
        for name in ("certificate", "untrusted"):
            if name not in table:
                continue
            pem = _string(table[name], f"{at}.{name}").encode("ascii", "replace")
            try:
                x509.load_pem_x509_certificates(pem)
            except ValueError as exc:
                raise PolicyError(f"{at}.{name}: not PEM certificates") from exc
            pems.append(pem)
        oids = table.get("policy_oids", [])
        if not isinstance(oids, list) or not all(
            isinstance(o, str) and _OID.fullmatch(o) for o in oids
        ):
            raise PolicyError(f"{at}.policy_oids must be a list of dotted OIDs")
        roots.append(
            TsaRoot(
                _string(table["name"], f"{at}.name"),
                pems[0],
                pems[1] if len(pems) > 1 else None,
                tuple(oids),
            )
        )
    return tuple(roots)


def policy_from_dict(data: object) -> TrustPolicy:
    table = _fields(
        data,
        "policy",
        {"version", "origin_prefix", "log_keys"},
        {
            "cosigners",
            "cosigner_quorum",
            "tsa_roots",
            "require_timestamp",
            "max_clock_skew_seconds",
            "max_timestamp_delay_seconds",
            "verifier_sha256",
        },
    )
    if table["version"] != POLICY_VERSION or type(table["version"]) is not int:
        raise PolicyError(
            f"unsupported policy version {table['version']!r} (this verifier reads "
            f"{POLICY_VERSION})",
            "audit.policy.version",
        )
    prefix = _string(table["origin_prefix"], "origin_prefix")
    if not prefix.endswith("/") or any(ch.isspace() or ord(ch) < 0x20 for ch in prefix):
        raise PolicyError("origin_prefix must end with '/' and contain no spaces")
    log_keys = _keys(table["log_keys"], "log_keys")
    if not log_keys:
        raise PolicyError("log_keys must list at least one key")
    cosigners = _keys(table.get("cosigners", []), "cosigners")
    quorum = table.get("cosigner_quorum", 0)
    if type(quorum) is not int or not 0 <= quorum <= len({k.name for k in cosigners}):
        raise PolicyError("cosigner_quorum must be an integer between 0 and the cosigners listed")
    tsa_roots = _tsa_roots(table.get("tsa_roots", []))
    # A policy that names a TSA wants its time: without a token the only time is the log's own
    # claim, which whoever holds a log key writes as they please (issue 14 point 5).
    require_timestamp = table.get("require_timestamp", bool(tsa_roots))
    if type(require_timestamp) is not bool:
        raise PolicyError("require_timestamp must be true or false")
    if require_timestamp and not tsa_roots:
        raise PolicyError("require_timestamp needs at least one entry in tsa_roots")
    skew = table.get("max_clock_skew_seconds", 300)
    if type(skew) is not int or not 0 <= skew <= 86400:
        raise PolicyError("max_clock_skew_seconds must be an integer in 0..86400")
    delay = table.get("max_timestamp_delay_seconds", DEFAULT_TIMESTAMP_DELAY)
    if type(delay) is not int or not 0 <= delay <= MAX_TIMESTAMP_DELAY:
        raise PolicyError(
            f"max_timestamp_delay_seconds must be an integer in 0..{MAX_TIMESTAMP_DELAY}"
        )
    return TrustPolicy(
        prefix,
        log_keys,
        cosigners,
        quorum,
        tsa_roots,
        require_timestamp,
        timedelta(seconds=skew),
        timedelta(seconds=delay),
        _pins(table.get("verifier_sha256", [])),
    )


def _pins(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(pin, str) and _PIN.fullmatch(pin) for pin in value
    ):
        raise PolicyError('verifier_sha256 must list "<64 lowercase hex>  <file>" lines')
    if len({pin[66:] for pin in value}) != len(value):
        raise PolicyError("verifier_sha256 pins a file twice")
    return tuple(value)


def parse_policy(text: str, fmt: str) -> TrustPolicy:
    """Parse a policy document; `fmt` is "toml" or "json"."""
    try:
        if fmt == "toml":
            data: object = tomllib.loads(text)
        elif fmt == "json":
            data = json.loads(text)
        else:
            raise PolicyError(f"unknown policy format {fmt!r}; use toml or json")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"policy is not valid {fmt}: {exc}", "audit.policy.syntax") from exc
    return policy_from_dict(data)


def load_policy(path: Path) -> TrustPolicy:
    """Read a policy file; the format follows the suffix (.toml or .json)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("toml", "json"):
        raise PolicyError(f"{path.name}: policy files end in .toml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}", "audit.policy.unreadable") from exc
    return parse_policy(text, fmt)
