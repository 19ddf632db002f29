"""Credentials the server hands out: ephemeral TURN credentials and signed resume tokens. Pure.

TURN follows coturn's REST scheme (`use-auth-secret`): username `<expiry unix time>:<id>`,
credential base64(HMAC-SHA1(shared secret, username)); coturn recomputes it, so nothing is stored.

A resume token lets a participant whose socket dropped return to their seat without a new
one-time code. It is an HMAC-SHA256-signed claim (hearing, participant, role, seat nonce, expiry);
the room also checks the nonce against the seat, and rotates it on every use, so a token works
once, and a removed participant's token is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from signaling.errors import AuthError
from signaling.protocol import Role


def turn_credentials(secret: bytes, user: str, ttl_seconds: int, now: float) -> tuple[str, str]:
    username = f"{int(now) + ttl_seconds}:{user}"
    digest = hmac.new(secret, username.encode("utf-8"), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(
    urls: Sequence[str], secret: bytes | None, user: str, ttl_seconds: int, now: float
) -> list[dict[str, Any]]:
    """RTCIceServer dicts for the welcome message: STUN plain, TURN with fresh credentials."""
    stun = [url for url in urls if url.startswith(("stun:", "stuns:"))]
    turn = [url for url in urls if url.startswith(("turn:", "turns:"))]
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": stun})
    if turn and secret:
        username, credential = turn_credentials(secret, user, ttl_seconds, now)
        servers.append({"urls": turn, "username": username, "credential": credential})
    return servers


@dataclass(frozen=True, slots=True)
class ResumeClaim:
    hearing_id: str
    participant_id: str
    role: Role
    nonce: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ResumeTokens:
    def __init__(self, secret: bytes | None, ttl_seconds: int) -> None:
        self._key = secret if secret is not None else secrets.token_bytes(32)
        self._ttl = ttl_seconds

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(12)

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, b"vc-resume-v1\x00" + body, hashlib.sha256).digest()

    def issue(
        self, hearing_id: str, participant_id: str, role: Role, nonce: str, now: float
    ) -> str:
        claim = {
            "h": hearing_id,
            "p": participant_id,
            "r": role.value,
            "n": nonce,
            "e": int(now) + self._ttl,
        }
        body = json.dumps(claim, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def verify(self, token: str, hearing_id: str, now: float) -> ResumeClaim:
        """Check signature, hearing and expiry; the seat nonce is the room's to check."""
        bad = AuthError("auth.bad_resume", "the resume token is not valid")
        body_text, _, mac_text = token.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise bad from None
        if not hmac.compare_digest(mac, self._sign(body)):
            raise bad
        try:
            data = json.loads(body)
            claim = ResumeClaim(
                str(data["h"]), str(data["p"]), Role(data["r"]), str(data["n"]), int(data["e"])
            )
        except (ValueError, KeyError, TypeError):
            raise bad from None
        if claim.hearing_id != hearing_id:
            raise AuthError("auth.wrong_hearing", "the resume token is for another hearing")
        if claim.expires < now:
            raise AuthError("auth.expired", "the resume token has expired")
        return claim
