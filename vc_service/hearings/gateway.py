"""The live hearing's two doors into the hearings part: signaling's `Authenticator` (who is saying
hello) and `HearingDirectory` (what the hearing is), implemented over `Hearings`.

A hello may carry (a) a join credential from `POST /api/invite/{id}/join` or
`POST /api/hearings/{id}/join` in `session`, (b) the link token and the one-time code, or
(c) nothing but the signed-in staff cookie. Every refusal becomes signaling's `AuthError` with a
code from its vocabulary.
"""

from __future__ import annotations

from signaling.errors import AuthError
from signaling.protocol import Role
from signaling.services import (
    AuthRequest,
    HearingInfo,
    Identity,
    Participant,
    RecordingRule,
    conditions_from,
)
from vc_service.accounts.service import AccountService
from vc_service.errors import ServiceError
from vc_service.hearings.credentials import CREDENTIAL_PREFIX
from vc_service.hearings.joining import JoinIdentity
from vc_service.hearings.registry import Hearings
from vc_service.http.middleware import SESSION_COOKIE

# Our refusal codes -> signaling's auth vocabulary.
_CODES = {
    "invitation.not_found": "auth.bad_token",
    "invitation.wrong_hearing": "auth.wrong_hearing",
    "invitation.revoked": "auth.revoked",
    "invitation.superseded": "auth.revoked",
    "invitation.hearing_cancelled": "auth.expired",
    "invitation.expired": "auth.expired",
    "invitation.not_yet_valid": "auth.not_yet_valid",
    "invitation.wrong_code": "auth.bad_code",
    "invitation.code_used": "auth.replayed",
    "invitation.locked": "auth.locked",
    "invitation.rate_limited": "auth.locked",
    "hearing.not_found": "auth.bad_token",
    "join.not_a_participant": "auth.not_a_participant",
    "join.not_joinable": "auth.not_joinable",
}


def _auth_error(exc: ServiceError) -> AuthError:
    code = exc.code if exc.code.startswith("auth.") else _CODES.get(exc.code, "auth.refused")
    return AuthError(code, exc.message)


class RoomGateway:
    """Implements `signaling.services.Authenticator` and `HearingDirectory`."""

    def __init__(self, hearings: Hearings, accounts: AccountService) -> None:
        self.hearings = hearings
        self.accounts = accounts

    async def authenticate(self, request: AuthRequest) -> Identity:
        try:
            found = await self._identify(request)
        except ServiceError as exc:
            raise _auth_error(exc) from None
        return Identity(
            found.hearing_id, found.participant_id, Role(found.role), found.display_name
        )

    async def _identify(self, request: AuthRequest) -> JoinIdentity:
        hearing_id = request.hearing_id
        if request.session:
            if not request.session.startswith(CREDENTIAL_PREFIX + "."):
                raise AuthError("auth.bad_session", "the session credential is not valid")
            return await self.hearings.verify_join(hearing_id, request.session)
        if request.token:
            return await self.hearings.authenticate_invitation(
                hearing_id, request.token, request.code or ""
            )
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = await self.accounts.resolve(cookie) if cookie else None
        if principal is None:
            raise AuthError("auth.bad_session", "sign in, or open your invitation link")
        grant = await self.hearings.join_with_account(principal, hearing_id)
        return await self.hearings.verify_join(hearing_id, grant.credential)

    async def load(self, hearing_id: str) -> HearingInfo | None:
        info = await self.hearings.room_info(hearing_id)
        if info is None:
            return None
        # Not requested by the judge means not recorded, whatever the law would allow.
        rule = RecordingRule(info.recording_rule) if info.recording_requested else None
        return HearingInfo(
            hearing_id=info.hearing_id,
            state=info.state,
            conditions=conditions_from(info.conditions),
            recording=rule or RecordingRule.PROHIBITED,
            participants=tuple(
                Participant(p.participant_id, Role(p.role), p.display_name)
                for p in info.participants
            ),
        )
