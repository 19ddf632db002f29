"""Loading profiles: one TOML file per state in a directory, validated at load time.

An invalid file raises `ProfileError` naming file, field and reason: the service refuses to start
rather than judge hearings with a hole in its law.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from legal_profiles.compiled import Compiled
from legal_profiles.errors import ProfileError
from legal_profiles.files import read_toml
from legal_profiles.model import UNKNOWN, StateProfile
from legal_profiles.plain import PlainTexts, checked_texts, plain_dir_for
from legal_profiles.schema import parse_profile

DATA_DIR = Path(__file__).resolve().parent / "data"


class ProfileSet:
    """The loaded profiles, each also compiled for the engine once."""

    def __init__(self, profiles: dict[str, StateProfile], directory: Path | None = None) -> None:
        self.directory = directory
        self._profiles = dict(sorted(profiles.items()))
        _check_bilateral(self._profiles)
        _check_hague_relations(self._profiles)
        # What a participant reads instead of the legal text: a missing text stops the start too.
        self.plain: PlainTexts = checked_texts(plain_dir_for(directory))
        self._compiled = {iso2: Compiled(profile) for iso2, profile in self._profiles.items()}

    def __contains__(self, iso2: object) -> bool:
        return iso2 in self._profiles

    def __iter__(self) -> Iterator[StateProfile]:
        return iter(self._profiles.values())

    def __len__(self) -> int:
        return len(self._profiles)

    def codes(self) -> tuple[str, ...]:
        return tuple(self._profiles)

    def get(self, iso2: str) -> StateProfile | None:
        return self._profiles.get(iso2)

    def compiled(self, iso2: str) -> Compiled | None:
        return self._compiled.get(iso2)


def load_file(path: Path) -> StateProfile:
    """Parse and validate one profile file; its name must be `<ISO2>.toml`."""
    return parse_profile(read_toml(path), str(path), expected_iso2=path.stem)


def profile_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ProfileError(str(directory), "(directory)", "not a directory")
    return sorted(directory.glob("*.toml"))


def load_profiles(path: Path | None = None) -> ProfileSet:
    """Load every `*.toml` profile in `path` (default: the packaged `legal_profiles/data`)."""
    directory = DATA_DIR if path is None else path
    files = profile_files(directory)
    if not files:
        raise ProfileError(str(directory), "(directory)", "holds no *.toml profile")
    profiles: dict[str, StateProfile] = {}
    for file in files:
        profile = load_file(file)
        profiles[profile.iso2] = profile
    return ProfileSet(profiles, directory)


@cache
def default_profiles() -> ProfileSet:
    """The packaged profiles, loaded and compiled once per process."""
    return load_profiles()


def _check_bilateral(profiles: dict[str, StateProfile]) -> None:
    """A treaty binds two states: if both have a profile, both must record it."""
    for profile in profiles.values():
        for fact in profile.treaties.bilateral:
            record = fact.value
            if record is UNKNOWN:
                continue
            other = profiles.get(record.counterparty)
            if other is None:
                continue
            mirrored = any(
                f.value is not UNKNOWN
                and f.value.counterparty == profile.iso2
                and f.value.instrument == record.instrument
                for f in other.treaties.bilateral
            )
            if not mirrored:
                raise ProfileError(
                    other.origin,
                    "treaties.bilateral",
                    f"{profile.iso2} records {record.instrument} with {other.iso2}, this profile"
                    f" does not record it with {profile.iso2}",
                )


def _check_hague_relations(profiles: dict[str, StateProfile]) -> None:
    """The Evidence Convention is in force between two states or not: both profiles must agree."""
    for profile in profiles.values():
        for fact in profile.treaties.hague.relations:
            record = fact.value
            if record is UNKNOWN:
                continue
            if record.counterparty == profile.iso2:
                raise ProfileError(
                    profile.origin, fact.path, "a state has no Hague relation with itself"
                )
            other = profiles.get(record.counterparty)
            if other is None:
                continue
            mirror = [
                f.value
                for f in other.treaties.hague.relations
                if f.value is not UNKNOWN and f.value.counterparty == profile.iso2
            ]
            if not mirror:
                raise ProfileError(
                    other.origin,
                    "treaties.hague.relations",
                    f"{profile.iso2} records the Evidence Convention as {record.status} with"
                    f" {other.iso2}, this profile has no record for {profile.iso2}",
                )
            theirs = mirror[0]
            if (theirs.status, theirs.in_force_from) != (record.status, record.in_force_from):
                raise ProfileError(
                    other.origin,
                    "treaties.hague.relations",
                    f"{profile.iso2} records {record.status} from {record.in_force_from},"
                    f" this profile records {theirs.status} from {theirs.in_force_from}",
                )
