"""Legal profiles (one TOML file per state) and the pure engine that judges a cross-border hearing.

See docs/legal-profiles.md. Public interface:
    load_profiles(path=None) -> ProfileSet, default_profiles() -> ProfileSet (cached)
    check(profiles, requesting, requested, proceeding, role, consent="unknown", hearing_date=None,
          *, offence=None)
        -> Decision (Decision.to_dict() is plain JSON)
    check_request(payload, profiles=None) -> dict   (the JSON endpoint's body in, decision out)
    LegalInputError, ProfileError (both LegalError: code, message, details)
    cli.register(subparsers)                          (the `legal` command)
"""

from legal_profiles.api import check_request
from legal_profiles.decision import Decision
from legal_profiles.engine import check
from legal_profiles.errors import LegalError, LegalInputError, ProfileError
from legal_profiles.loader import ProfileSet, default_profiles, load_profiles

__all__ = [
    "Decision",
    "LegalError",
    "LegalInputError",
    "ProfileError",
    "ProfileSet",
    "check",
    "check_request",
    "default_profiles",
    "load_profiles",
]
