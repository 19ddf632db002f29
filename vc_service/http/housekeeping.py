"""Periodic work of a running server: retry undelivered invitation letters and forget expired
sign-in state. One task per process; every round is safe to run on several nodes at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import delete

from vc_service.accounts.models import SignInStep, WebSession
from vc_service.db import utcnow
from vc_service.http.keys import SERVICES
from vc_service.services import Services

log = logging.getLogger("vc_service.housekeeping")
INTERVAL_SECONDS = 60.0


async def run_once(services: Services) -> dict[str, int]:
    """One round; returns what it did, for logs and tests."""
    now = utcnow()
    async with services.db.transaction() as s:
        sessions = await s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        steps = await s.execute(delete(SignInStep).where(SignInStep.expires_at <= now))
    letters = await services.hearings.outbox.deliver_pending()
    return {
        "sessions_expired": int(getattr(sessions, "rowcount", 0) or 0),
        "sign_in_steps_expired": int(getattr(steps, "rowcount", 0) or 0),
        "letters_sent": letters,
    }


async def _loop(services: Services, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            done = await run_once(services)
            if any(done.values()):
                log.info("housekeeping", extra=done)
        except Exception:  # one failed round must not end the loop; the next one retries
            log.exception("housekeeping round failed")


async def housekeeping(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_loop(app[SERVICES], INTERVAL_SECONDS))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(housekeeping)
