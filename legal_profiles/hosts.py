"""Official hosts: is a `V` fact's source a primary source? (issue 11, point 2)

`official_hosts.toml` lists host suffixes (the publishers of the law itself: EUR-Lex, HCCH, the
Council of Europe, a state's legislation portal or gazette, ...), each with what it is. A V fact
whose source URL's host matches none of them is a warning of `legal validate` (an error with
`--strict`): its source may be a law firm, a blog or a mirror, and the fact should then be K.
Pure apart from `load_official_hosts`, which reads the list once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from legal_profiles.errors import ProfileError
from legal_profiles.model import StateProfile, iter_facts

HOSTS_FILE = Path(__file__).resolve().parent / "official_hosts.toml"
# A lower-case DNS name with at least two labels: no scheme, path, port or leading dot.
_SUFFIX = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class OfficialHosts:
    """Host suffixes and what each one is."""

    suffixes: Mapping[str, str]

    def match(self, host: str) -> str | None:
        """The suffix that covers `host` (the host itself or a parent domain), or None."""
        labels = host.lower().rstrip(".").split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            if candidate in self.suffixes:
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class HostWarning:
    """A V fact whose source is not on an official host."""

    file: str
    field: str
    host: str
    url: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: V fact sourced from {self.host}, which is not on the"
            " official host list"
        )


def parse_official_hosts(data: Mapping[str, object], file: str) -> OfficialHosts:
    """Validate a parsed host list: `[hosts]` mapping each suffix to a non-empty description."""
    extra = sorted(set(data) - {"hosts"})
    if extra:
        raise ProfileError(file, extra[0], "unknown top-level key (expected only [hosts])")
    table = data.get("hosts")
    if not isinstance(table, dict) or not table:
        raise ProfileError(file, "hosts", "expected a non-empty table of suffix = description")
    suffixes: dict[str, str] = {}
    for suffix, what in table.items():
        if not _SUFFIX.match(suffix):
            raise ProfileError(
                file, f"hosts.{suffix}", "not a lower-case host name (no scheme, path or dot)"
            )
        if not isinstance(what, str) or not what.strip():
            raise ProfileError(file, f"hosts.{suffix}", "must say what the host is")
        suffixes[suffix] = what
    return OfficialHosts(suffixes)


def load_official_hosts(path: Path = HOSTS_FILE) -> OfficialHosts:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(str(path), "(file)", f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ProfileError(str(path), "(file)", f"cannot be read: {exc.strerror}") from exc
    return parse_official_hosts(data, str(path))


def source_host(url: str) -> str:
    """The host of a source URL, lower case ("" if it has none)."""
    return (urlsplit(url).hostname or "").rstrip(".")


def unofficial_sources(profiles: Iterable[StateProfile], hosts: OfficialHosts) -> list[HostWarning]:
    """Every V fact (records included) whose source host is not covered by `hosts`, in profile
    and field order. K and U facts are not checked: a K fact says itself it was not verified."""
    warnings: list[HostWarning] = []
    for profile in profiles:
        for fact in iter_facts(profile):
            if fact.confidence != "V" or fact.source is None:
                continue
            host = source_host(fact.source)
            if hosts.match(host) is None:
                warnings.append(HostWarning(profile.origin, fact.path, host, fact.source))
    return warnings
