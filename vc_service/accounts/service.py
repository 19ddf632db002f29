"""Staff accounts and sign-in: password, mandatory TOTP, sessions, lock-out.

Sign-in takes two steps. The password step answers with a short-lived ticket whose purpose is
either `totp` (enter the code) or `enrol` (scan the QR code, then enter the first code). Only the
second step creates a session. Every attempt, good or bad, is written to `auth_events` before it
is answered, so nothing is acknowledged that is not recorded.

Concurrency (issue 12): a read-then-write check lets parallel requests all pass before any of
them records its failure. So every check is decided by one conditional UPDATE, atomic on SQLite
and PostgreSQL alike:
1. An attempt (password or code) first claims a failure slot: the counter goes up and, at the
   threshold, the lock is set, in the same statement that refuses a locked or disabled account.
   Only then is the password or code checked, so at most `login_max_failures` checks run before
   the lock, however many requests arrive at once. A right password gives its slot back.
2. A right code claims its time step (`totp_last_step < step`) and, for an enrolment, the
   not-yet-enrolled account, in one UPDATE; the loser of a race sees no row and is refused.
3. Enrolment happens once: completing it voids the account's other enrolment tickets, an
   enrolment ticket of an enrolled account is refused, and only an administrator's
   `reset_totp` (audited) makes the account enrol again.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Update, case, delete, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from vc_service.accounts import passwords, totp
from vc_service.accounts.models import (
    STAFF_LANGUAGES,
    AuthEvent,
    Court,
    Role,
    SignInStep,
    User,
    WebSession,
)
from vc_service.config import Settings
from vc_service.db import Database, UTCDateTime, utcnow
from vc_service.errors import Conflict, Locked, NotFound, Unauthenticated, ValidationFailed
from vc_service.service_key import ServiceKey

TICKET_MINUTES = 5
_TOTP_PURPOSE = "totp-secret"
MAX_LOCK_SECONDS = 3600

Clock = Callable[[], datetime]


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
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "court_id": self.court_id,
            "time_zone": self.time_zone,
            "language": self.language,
        }


@dataclass(frozen=True)
class _Claim:
    """A failure slot taken before a check (module docstring, step 1), with the account as the
    claiming UPDATE saw it, so the check never uses a value read before the claim."""

    locks: datetime | None  # the lock this claim set by reaching the threshold, else None
    password_hash: str
    totp_secret_enc: bytes | None
    totp_last_step: int


class _StepLost(Exception):
    """A concurrent request used the code's time step, the ticket or the enrolment first."""


def _wrong_credentials() -> Unauthenticated:
    return Unauthenticated("wrong username or password", code="auth.invalid_credentials")


def _ticket_expired() -> Unauthenticated:
    return Unauthenticated("the sign-in step expired; sign in again", code="auth.ticket_expired")


def _enrolment_void() -> Unauthenticated:
    return Unauthenticated(
        "this enrolment is void: the account already has a second factor; sign in again",
        code="auth.enrolment_void",
    )


class AccountService:
    def __init__(
        self, db: Database, settings: Settings, key: ServiceKey, clock: Clock = utcnow
    ) -> None:
        self.db = db
        self.settings = settings
        self.key = key
        self.clock = clock

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

    async def reset_totp(self, username: str) -> User:
        """An administrator's act: forget the second factor so the account enrols again.

        Enrolment is otherwise possible once (a stale enrolment ticket must not replace the
        secret), so this is the only way back; it ends the account's sessions and voids its
        sign-in tickets, and `user.totp_reset` is recorded in the same transaction.
        """
        async with self.db.transaction() as s:
            # The UPDATE first: it takes the row's write lock before anything is read.
            user_id = (
                await s.execute(
                    update(User)
                    .where(User.username == username)
                    .values(totp_secret_enc=None, totp_enrolled=False)
                    .returning(User.id)
                    .execution_options(synchronize_session=False)
                )
            ).scalar_one_or_none()
            if user_id is None:
                raise NotFound(f"no user named {username!r}", code="user.not_found")
            await s.execute(delete(WebSession).where(WebSession.user_id == user_id))
            await s.execute(delete(SignInStep).where(SignInStep.user_id == user_id))
            user = await s.get(User, user_id, populate_existing=True)
            assert user is not None
            s.add(self._event("user.totp_reset", user, ClientInfo()))
        return user

    async def get_user(self, user_id: str) -> User | None:
        async with self.db.session() as s:
            return await s.get(User, user_id)

    # -- sign-in --------------------------------------------------------------------------

    async def sign_in(self, username: str, password: str, client: ClientInfo) -> SecondStep:
        async with self.db.session() as s:
            user = await s.scalar(select(User).where(User.username == username))
        claim = await self._claim(user.id) if user is not None else None
        if user is None or claim is None:
            # Unknown, locked and disabled accounts cost the same scrypt run and get the same
            # answer as a wrong password: the answer must not tell an account's state.
            await asyncio.to_thread(passwords.verify_password, password, passwords.DUMMY_HASH)
            if user is None:
                await self._record("sign_in.failure", None, client, username, "unknown user")
            else:
                reason = "disabled" if user.disabled else "locked"
                await self._record("sign_in.refused", user, client, username, reason)
            raise _wrong_credentials()
        ok = await asyncio.to_thread(passwords.verify_password, password, claim.password_hash)
        if not ok:
            kind = "sign_in.locked" if claim.locks else "sign_in.failure"
            await self._record(kind, user, client, username, "wrong password")
            raise _wrong_credentials()
        ticket = secrets.token_urlsafe(32)
        secret = ""
        async with self.db.transaction() as s:
            # Give the slot back and learn, in the same statement, whether the account is
            # enrolled now (not when it was first read).
            enrolled = (
                await s.execute(self._release(user.id, claim).returning(User.totp_enrolled))
            ).scalar_one()
            step = SignInStep(
                ticket_hash=token_hash(ticket),
                user_id=user.id,
                purpose="totp" if enrolled else "enrol",
                expires_at=self.clock() + timedelta(minutes=TICKET_MINUTES),
            )
            if not enrolled:
                secret = totp.new_secret()
                step.pending_secret_enc = self.key.encrypt(
                    _TOTP_PURPOSE, secret.encode(), user.id.encode()
                )
            s.add(step)
            s.add(self._event("sign_in.password_ok", user, client))
        if secret:
            uri = totp.provisioning_uri(secret, user.username)
            return SecondStep(ticket, "enrol", uri, secret, totp.qr_svg_data_uri(uri))
        return SecondStep(ticket, "totp")

    async def second_factor(self, ticket: str, code: str, client: ClientInfo) -> SessionGrant:
        """Check the TOTP code for a ticket (enrolling first if needed); start a session."""
        now = self.clock()
        async with self.db.session() as s:
            step = await s.get(SignInStep, token_hash(ticket))
            user = await s.get(User, step.user_id) if step is not None else None
        if step is None or user is None or step.expires_at <= now:
            raise _ticket_expired()
        enrol = step.purpose == "enrol"
        if enrol and user.totp_enrolled:
            await self._record("sign_in.failure", user, client, user.username, "enrolment void")
            raise _enrolment_void()
        claim = await self._claim(user.id)
        if claim is None:
            await self._record("sign_in.refused", user, client, user.username, "second factor")
            raise await self._refusal(user.id)
        if enrol:
            assert step.pending_secret_enc is not None
            secret_enc = step.pending_secret_enc
        elif claim.totp_secret_enc is None:
            await self._record("sign_in.failure", user, client, user.username, "not enrolled")
            raise Unauthenticated("no second factor enrolled", code="auth.not_enrolled")
        else:
            secret_enc = claim.totp_secret_enc
        secret = self.key.decrypt(_TOTP_PURPOSE, secret_enc, user.id.encode()).decode()
        matched = totp.matching_step(secret, code, now.timestamp())
        if matched is None or matched <= claim.totp_last_step:
            reason = "wrong code" if matched is None else "code already used"
            kind = "sign_in.locked" if claim.locks else "sign_in.failure"
            await self._record(kind, user, client, user.username, reason)
            raise Unauthenticated(
                "wrong or already used code",
                code="auth.invalid_code" if matched is None else "auth.code_replayed",
            )
        try:
            return await self._start_session(step, secret_enc, matched, client)
        except _StepLost:
            await self._record("sign_in.failure", user, client, user.username, "lost a race")
            async with self.db.session() as s:
                fresh = await s.get(User, user.id)
            if enrol and fresh is not None and fresh.totp_enrolled:
                raise _enrolment_void() from None
            raise Unauthenticated("code already used", code="auth.code_replayed") from None

    async def _start_session(
        self, step: SignInStep, secret_enc: bytes, matched: int, client: ClientInfo
    ) -> SessionGrant:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + timedelta(hours=self.settings.session_max_hours)
        enrol = step.purpose == "enrol"
        # The time step, and for an enrolment the still-unenrolled account, are claimed by one
        # conditional UPDATE (module docstring, step 2); a code checked against a secret that
        # has since changed matches no row either.
        won = update(User).where(
            User.id == step.user_id,
            User.totp_last_step < matched,
            User.disabled.is_(False),
        )
        if enrol:
            won = won.where(User.totp_enrolled.is_(False)).values(
                totp_secret_enc=secret_enc, totp_enrolled=True
            )
        else:
            won = won.where(User.totp_enrolled.is_(True), User.totp_secret_enc == secret_enc)
        won = won.values(totp_last_step=matched, failed_attempts=0, locked_until=None)
        async with self.db.transaction() as s:
            row = (
                await s.execute(won.returning(User.id).execution_options(synchronize_session=False))
            ).first()
            if row is None:
                raise _StepLost
            used = await s.execute(
                delete(SignInStep).where(SignInStep.ticket_hash == step.ticket_hash)
            )
            if getattr(used, "rowcount", 0) != 1:  # the same ticket sent twice at once
                raise _StepLost
            user = await s.get(User, step.user_id, populate_existing=True)
            assert user is not None
            if enrol:
                # The account's other enrolment tickets hold other secrets: void them.
                await s.execute(
                    delete(SignInStep).where(
                        SignInStep.user_id == user.id, SignInStep.purpose == "enrol"
                    )
                )
                s.add(self._event("totp.enrolled", user, client))
            s.add(
                WebSession(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    ip=client.ip[:64],
                    user_agent=client.user_agent[:300],
                )
            )
            s.add(self._event("sign_in.success", user, client))
        return SessionGrant(token, csrf, user, expires)

    async def resolve(self, token: str) -> Principal | None:
        """The principal behind a session cookie, sliding its idle timeout; None if expired."""
        hashed = token_hash(token)
        now = self.clock()
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
                language=user.language,
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

    async def set_language(self, principal: Principal, language: str) -> None:
        """The staff pages' language `principal` chose; it follows them to any browser."""
        if language not in STAFF_LANGUAGES:
            raise ValueError(f"not a staff language: {language}")
        async with self.db.transaction() as s:
            await s.execute(
                update(User).where(User.id == principal.user_id).values(language=language)
            )

    async def auth_events(self, limit: int = 100) -> list[AuthEvent]:
        async with self.db.session() as s:
            rows = await s.scalars(select(AuthEvent).order_by(AuthEvent.id.desc()).limit(limit))
            return list(rows.all())

    # -- lock-out -------------------------------------------------------------------------

    async def _claim(self, user_id: str) -> _Claim | None:
        """Count an attempt as failed before checking it, locking at the threshold; None if
        the account is locked or disabled. One UPDATE: `with_for_update` is a no-op on SQLite,
        and a read followed by a write loses increments under concurrency on both engines."""
        now = self.clock()
        claim = (
            update(User)
            .where(
                User.id == user_id,
                User.disabled.is_(False),
                or_(User.locked_until.is_(None), User.locked_until <= now),
            )
            .values(failed_attempts=User.failed_attempts + 1, locked_until=self._lock_after(now))
            .returning(
                User.failed_attempts,
                User.locked_until,
                User.password_hash,
                User.totp_secret_enc,
                User.totp_last_step,
            )
            .execution_options(synchronize_session=False)
        )
        async with self.db.transaction() as s:
            row = (await s.execute(claim)).first()
        if row is None:
            return None
        reached = row.failed_attempts >= self.settings.login_max_failures
        return _Claim(
            locks=row.locked_until if reached else None,
            password_hash=row.password_hash,
            totp_secret_enc=row.totp_secret_enc,
            totp_last_step=row.totp_last_step,
        )

    def _lock_after(self, now: datetime) -> ColumnElement[Any]:
        """The new `locked_until` once this failure is counted. Each failure past the
        threshold doubles the wait, up to an hour; the instants are computed here and bound,
        since date arithmetic in SQL differs between SQLite and PostgreSQL."""
        # In SET, columns are the row before the update: this is the count after it.
        over = User.failed_attempts + 1 - self.settings.login_max_failures
        whens: list[tuple[ColumnElement[bool], Any]] = [(over < 0, User.locked_until)]
        seconds, doubling = 0, 0
        while seconds < MAX_LOCK_SECONDS:
            seconds = min(self.settings.login_lockout_seconds * 2**doubling, MAX_LOCK_SECONDS)
            until = literal(now + timedelta(seconds=seconds), UTCDateTime())
            whens.append((over == doubling, until))
            doubling += 1
        return case(*whens, else_=until)

    @staticmethod
    def _release(user_id: str, claim: _Claim) -> Update:
        """The UPDATE that gives a right password's slot back (and lifts the lock if this
        claim set it); a statement, so the caller can add RETURNING."""
        values: dict[str, Any] = {
            "failed_attempts": case((User.failed_attempts > 0, User.failed_attempts - 1), else_=0)
        }
        if claim.locks is not None:
            mine = literal(claim.locks, UTCDateTime())
            values["locked_until"] = case(
                (User.locked_until == mine, null()), else_=User.locked_until
            )
        return (
            update(User)
            .where(User.id == user_id)
            .values(values)
            .execution_options(synchronize_session=False)
        )

    async def _refusal(self, user_id: str) -> Unauthenticated | Locked:
        """Why a claim was refused, for a caller who holds a ticket (and so the password)."""
        async with self.db.session() as s:
            user = await s.get(User, user_id)
        now = self.clock()
        if user is None or user.disabled:
            return Unauthenticated("this account is disabled", code="auth.disabled")
        until = user.locked_until or now
        wait = max(int((until - now).total_seconds()) + 1, 1)
        return Locked(
            f"too many failed attempts; try again in {wait} s",
            details={"retry_after_seconds": wait},
        )

    # -- helpers --------------------------------------------------------------------------

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
