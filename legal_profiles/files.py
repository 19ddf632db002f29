"""Reading the TOML files kept with the profiles (profiles and plain-language texts)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from legal_profiles.errors import ProfileError


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file, or a ProfileError naming it and saying why it cannot be used."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(name, "(file)", f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ProfileError(name, "(file)", f"cannot be read: {exc.strerror}") from exc
