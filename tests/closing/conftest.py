"""Fixtures of the closing tests: the hearings tests' court on SQLite (and on PostgreSQL)."""

from __future__ import annotations

from tests.hearings.conftest import desk, lite, login

__all__ = ["desk", "lite", "login"]
