"""One error hierarchy for signaling: every error carries a machine code and a human message.

The code travels to the client in an `error` message; some errors also end the connection, and
then `close_code` is the WebSocket close code the server uses (see `docs/signaling.md`).
"""

from __future__ import annotations

from typing import Any

# WebSocket close codes. 1xxx are RFC 6455; 4xxx are ours (the private-use range).
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011
CLOSE_RESTART = 1012
CLOSE_TRY_AGAIN = 1013
CLOSE_AUTH = 4001
CLOSE_HELLO = 4002
CLOSE_EXCLUDED = 4003
CLOSE_NOT_JOINABLE = 4004
CLOSE_REPLACED = 4009


class SignalingError(Exception):
    """Base of every error a client can be told about."""

    code: str = "error"
    # None: the socket stays open after the `error` message.
    close_code: int | None = None

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        close_code: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}
        if close_code is not None:
            self.close_code = close_code


class ProtocolError(SignalingError):
    """A message is malformed: bad JSON, unknown type, wrong field, too long, bad SDP."""


class AuthError(SignalingError):
    """Authentication failed (`auth.bad_token`, `auth.bad_code`, `auth.expired`, `auth.locked`...).

    The Authenticator implemented by vc_service raises this; the connection is then closed.
    """

    close_code = CLOSE_AUTH


class PermissionDenied(SignalingError):
    """The sender's role, seat or the room's state does not allow this message."""


class RoomError(SignalingError):
    """The room refuses a request that is permitted in principle (condition unmet, peer unknown)."""


class AuditUnavailable(SignalingError):
    """The audit append failed: the change did not happen, since nothing is unrecorded."""
