"""Alembic environment. `vc_service.migrate` hands it a live connection; nothing else runs it."""

from __future__ import annotations

from typing import Any

from alembic import context

from vc_service.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise SystemExit("run migrations with `vc-service db upgrade`")

progress = config.attributes.get("progress")


def _on_apply(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
    if progress is not None:
        progress(f"applied migration {step.up_revision_id}: {step.up_revision.doc}")


context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    on_version_apply=_on_apply,
)
with context.begin_transaction():
    context.run_migrations()
