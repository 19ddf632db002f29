"""Applies Alembic migrations over the service's own engine and reports progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from vc_service.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(progress: Callable[[str], None] | None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["progress"] = progress
    return cfg


def head_revisions() -> set[str]:
    """Every head: features add migrations on their own branches from the foundation."""
    return set(ScriptDirectory.from_config(_config(None)).get_heads())


async def upgrade(db: Database, progress: Callable[[str], None] | None = None) -> None:
    cfg = _config(progress)

    def run(connection: Connection) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def current_revisions(db: Database) -> set[str]:
    def read(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)
