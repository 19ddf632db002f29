"""Secrets of invitations: link tokens, one-time codes and join credentials. Pure.

- The link token is 256 random bits; only its SHA-256 is stored.
- One-time codes are HOTP (RFC 4226, 6 digits, via pyotp) over a per-invitation seed; the
  counter is the number of codes used, so each code works once and the next one is shown to the
  judge and clerk.
- A join credential is what the live hearing's `hello` carries after a participant entered the
  code: an HMAC-SHA256-signed claim (hearing, participant, role, how they were admitted, nonce,
  expiry). It is short-lived and single use: the nonce's hash is stored on the participant and
  cleared when the credential is used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import pyotp

from vc_service.errors import ServiceError

TOKEN_BYTES = 32  # 256 bits
CODE_DIGITS = 6
CREDENTIAL_PREFIX = "vcj1"
_MAC_CONTEXT = b"vc-join-credential-v1\x00"


class JoinRefused(ServiceError):
    """A join credential or invitation was refused; `code` says why (auth.*)."""

    status = 401
    code = "auth.bad_credential"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code_seed() -> str:
    return pyotp.random_base32()


def code_at(seed: str, counter: int) -> str:
    return str(pyotp.HOTP(seed, digits=CODE_DIGITS).at(counter))


def code_matches(seed: str, counter: int, code: str) -> bool:
    if len(code) != CODE_DIGITS or not code.isdigit():
        return False
    return hmac.compare_digest(code_at(seed, counter), code)


@dataclass(frozen=True)
class JoinClaim:
    hearing_id: str
    participant_id: str
    role: str
    via: str  # "invitation:<id>" or "account:<user id>"
    nonce: str
    expires: int  # unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def sign(key: bytes, claim: JoinClaim) -> str:
    body = json.dumps(
        {
            "h": claim.hearing_id,
            "p": claim.participant_id,
            "r": claim.role,
            "v": claim.via,
            "n": claim.nonce,
            "e": claim.expires,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    mac = hmac.new(key, _MAC_CONTEXT + body, hashlib.sha256).digest()
    return f"{CREDENTIAL_PREFIX}.{_b64(body)}.{_b64(mac)}"


def verify(key: bytes, credential: str, hearing_id: str, now: int) -> JoinClaim:
    """Check form, signature, hearing and expiry; single use is the caller's (stored) check."""
    bad = JoinRefused("the join credential is not valid", code="auth.bad_credential")
    prefix, _, rest = credential.partition(".")
    body_text, _, mac_text = rest.partition(".")
    if prefix != CREDENTIAL_PREFIX or not body_text or not mac_text or len(credential) > 2048:
        raise bad
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise bad from None
    expected = hmac.new(key, _MAC_CONTEXT + body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise bad
    try:
        data = json.loads(body)
        claim = JoinClaim(
            str(data["h"]), str(data["p"]), str(data["r"]), str(data["v"]), str(data["n"]),
            int(data["e"]),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        raise bad from None
    if claim.hearing_id != hearing_id:
        raise JoinRefused(
            "the join credential is for another hearing", code="auth.wrong_hearing", status=403
        )
    if claim.expires <= now:
        raise JoinRefused("the join credential has expired", code="auth.expired")
    return claim
