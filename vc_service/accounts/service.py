"""Staff accounts and sign-in: password, mandatory TOTP, sessions, lock-out.

Sign-in takes two steps. The password step answers with a short-lived ticket whose purpose is
either `totp` (enter the code) or `enrol` (scan the QR code, then enter the first code). Only the
second step creates a session. Every attempt, good or bad, is written to `auth_events` in the same
transaction as its effect, so nothing is acknowledged that is not recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from vc_service.accounts import passwords, totp
from vc_service.accounts.models import AuthEvent, Court, Role, SignInStep, User, WebSession
from vc_service.config import Settings
from vc_service.db import Database, utcnow
from vc_service.errors import Conflict, Locked, NotFound, Unauthenticated, ValidationFailed
from vc_service.service_key import ServiceKey

TICKET_MINUTES = 5
_TOTP_PURPOSE = "totp-secret"
MAX_LOCK_SECONDS = 3600


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ClientInfo:
    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class SessionGrant:
    token: str
    csrf_token: str
    user: User
    expires_at: datetime


@dataclass(frozen=True)
class SecondStep:
    """The password was right; the caller must now send a TOTP code with this ticket."""

    ticket: str
    purpose: str  # "totp" or "enrol"
    provisioning_uri: str = ""
    secret: str = ""
    qr_svg: str = ""


@dataclass(frozen=True)
class Principal:
    """Who is making a request, resolved from a session cookie."""

    user_id: str
    username: str
    display_name: str
    role: Role
    court_id: str
    time_zone: str
    csrf_token: str
    session_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "court_id": self.court_id,
            "time_zone": self.time_zone,
        }


class AccountService:
    def __init__(self, db: Database, settings: Settings, key: ServiceKey) -> None:
        self.db = db
        self.settings = settings
        self.key = key

    # -- administration -------------------------------------------------------------------

    async def create_court(self, name: str, state: str, time_zone: str) -> Court:
        async with self.db.transaction() as s:
            court = Court(name=name, state=state, time_zone=time_zone)
            s.add(court)
        return court

    async def create_user(
        self,
        *,
        court_id: str,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        email: str = "",
        time_zone: str = "UTC",
    ) -> User:
        problem = passwords.password_problem(password)
        if problem:
            raise ValidationFailed(f"password {problem}", details={"fields": {"password": problem}})
        encoded = await asyncio.to_thread(passwords.hash_password, password)
        try:
            async with self.db.transaction() as s:
                if await s.get(Court, court_id) is None:
                    raise NotFound(f"court {court_id} does not exist", code="court.not_found")
                user = User(
                    court_id=court_id,
                    username=username,
                    display_name=display_name,
                    role=role,
                    password_hash=encoded,
                    email=email,
                    time_zone=time_zone,
                )
                s.add(user)
        except IntegrityError:
            raise Conflict(
                f"username {username!r} is taken",
                code="user.exists",
                details={"username": username},
            ) from None
        return user

    async def list_users(self) -> list[User]:
        async with self.db.session() as s:
            return list((await s.scalars(select(User).order_by(User.username))).all())

    async def set_disabled(self, username: str, disabled: bool) -> User:
        async with self.db.transaction() as s:
            user = await s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"no user named {username!r}", code="user.not_found")
            user.disabled = disabled
            if disabled:
                await s.execute(delete(WebSession).where(WebSession.user_id == user.id))
            s.add(self._event("user.disabled" if disabled else "user.enabled", user, ClientInfo()))
        return user

    async def get_user(self, user_id: str) -> User | None:
        async with self.db.session() as s:
            return await s.get(User, user_id)

    # -- sign-in --------------------------------------------------------------------------

    async def sign_in(self, username: str, password: str, client: ClientInfo) -> SecondStep:
        async with self.db.session() as s:
            user = await s.scalar(select(User).where(User.username == username))
        if user is None:
            await asyncio.to_thread(passwords.verify_password, password, passwords.DUMMY_HASH)
            await self._record("sign_in.failure", None, client, username, "unknown user")
            raise Unauthenticated("wrong username or password", code="auth.invalid_credentials")
        self._check_usable(user)
        ok = await asyncio.to_thread(passwords.verify_password, password, user.password_hash)
        if not ok:
            await self._fail(user, client, "wrong password")
            raise Unauthenticated("wrong username or password", code="auth.invalid_credentials")
        ticket = secrets.token_urlsafe(32)
        step = SignInStep(
            ticket_hash=token_hash(ticket),
            user_id=user.id,
            purpose="totp" if user.totp_enrolled else "enrol",
            expires_at=utcnow() + timedelta(minutes=TICKET_MINUTES),
        )
        secret = ""
        if not user.totp_enrolled:
            secret = totp.new_secret()
            step.pending_secret_enc = self.key.encrypt(
                _TOTP_PURPOSE, secret.encode(), user.id.encode()
            )
        async with self.db.transaction() as s:
            s.add(step)
            s.add(self._event("sign_in.password_ok", user, client))
        if secret:
            uri = totp.provisioning_uri(secret, user.username)
            return SecondStep(ticket, "enrol", uri, secret, totp.qr_svg_data_uri(uri))
        return SecondStep(ticket, "totp")

    async def second_factor(self, ticket: str, code: str, client: ClientInfo) -> SessionGrant:
        """Check the TOTP code for a ticket (enrolling first if needed); start a session."""
        async with self.db.session() as s:
            step = await s.get(SignInStep, token_hash(ticket))
            user = await s.get(User, step.user_id) if step is not None else None
        if step is None or user is None or step.expires_at <= utcnow():
            raise Unauthenticated(
                "the sign-in step expired; sign in again", code="auth.ticket_expired"
            )
        self._check_usable(user)
        if step.purpose == "enrol":
            assert step.pending_secret_enc is not None
            secret_enc = step.pending_secret_enc
        else:
            if user.totp_secret_enc is None:
                raise Unauthenticated("no second factor enrolled", code="auth.not_enrolled")
            secret_enc = user.totp_secret_enc
        secret = self.key.decrypt(_TOTP_PURPOSE, secret_enc, user.id.encode()).decode()
        matched = totp.matching_step(secret, code)
        if matched is None or matched <= user.totp_last_step:
            reason = "wrong code" if matched is None else "code already used"
            await self._fail(user, client, reason)
            raise Unauthenticated(
                "wrong or already used code",
                code="auth.invalid_code" if matched is None else "auth.code_replayed",
            )
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(hours=self.settings.session_max_hours)
        async with self.db.transaction() as s:
            fresh = await s.get(User, user.id, with_for_update=True)
            assert fresh is not None
            if matched <= fresh.totp_last_step:  # a concurrent request used the same code
                raise Unauthenticated("code already used", code="auth.code_replayed")
            fresh.totp_last_step = matched
            fresh.failed_attempts = 0
            fresh.locked_until = None
            if step.purpose == "enrol":
                fresh.totp_secret_enc = secret_enc
                fresh.totp_enrolled = True
                s.add(self._event("totp.enrolled", fresh, client))
            await s.execute(delete(SignInStep).where(SignInStep.ticket_hash == step.ticket_hash))
            s.add(
                WebSession(
                    token_hash=token_hash(token),
                    user_id=fresh.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    ip=client.ip[:64],
                    user_agent=client.user_agent[:300],
                )
            )
            s.add(self._event("sign_in.success", fresh, client))
        return SessionGrant(token, csrf, fresh, expires)

    async def resolve(self, token: str) -> Principal | None:
        """The principal behind a session cookie, sliding its idle timeout; None if expired."""
        hashed = token_hash(token)
        now = utcnow()
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        async with self.db.session() as s:
            row = await s.get(WebSession, hashed)
            if row is None:
                return None
            user = await s.get(User, row.user_id)
            if (
                user is None
                or user.disabled
                or row.expires_at <= now
                or row.last_seen_at + idle <= now
            ):
                await s.delete(row)
                await s.commit()
                return None
            # Write the idle clock at most once a minute, not on every request.
            if now - row.last_seen_at > timedelta(minutes=1):
                row.last_seen_at = now
                await s.commit()
            return Principal(
                user_id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                court_id=user.court_id,
                time_zone=user.time_zone,
                csrf_token=row.csrf_token,
                session_hash=hashed,
            )

    async def sign_out(self, principal: Principal, client: ClientInfo) -> None:
        async with self.db.transaction() as s:
            await s.execute(
                delete(WebSession).where(WebSession.token_hash == principal.session_hash)
            )
            s.add(
                AuthEvent(
                    kind="sign_out",
                    username=principal.username,
                    user_id=principal.user_id,
                    ip=client.ip[:64],
                    user_agent=client.user_agent[:300],
                )
            )

    async def auth_events(self, limit: int = 100) -> list[AuthEvent]:
        async with self.db.session() as s:
            rows = await s.scalars(select(AuthEvent).order_by(AuthEvent.id.desc()).limit(limit))
            return list(rows.all())

    # -- helpers --------------------------------------------------------------------------

    def _check_usable(self, user: User) -> None:
        if user.disabled:
            raise Unauthenticated("this account is disabled", code="auth.disabled")
        if user.locked_until is not None and user.locked_until > utcnow():
            wait = int((user.locked_until - utcnow()).total_seconds()) + 1
            raise Locked(
                f"too many failed attempts; try again in {wait} s",
                details={"retry_after_seconds": wait},
            )

    async def _fail(self, user: User, client: ClientInfo, reason: str) -> None:
        async with self.db.transaction() as s:
            fresh = await s.get(User, user.id, with_for_update=True)
            assert fresh is not None
            fresh.failed_attempts += 1
            kind = "sign_in.failure"
            over = fresh.failed_attempts - self.settings.login_max_failures
            if over >= 0:
                # Each further failure doubles the wait, up to an hour.
                seconds = min(self.settings.login_lockout_seconds * 2**over, MAX_LOCK_SECONDS)
                fresh.locked_until = utcnow() + timedelta(seconds=seconds)
                kind = "sign_in.locked"
            s.add(self._event(kind, fresh, client, reason))

    async def _record(
        self, kind: str, user: User | None, client: ClientInfo, username: str, reason: str = ""
    ) -> None:
        async with self.db.transaction() as s:
            s.add(
                AuthEvent(
                    kind=kind,
                    username=username[:64],
                    user_id=user.id if user else None,
                    ip=client.ip[:64],
                    user_agent=client.user_agent[:300],
                    reason=reason,
                )
            )

    @staticmethod
    def _event(kind: str, user: User, client: ClientInfo, reason: str = "") -> AuthEvent:
        return AuthEvent(
            kind=kind,
            username=user.username,
            user_id=user.id,
            ip=client.ip[:64],
            user_agent=client.user_agent[:300],
            reason=reason,
        )
