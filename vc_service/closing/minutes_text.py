"""The words of the minutes in the court's language, and their times in the venue's and the
court's zones. Pure: the catalogs are files of this package, the times come from the events.

Catalogs: `minutes_text/<lang>.json`, one flat object per language (en, fr, de, es), every file
with the same keys and the same `{placeholders}` per key (tests/closing/test_minutes_text.py).
Their text is Latin-1 only, so that the PDF's core fonts print every word of them; only names
and notes typed by people can need the HTML's full text.

The court's language: the `language` of the court recorded in `hearing.created` if it has one,
else the language of the requesting state's courts where it has one of ours, else English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEXT_DIR: Final = Path(__file__).resolve().parent / "minutes_text"
LANGUAGES: Final = ("en", "fr", "de", "es")
FALLBACK: Final = "en"
# States whose courts sit in one of our languages. States with several court languages
# (BE, CH, ...) are not guessed: their minutes are in English unless the court names one.
_SPANISH = "ES AR BO CL CO CR CU DO EC GT HN MX NI PA PE PY SV UY VE"
STATE_LANGUAGE: Final = {
    **dict.fromkeys(("DE", "AT", "LI"), "de"),
    **dict.fromkeys(("FR", "LU", "MC"), "fr"),
    **dict.fromkeys(_SPANISH.split(), "es"),
    **dict.fromkeys(("GB", "IE", "MT", "US", "AU", "NZ"), "en"),
}
_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ")


@cache
def catalog(language: str) -> Mapping[str, str]:
    data = json.loads((TEXT_DIR / f"{language}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"minutes_text/{language}.json is not a flat object of strings")
    return data


def court_language(court: Mapping[str, object], requesting_state: str) -> str:
    named = str(court.get("language") or "")
    if named in LANGUAGES:
        return named
    return STATE_LANGUAGE.get(str(court.get("state") or requesting_state), FALLBACK)


class Text:
    """`text(key, **params)`: the catalog's template filled in. Values are never templates
    themselves (str.format_map does not recurse), so a name with braces stays as typed."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK
        self.strings = catalog(self.language)

    def __call__(self, key: str, **params: object) -> str:
        return self.strings[key].format_map(params)

    def word(self, prefix: str, value: object) -> str:
        """A vocabulary word (`role.judge`, `method.own_click`, ...); a value this catalog does
        not know yet (a newer event) reads as itself, with spaces for underscores."""
        return self.strings.get(f"{prefix}.{value}", str(value).replace("_", " "))

    def state(self, code: object) -> str:
        return self.strings.get(f"state.{code}", str(code))

    def long_date(self, day: datetime) -> str:
        return self(
            "date.long",
            weekday=self.strings[f"weekday.{day.weekday()}"],
            day=day.day,
            month=self.strings[f"month.{day.month}"],
            year=day.year,
        )


def zone(name: object) -> tzinfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_ts(value: object) -> datetime | None:
    for fmt in _TS_FORMATS:
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class Clock:
    """Times to the second in the venue's zone and, where its wall clock differs, the court's.
    A time on another day than the hearing's (in that zone) carries its date."""

    def __init__(self, text: Text, venue: tzinfo | None, court: tzinfo | None) -> None:
        self.text = text
        self.venue = venue or court or UTC
        self.court = court or self.venue
        self.day: datetime | None = None  # the hearing's day, set once known

    def describe(self, venue_name: str, court_name: str) -> str:
        if venue_name and court_name and venue_name != court_name:
            return self.text("value.times_two", venue_zone=venue_name, court_zone=court_name)
        if venue_name or court_name:
            return self.text("value.times_one", zone=venue_name or court_name)
        return self.text("value.times_utc")

    def _one(self, moment: datetime, where: tzinfo, full: bool) -> str:
        local = moment.astimezone(where)
        day = self.day.astimezone(where).date() if self.day else None
        date = f"{local:%Y-%m-%d} " if full or local.date() != day else ""
        return f"{date}{local:%H:%M:%S} {local:%Z}"

    def stamp(self, ts: object, *, full: bool = False) -> str:
        moment = parse_ts(ts)
        if moment is None:
            return str(ts) if ts not in (None, "") else "-"
        venue = self._one(moment, self.venue, full)
        court = self._one(moment, self.court, full)
        if venue == court:
            return venue
        return self.text(
            "time.pair",
            venue=venue,
            court=court,
            venue_label=self.text("time.venue"),
            court_label=self.text("time.court"),
        )
