"""First-start demo data: a requesting court with a judge and a clerk, and a requested-state
authority, so a newcomer can sign in straight away. Runs only when no account exists yet."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from vc_service.accounts.models import Role
from vc_service.services import Services

CREDENTIALS_FILE = "demo-accounts.txt"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    organisation: str


async def bootstrap_demo(services: Services) -> list[DemoAccount] | None:
    """Create the demo court and accounts if the database has no user; return what was made."""
    if await services.accounts.list_users():
        return None
    requesting = await services.accounts.create_court(
        "Landgericht Demo (requesting court)", "DE", "Europe/Berlin"
    )
    requested = await services.accounts.create_court(
        "Tribunal judiciaire Démo (requested-state authority)", "FR", "Europe/Paris"
    )
    plan = [
        ("judge", "Judge Demo", Role.JUDGE, requesting.id, requesting.name, "Europe/Berlin"),
        ("clerk", "Clerk Demo", Role.CLERK, requesting.id, requesting.name, "Europe/Berlin"),
        (
            "authority",
            "Authority Demo",
            Role.AUTHORITY,
            requested.id,
            requested.name,
            "Europe/Paris",
        ),
    ]
    made: list[DemoAccount] = []
    for username, display, role, court_id, org, tz in plan:
        password = secrets.token_urlsafe(12)
        await services.accounts.create_user(
            court_id=court_id,
            username=username,
            display_name=display,
            role=role,
            password=password,
            time_zone=tz,
        )
        made.append(DemoAccount(username, password, role, org))
    _save(services.settings.data_dir / CREDENTIALS_FILE, made)
    return made


def _save(path: Path, accounts: list[DemoAccount]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(describe(accounts))


def describe(accounts: list[DemoAccount]) -> str:
    lines = ["Demo accounts (each enrols an authenticator app at first sign-in):"]
    for account in accounts:
        lines.append(
            f"  {account.role.value:<10} username {account.username:<10} "
            f"password {account.password}   ({account.organisation})"
        )
    return "\n".join(lines) + "\n"


def saved_description(services: Services) -> str | None:
    path = services.settings.data_dir / CREDENTIALS_FILE
    return path.read_text(encoding="utf-8") if path.exists() else None
