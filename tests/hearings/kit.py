"""Helpers for the hearings tests: staff of two courts and an authority, a draft builder, times."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from legal_profiles.loader import DATA_DIR
from vc_service.accounts.models import Role, User
from vc_service.accounts.service import Principal
from vc_service.hearings import forms
from vc_service.hearings.access import Viewer
from vc_service.hearings.registry import Hearings
from vc_service.hearings.views import HearingRecord
from vc_service.services import Services


def slot(zone: str = "Europe/Paris", days: int = 30, hour: int = 10, minute: int = 0) -> datetime:
    """A weekday at `hour` local time in `zone`, at least `days` ahead, as UTC."""
    tz = ZoneInfo(zone)
    day = (datetime.now(tz) + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def local_text(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def spring_gap(zone: str = "Europe/Paris") -> str:
    """The next local 02:30 that does not exist in `zone` (the clocks jump over it)."""
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date()
    for _ in range(800):
        day += timedelta(days=1)
        wall = datetime(day.year, day.month, day.day, 2, 30)
        if wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
            return wall.strftime("%Y-%m-%dT%H:%M")
    raise AssertionError(f"{zone} has no DST gap")


def autumn_overlap(zone: str = "Europe/Paris") -> str:
    """The next local 02:30 that happens twice in `zone` (the clocks go back over it)."""
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date()
    for _ in range(800):
        day += timedelta(days=1)
        wall = datetime(day.year, day.month, day.day, 2, 30)
        both = [wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
        real = [t for t in both if t.astimezone(tz).replace(tzinfo=None) == wall]
        if len(set(real)) == 2:
            return wall.strftime("%Y-%m-%dT%H:%M")
    raise AssertionError(f"{zone} has no DST overlap")


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def draft_body(**overrides: Any) -> dict[str, Any]:
    """A DE -> FR criminal hearing of a consenting witness (conditional under the EIO)."""
    body: dict[str, Any] = {
        "requested_state": "FR",
        "venue": "Tribunal judiciaire de Strasbourg, salle 3",
        "venue_time_zone": "Europe/Paris",
        "proceeding": "criminal",
        "case_reference": "2 KLs 41/26",
        "starts_at": iso(slot()),
        "duration_minutes": 90,
        "recording_requested": False,
        "person_heard": {
            "role": "witness",
            "name": "Camille Martin",
            "email": "camille@example.org",
            "language": "fr",
            "consent": "yes",
        },
        "participants": [
            {"role": "authority", "name": "Juge Leroy"},
            {"role": "interpreter", "name": "Ana Weber", "email": "ana@example.org"},
        ],
    }
    body.update(overrides)
    return body


def draft(**overrides: Any) -> forms.HearingDraft:
    return forms.parse_draft(draft_body(**overrides))


@dataclass
class Staff:
    viewer: Viewer
    username: str

    @property
    def principal(self) -> Principal:
        return self.viewer.principal


@dataclass
class Court:
    """The requesting court's judge and clerk, a judge of another court, two authorities."""

    services: Services
    judge: Staff
    judge2: Staff  # same court
    clerk: Staff
    other_judge: Staff  # another German court
    authority_fr: Staff
    authority_ch: Staff

    @property
    def hearings(self) -> Hearings:
        return self.services.hearings

    async def create(self, **overrides: Any) -> HearingRecord:
        return await self.hearings.schedule.create(self.judge.viewer, draft(**overrides))

    async def events(self, hearing_id: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in await self.services.audit.events(hearing_id)]

    async def event_types(self, hearing_id: str) -> list[str]:
        return [event["type"] for event in await self.events(hearing_id)]


async def _staff(services: Services, username: str, role: Role, court_id: str, tz: str) -> Staff:
    # Rows written directly: these tests never sign in, so they skip the slow password hash.
    user = User(
        court_id=court_id,
        username=username,
        display_name=username.replace("_", " ").title(),
        role=role,
        password_hash="not-a-password",
        email=f"{username}@court.example",
        time_zone=tz,
    )
    async with services.db.transaction() as s:
        s.add(user)
    principal = Principal(user.id, user.username, user.display_name, role, court_id, tz, "", "")
    return Staff(await services.hearings.schedule.viewer(principal), username)


async def court(services: Services) -> Court:
    accounts = services.accounts
    berlin = await accounts.create_court("Landgericht Berlin", "DE", "Europe/Berlin")
    munich = await accounts.create_court("Landgericht München", "DE", "Europe/Berlin")
    paris = await accounts.create_court("Tribunal judiciaire de Paris", "FR", "Europe/Paris")
    bern = await accounts.create_court("Bundesamt für Justiz", "CH", "Europe/Zurich")
    return Court(
        services,
        judge=await _staff(services, "judge_berlin", Role.JUDGE, berlin.id, "Europe/Berlin"),
        judge2=await _staff(services, "judge_berlin2", Role.JUDGE, berlin.id, "Europe/Berlin"),
        clerk=await _staff(services, "clerk_berlin", Role.CLERK, berlin.id, "Europe/Berlin"),
        other_judge=await _staff(services, "judge_munich", Role.JUDGE, munich.id, "Europe/Berlin"),
        authority_fr=await _staff(
            services, "autorite_fr", Role.AUTHORITY, paris.id, "Europe/Paris"
        ),
        authority_ch=await _staff(
            services, "behoerde_ch", Role.AUTHORITY, bern.id, "Europe/Zurich"
        ),
    )


def copy_profiles(target: Path, **edits: Callable[[str], str]) -> Path:
    """The shipped profiles copied to `target`, the text of each state named in `edits` passed
    through its function (test facts, never shipped)."""
    target.mkdir(parents=True, exist_ok=True)
    for source in DATA_DIR.glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        edit = edits.get(source.stem)
        (target / source.name).write_text(edit(text) if edit else text, encoding="utf-8")
    return target


_TEST_FACT = '{ value = "%s", confidence = "K", ref = "test fixture, not law" }'


def _lawful_fr(text: str) -> str:
    text = text.replace(
        'working_hours = "unknown"', "working_hours = " + _TEST_FACT % "09:00-12:00, 14:00-17:00"
    )
    head, sep, tail = text.partition("[incoming.criminal]")
    return (
        head
        + sep
        + tail.replace('recording = "unknown"', "recording = " + _TEST_FACT % "allowed", 1)
    )


def _lawful_de(text: str) -> str:
    return text.replace(
        'recording_criminal = "unknown"', "recording_criminal = " + _TEST_FACT % "allowed"
    )


def patched_profiles(target: Path) -> Path:
    """The shipped profiles with two invented facts for tests (never shipped): FR's venues work
    09:00-12:00 and 14:00-17:00, and criminal recording is allowed in DE (outgoing) and FR."""
    return copy_profiles(target, FR=_lawful_fr, DE=_lawful_de)
