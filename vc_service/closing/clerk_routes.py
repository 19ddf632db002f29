"""The clerk's API: closed and sealed hearings of the clerk's court, the signed bundle, its
verification, the minutes; and the judge's or clerk's retry of sealing.

Clerks and judges of the hearing's court may read; any other staff role is refused (403), and a
hearing of another court is reported as not found (404), so nobody can probe other courts' ids.
"""

from __future__ import annotations

import asyncio
import uuid
import zipfile
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from vc_service.accounts.models import Role
from vc_service.accounts.service import Principal
from vc_service.audit.events import format_ts
from vc_service.audit.keys import trust_policy_document
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.report import STEPS
from vc_service.audit.verify import verify_bundle
from vc_service.closing import (
    clerk_openapi,  # noqa: F401  (documents these routes)
    log_keys,
)
from vc_service.closing.sealing import close_and_seal, minutes_files
from vc_service.errors import Conflict, NotFound
from vc_service.hearings.lifecycle import State
from vc_service.hearings.models import Hearing
from vc_service.http.auth_routes import require
from vc_service.http.keys import SERVICES
from vc_service.services import Services

routes = web.RouteTableDef()
READERS = (Role.CLERK, Role.JUDGE)
LISTED = (State.CLOSED.value, State.SEALED.value)
PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not_checked"
COSIGN_STEP, TIME_STEP = STEPS[4], STEPS[5]
TIMESTAMP_FILE = "checkpoint.tsr"
MINUTES_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _summary(hearing: Hearing) -> dict[str, Any]:
    return {
        "id": hearing.id,
        "case_reference": hearing.case_reference,
        "state": hearing.state,
        "requesting_state": hearing.requesting_state,
        "requested_state": hearing.requested_state,
        "venue": hearing.venue,
        "starts_at": format_ts(hearing.starts_at),
        "sealed": hearing.state == State.SEALED.value,
    }


async def _court_hearing(services: Services, principal: Principal, hearing_id: str) -> Hearing:
    async with services.db.session() as session:
        hearing = await session.get(Hearing, hearing_id)
    if hearing is None or hearing.court_id != principal.court_id:
        raise NotFound(f"no hearing {hearing_id} in your court", code="hearing.not_found")
    return hearing


async def _sealed(request: web.Request) -> tuple[Services, Hearing]:
    principal = require(request, *READERS)
    services = request.app[SERVICES]
    hearing = await _court_hearing(services, principal, request.match_info["hearing_id"])
    if hearing.state != State.SEALED.value:
        raise Conflict(
            f"hearing {hearing.id} is {hearing.state}; its record is available once sealed",
            code="hearing.not_sealed",
            details={"state": hearing.state},
        )
    return services, hearing


async def export_bundle(services: Services, hearing_id: str) -> Path:
    """Write the bundle afresh (cosignatures may have arrived since) and return its path; the
    replace is atomic, so a download in progress keeps reading the old file."""
    folder = services.settings.data_dir / "bundles"
    final = folder / f"{hearing_id}.zip"
    partial = folder / f".{hearing_id}.{uuid.uuid4().hex}.zip"
    await services.audit.export(hearing_id, partial)
    await asyncio.to_thread(partial.replace, final)
    return final


async def verify_hearing(services: Services, hearing_id: str) -> dict[str, Any]:
    """Run the offline verifier on the bundle with a policy of the service's own keys and the
    cosigners registered for the hearing, each of whose cosignature is then required."""
    bundle = await export_bundle(services, hearing_id)
    prefix = f"{services.settings.audit_origin_domain}/hearing/"
    cosigners = await services.audit.keys.cosigners(hearing_id)
    document = trust_policy_document(
        await services.audit.keys.all(), prefix, cosigners=cosigners, quorum=len(cosigners)
    )
    policy = policy_from_dict(document)
    report = await asyncio.to_thread(
        verify_bundle, bundle, policy, expected_origin=prefix + hearing_id
    )
    names = await asyncio.to_thread(_names, bundle)
    result = report.to_dict()
    result["hearing_id"] = hearing_id
    result["steps"] = checked_steps(
        result["steps"], cosigners=len(cosigners), timestamped=TIMESTAMP_FILE in names
    )
    result["not_checked"] = [s["number"] for s in result["steps"] if s["status"] == NOT_CHECKED]
    signed_by = await log_keys.hearing_keys(services.audit, hearing_id)
    result["log_keys"] = [
        {"name": info.name, "key_id": info.key_id, "download": _key_url(hearing_id)}
        for info in signed_by
    ]
    return result


def _names(bundle: Path) -> set[str]:
    with zipfile.ZipFile(bundle) as archive:
        return set(archive.namelist())


def _key_url(hearing_id: str) -> str:
    return f"/api/clerk/hearings/{hearing_id}/log-key.pem"


def checked_steps(
    steps: list[dict[str, Any]], *, cosigners: int, timestamped: bool
) -> list[dict[str, Any]]:
    """Each step with `status` passed|failed|not_checked and, when not checked, `reason`.

    The verifier passes a check that had nothing to check (no cosigner registered, so a quorum
    of 0; no RFC 3161 token and a policy that does not require one) and fails a step it did not
    run after an earlier failure. Neither proves anything, so neither may read as passed or as
    a failure of its own: they are "not checked", and say why."""
    out: list[dict[str, Any]] = []
    failed_first: int | None = None
    for step in steps:
        step = dict(step)
        status, reason = (PASSED if step["passed"] else FAILED), None
        if not step["passed"] and failed_first is not None:
            status = NOT_CHECKED
            reason = f"not run: step {failed_first} failed first"
        elif not step["passed"]:
            failed_first = step["number"]
        elif step["title"] == COSIGN_STEP and cosigners == 0:
            status = NOT_CHECKED
            reason = (
                "no cosigner is registered for this hearing, so nobody outside the service "
                "countersigned this record (a quorum of 0 proves nothing)"
            )
        elif step["title"] == TIME_STEP and not timestamped:
            status = NOT_CHECKED
            reason = (
                "the record carries no RFC 3161 timestamp from an independent time-stamping "
                "authority; its time is the log's own claim"
            )
        step["status"], step["reason"] = status, reason
        out.append(step)
    return out


@routes.get("/api/clerk/hearings")
async def clerk_hearings(request: web.Request) -> web.Response:
    principal = require(request, *READERS)
    services = request.app[SERVICES]
    async with services.db.session() as session:
        rows = await session.scalars(
            select(Hearing)
            .where(Hearing.court_id == principal.court_id, Hearing.state.in_(LISTED))
            .order_by(Hearing.starts_at.desc())
        )
        found = [_summary(hearing) for hearing in rows]
    return web.json_response({"hearings": found})


@routes.get("/api/clerk/hearings/{hearing_id}/bundle")
async def clerk_bundle(request: web.Request) -> web.FileResponse:
    services, hearing = await _sealed(request)
    path = await export_bundle(services, hearing.id)
    name = f"hearing-{hearing.id}.zip"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@routes.get("/api/clerk/hearings/{hearing_id}/verification")
async def clerk_verification(request: web.Request) -> web.Response:
    services, hearing = await _sealed(request)
    return web.json_response(await verify_hearing(services, hearing.id))


async def _minutes(request: web.Request, fmt: str, media_type: str) -> web.Response:
    services, hearing = await _sealed(request)
    attachments = await minutes_files(services.audit)(hearing.id)
    bound = attachments.minutes_html if fmt == "html" else attachments.minutes_pdf
    if bound is None or not isinstance(bound.source, bytes):
        raise NotFound(f"hearing {hearing.id} has no {fmt} minutes", code="minutes.not_found")
    headers = {"Cache-Control": "no-store"}
    if fmt == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="minutes-{hearing.id}.pdf"'
    else:
        # The minutes are our own escaped HTML; still, never let them run anything. Their
        # layout is an inline <style> (the file must read the same offline, from the bundle).
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    charset = "utf-8" if fmt == "html" else None
    return web.Response(
        body=bound.source, content_type=media_type, charset=charset, headers=headers
    )


@routes.get("/api/clerk/hearings/{hearing_id}/log-key.pem")
async def clerk_log_key(request: web.Request) -> web.Response:
    """The public key that signed the sealed hearing's final checkpoint, as the `log.pem` that
    VERIFY.md asks for (the bundle's own keys/ folder must not be used as the trust anchor)."""
    services, hearing = await _sealed(request)
    keys = await log_keys.hearing_keys(services.audit, hearing.id)
    return web.Response(
        text=log_keys.pem_bundle(keys),
        content_type="application/x-pem-file",
        headers={
            "Content-Disposition": 'attachment; filename="log.pem"',
            "Cache-Control": "no-store",
            "X-Log-Key-Name": " ".join(info.name for info in keys),
        },
    )


@routes.get("/api/clerk/hearings/{hearing_id}/minutes.html")
async def clerk_minutes_html(request: web.Request) -> web.Response:
    return await _minutes(request, "html", "text/html")


@routes.get("/api/clerk/hearings/{hearing_id}/minutes.pdf")
async def clerk_minutes_pdf(request: web.Request) -> web.Response:
    return await _minutes(request, "pdf", "application/pdf")


@routes.post("/api/hearings/{hearing_id}/seal")
async def seal_hearing(request: web.Request) -> web.Response:
    """Retry sealing (it also runs by itself when the room ends the hearing)."""
    principal = require(request, *READERS)
    services = request.app[SERVICES]
    hearing = await _court_hearing(services, principal, request.match_info["hearing_id"])
    result = await close_and_seal(services, hearing.id)
    return web.json_response(
        {
            "hearing_id": hearing.id,
            "state": State.SEALED.value,
            "size": result.size,
            "minutes": result.minutes_seqs,
            "done": result.done,
        }
    )
