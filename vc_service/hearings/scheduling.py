"""Time rules of scheduling: zones, local times across DST, windows, working hours, notice. Pure.

Instants are stored in UTC. People give either an RFC 3339 instant with its offset, or a local
wall time plus an IANA zone; a wall time that does not exist (the spring-forward gap) is refused,
and one that exists twice (the autumn overlap) must say which with `fold` (0 = the earlier).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any

from vc_service.errors import ValidationFailed

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 12 * 60
# Courts plan months ahead, not decades: a far date is almost always a typo.
MAX_AHEAD = timedelta(days=2 * 366)
# The years a given time may name at all, checked on the text's own date before any zone or
# duration arithmetic: year 1 at +14:00 or year 9999 plus twelve hours leaves what datetime can
# hold. The window is wide; `check_window` then applies the real rules against the clock.
FIRST_YEAR, LAST_YEAR = 2000, 2199
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DAYS = re.compile(r"^([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(.*)$")


def invalid(field: str, problem: str, code: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(
        f"{field} {problem}", code=code, details={"fields": {field: problem}, **details}
    )


@cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str, field: str = "time_zone") -> zoneinfo.ZoneInfo:
    """The IANA zone called `name`; abbreviations and offsets ("CET", "+01:00") are refused."""
    if name not in _available_zones():
        raise invalid(field, f"is not a known IANA time zone: {name!r}", "time.unknown_zone")
    return zoneinfo.ZoneInfo(name)


def one_civil_time(zones: Iterable[str], around: datetime) -> bool:
    """Whether the zones keep one clock (the same UTC offset) at noon UTC of every day from
    `around` to the furthest date a hearing may be scheduled (`MAX_AHEAD`).

    A state whose zones all do (DE: Berlin and Busingen) has one venue time; one whose zones
    do not (ES with the Canaries, US, RU) does not, and a venue there must name its zone.
    """
    tzs = [zone(name) for name in dict.fromkeys(zones)]
    if len(tzs) < 2:
        return True
    first = around.astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    for day in range(MAX_AHEAD.days + 1):
        noon = first + timedelta(days=day)
        if len({noon.astimezone(tz).utcoffset() for tz in tzs}) > 1:
            return False
    return True


def _within_years(value: datetime, field: str) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise out_of_range(field)
    return value


def out_of_range(field: str) -> ValidationFailed:
    """The typed answer when date arithmetic leaves datetime's range (OverflowError)."""
    return invalid(
        field, f"must be a date in the years {FIRST_YEAR} to {LAST_YEAR}", "time.out_of_range"
    )


def parse_instant(text: str, field: str) -> datetime:
    """An RFC 3339 instant that states its offset (`Z` or `+01:00`), as UTC."""
    if not _INSTANT.match(text):
        raise invalid(
            field,
            "must be an RFC 3339 time with an offset, e.g. 2026-12-01T09:00:00Z",
            "time.malformed",
        )
    try:
        given = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(field, f"is not a real date and time: {text!r}", "time.malformed") from None
    try:
        return _within_years(given, field).astimezone(UTC)
    except OverflowError:
        raise out_of_range(field) from None


def parse_local(text: str, field: str) -> datetime:
    """A wall-clock time without offset, e.g. 2026-12-01T09:00."""
    if not _LOCAL.match(text):
        raise invalid(
            field, "must be a local time like 2026-12-01T09:00 (no offset)", "time.malformed"
        )
    try:
        given = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(field, f"is not a real date and time: {text!r}", "time.malformed") from None
    return _within_years(given, field)


def local_to_utc(local: datetime, tz: zoneinfo.ZoneInfo, fold: int | None, field: str) -> datetime:
    """The UTC instant of a wall time in `tz`, refusing DST gaps and unresolved overlaps."""
    candidates: set[datetime] = set()
    for f in (0, 1):
        instant = local.replace(tzinfo=tz, fold=f).astimezone(UTC)
        # A wall time in the gap does not survive the round trip back to local time.
        if instant.astimezone(tz).replace(tzinfo=None) == local:
            candidates.add(instant)
    if not candidates:
        raise invalid(
            field,
            f"{local.isoformat(timespec='minutes')} does not exist in {tz.key} "
            "(the clocks jump forward over it)",
            "time.nonexistent",
        )
    ordered = sorted(candidates)
    if len(ordered) == 1:
        return ordered[0]
    if fold is None:
        raise invalid(
            field,
            f"{local.isoformat(timespec='minutes')} happens twice in {tz.key} (the clocks go "
            "back); send fold 0 for the first or 1 for the second",
            "time.ambiguous",
            options=[utc_text(t) for t in ordered],
        )
    return ordered[fold]


def utc_text(instant: datetime) -> str:
    """RFC 3339 UTC with microseconds, the form audit fields use."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC
    end: datetime  # UTC

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end


def check_window(window: Window, now: datetime, start_field: str = "starts_at") -> None:
    """Refuse past starts, ends before starts, and zero or absurd durations."""
    if window.end <= window.start:
        raise invalid("ends_at", "must be after the start", "time.end_before_start")
    if window.start <= now:
        raise invalid(start_field, "is in the past", "time.in_past")
    if window.start - now > MAX_AHEAD:
        raise invalid(start_field, "is more than two years ahead", "time.too_far")
    minutes = (window.end - window.start).total_seconds() / 60
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise invalid(
            "duration_minutes",
            f"must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} minutes",
            "time.bad_duration",
        )


@dataclass(frozen=True)
class WorkingHours:
    """Opening hours of a venue: time ranges on working days (Monday to Friday by default)."""

    ranges: tuple[tuple[time, time], ...]
    days: frozenset[int] = frozenset(range(5))
    source: str = "default"

    @classmethod
    def parse(cls, text: str, source: str) -> WorkingHours | None:
        """Read `08:00-18:00`, `08:30-12:00, 13:30-17:00` or `mon-fri 08:00-17:00`; None if
        the text is in none of these forms (the caller then falls back to the default)."""
        body = text.strip().lower()
        days = frozenset(range(5))
        match = _DAYS.match(body)
        if match:
            first, last, body = match.group(1), match.group(2) or match.group(1), match.group(3)
            if first not in WEEKDAYS or last not in WEEKDAYS:
                return None
            lo, hi = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if hi < lo:
                return None
            days = frozenset(range(lo, hi + 1))
        ranges: list[tuple[time, time]] = []
        for part in re.split(r"[,;]", body):
            span = _RANGE.match(part.strip())
            if not span:
                return None
            h1, m1, h2, m2 = (int(g) for g in span.groups())
            if not (h1 < 24 and m1 < 60 and m2 < 60 and (h2 < 24 or (h2 == 24 and m2 == 0))):
                return None
            end = time.max if h2 == 24 else time(h2, m2)
            if time(h1, m1) >= end:
                return None
            ranges.append((time(h1, m1), end))
        return cls(tuple(ranges), days, source)

    def describe(self) -> str:
        spans = ", ".join(
            f"{a:%H:%M}-{'24:00' if b == time.max else f'{b:%H:%M}'}" for a, b in self.ranges
        )
        names = [WEEKDAYS[d] for d in sorted(self.days)]
        return f"{names[0]}-{names[-1]} {spans}" if names else spans

    def problem(self, window: Window, tz: zoneinfo.ZoneInfo) -> str | None:
        """Why the window is outside these hours in `tz`, or None if it fits."""
        start = window.start.astimezone(tz)
        # The end instant is exclusive: a hearing ending at 18:00 fits hours ending at 18:00.
        last = (window.end - timedelta(microseconds=1)).astimezone(tz)
        if start.date() != last.date():
            return "it runs over midnight at the venue"
        if start.weekday() not in self.days:
            return f"{WEEKDAYS[start.weekday()]} is not a working day at the venue"
        for lo, hi in self.ranges:
            if lo <= start.time() and last.time() <= hi:
                return None
        return (
            f"{start:%H:%M}-{window.end.astimezone(tz):%H:%M} local time is outside the "
            f"venue's working hours {self.describe()}"
        )


def notice_shortfalls(
    start: datetime, now: datetime, conditions: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """`before` conditions whose notice period the start date does not leave."""
    short: list[dict[str, Any]] = []
    for condition in conditions:
        if condition.get("stage") != "before":
            continue
        params = condition.get("params") or {}
        days = params.get("notice_days") if isinstance(params, Mapping) else None
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            continue
        earliest = now + timedelta(days=days)
        if start < earliest:
            short.append(
                {
                    "condition": str(condition.get("id", "")),
                    "notice_days": days,
                    "earliest_start": utc_text(earliest),
                    "citation": str(condition.get("citation", "")),
                }
            )
    return short


def local_time(instant: datetime, tz_name: str) -> dict[str, str]:
    """How an instant reads in a zone: wall time with offset, the zone, its abbreviation."""
    local = instant.astimezone(zoneinfo.ZoneInfo(tz_name))
    return {
        "local": local.isoformat(timespec="minutes"),
        "time_zone": tz_name,
        "abbreviation": local.tzname() or "",
    }
