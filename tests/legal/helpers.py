"""Helpers for the legal tests: raw profile documents to mutate, and profile sets made of them."""

from __future__ import annotations

import argparse
import json
import tomllib
from datetime import date
from typing import Any

from legal_profiles.cli import register
from legal_profiles.loader import DATA_DIR, ProfileSet
from legal_profiles.model import StateProfile
from legal_profiles.schema import parse_profile

STATES = (
    "BE NL DE FR PL ES IT AT FI PT LU LV DK IE CH GB US CA AU CN BR ZA"  # noqa: SIM905
    " BG HR CY CZ EE GR HU LT MT RO SK SI SE NO NZ SG JP KR IN MX".split()
)
SOURCE = "https://example.org/retrieved-text"


def raw(iso2: str) -> dict[str, Any]:
    """A fresh parsed copy of a shipped profile, safe to mutate."""
    return tomllib.loads((DATA_DIR / f"{iso2}.toml").read_text(encoding="utf-8"))


def put(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set `a.b.c` in a nested document (the key is created if absent)."""
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return data


def drop(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node[key]
    del node[last]
    return data


def v(value: Any, **extra: Any) -> dict[str, Any]:
    """A verified fact."""
    return {"value": value, "confidence": "V", "source": SOURCE, **extra}


def build(data: dict[str, Any]) -> StateProfile:
    iso2 = str(data["iso2"])
    return parse_profile(data, f"{iso2}.toml", iso2)


def profile_set(*documents: dict[str, Any]) -> ProfileSet:
    profiles = {str(doc["iso2"]): build(doc) for doc in documents}
    return ProfileSet(profiles)


def blank(iso2: str, name: str = "Testland") -> dict[str, Any]:
    """A profile of `iso2` with every fact unknown except its time zone: the worst case."""
    data = raw("LU")
    data["iso2"], data["name"] = iso2, name

    def clear(node: dict[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict) and "value" not in value and "confidence" not in value:
                clear(value)
            elif isinstance(value, list):
                node[key] = []
            else:
                node[key] = "unknown"

    for section in ("treaties", "incoming", "outgoing"):
        clear(data[section])
    data["contacts"] = []
    put(data, "incoming.time_zones", "unknown")
    return data


def toml_text(doc: dict[str, Any]) -> str:
    """TOML for the documents above: nested tables of facts, arrays of records."""

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, date | int):
            return str(value)
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {scalar(x)}" for k, x in value.items()) + " }"
        if isinstance(value, list):
            return "[" + ", ".join(scalar(item) for item in value) + "]"
        return json.dumps(value, ensure_ascii=False)

    lines: list[str] = []

    def table(path: str, node: dict[str, Any]) -> None:
        if path:
            lines.append(f"[{path}]")
        nested, arrays = [], []
        for key, value in node.items():
            if isinstance(value, dict) and "confidence" not in value:
                nested.append((key, value))
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                arrays.append((key, value))
            else:
                lines.append(f"{key} = {scalar(value)}")
        # A [table] header ends the keys of its parent: scalars first, then records, then tables.
        for key, items in arrays:
            for item in items:
                lines.append(f"[[{path}.{key}]]")
                lines.extend(f"{k} = {scalar(x)}" for k, x in item.items())
        for key, value in nested:
            table(f"{path}.{key}" if path else key, value)

    table("", doc)
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> int:
    """Parse like `vc-service` does and call the chosen command."""
    parser = argparse.ArgumentParser(prog="vc-service")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code
