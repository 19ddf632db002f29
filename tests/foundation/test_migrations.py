"""Migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from vc_service import migrate
from vc_service.models import metadata
from vc_service.services import Services


async def test_migrations_match_models(any_services: Services) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, metadata))

    async with any_services.db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == [], "models and migrations disagree; add a migration"
    assert await migrate.current_revisions(any_services.db) == migrate.head_revisions()


async def test_upgrade_is_idempotent(any_services: Services) -> None:
    await migrate.upgrade(any_services.db)
    assert await migrate.current_revisions(any_services.db) == migrate.head_revisions()
