"""TOTP second factor (RFC 6238 via pyotp) with replay protection by time step."""

from __future__ import annotations

import base64
import io

import pyotp
import segno

from vc_service import clock

ISSUER = "vc-service"
INTERVAL = 30
# Accept the previous and next step too: phones drift and people type slowly.
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals `code`, or None. The caller rejects steps already used."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    moment = clock.seconds() if now is None else now
    current = int(moment // INTERVAL)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(totp.at(step * INTERVAL), code):
            return step
    return None


def code_now(secret: str, now: float | None = None) -> str:
    return pyotp.TOTP(secret, interval=INTERVAL).at(clock.seconds() if now is None else now)
