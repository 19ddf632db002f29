"""The final checkpoint of a sealed hearing, and the requested state's authority cosigning it.

The authority's page signs in the browser with a key the browser keeps (WebCrypto Ed25519, the
private half never leaves it) and sends the `cosignature/v1` line with the public key. The line
is verified with that key before the key is registered as the hearing's cosigner, so a bad line
leaves nothing behind. Whether a verifier accepts the cosigner is decided by its trust policy,
never by this registration: the authority gives its public key to verifiers by its own channel.

The page remembers the last checkpoint it cosigned per log and, before it cosigns another of the
same log, asks `GET …/log/final?known=SIZE` for the consistency proof from it. When the record
contradicts what it signed before, it refuses and reports both signed notes to
`POST …/log/forks`, which keeps them as evidence (issue 14 point 7).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from vc_service.accounts.models import Role
from vc_service.audit.checkpoint import (
    parse_checkpoint_body,
    parse_signature_line,
    parse_signed_note,
    verify_cosignatures,
)
from vc_service.closing import cosign_openapi  # noqa: F401  (documents these routes)
from vc_service.errors import Conflict, ValidationFailed
from vc_service.hearings.routes import hearings_of, viewer_of
from vc_service.http.keys import SERVICES
from vc_service.http.validation import Fields, read_json
from vc_service.services import Services

routes = web.RouteTableDef()
# "— " + name + " " + base64(4 + 8 + 64 bytes) stays far below this.
MAX_LINE = 400
# A checkpoint with a few signature lines; far below the signed-note limit.
MAX_NOTE = 16384


async def final_checkpoint(
    services: Services, hearing_id: str, known: int | None = None
) -> dict[str, Any]:
    signer = services.audit.signer
    size = await signer.final_size(hearing_id)
    note = None if size is None else await signer.signed_note(hearing_id, size)
    if size is None or note is None:
        raise Conflict(
            f"the record of hearing {hearing_id} is not sealed yet",
            code="hearing.not_sealed",
            details={"hearing_id": hearing_id},
        )
    parsed = parse_signed_note(note)
    checkpoint = parse_checkpoint_body(parsed.body)
    cosigned = verify_cosignatures(parsed, await services.audit.keys.cosigners(hearing_id))
    answer: dict[str, Any] = {
        "hearing_id": hearing_id,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root_hash": base64.b64encode(checkpoint.root).decode("ascii"),
        "body": parsed.body.decode("utf-8"),
        "note": note.decode("utf-8"),
        "cosignatures": [
            {
                "name": key.name,
                "key_id": key.key_id.hex(),
                "time": _seconds(when),
            }
            for key, when in sorted(cosigned.items(), key=lambda item: item[0].name)
        ],
    }
    if known is not None:
        proof = await signer.consistency(hearing_id, known)
        answer["known"] = known
        answer["consistency"] = [base64.b64encode(node).decode("ascii") for node in proof]
    return answer


def _known(request: web.Request) -> int | None:
    text = request.query.get("known")
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 15 or int(text) < 1:
        raise ValidationFailed(
            "known must be a checkpoint size (a positive integer)",
            details={"fields": {"known": "a positive integer"}},
        )
    return int(text)


def _seconds(timestamp: int) -> str:
    # A cosignature's time is whole seconds (c2sp tlog-cosignature).
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _public_key(fields: Fields) -> bytes:
    text = fields.text("public_key", max_len=64)
    if "public_key" in fields.errors:
        return b""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        fields.fail("public_key", "must be base64")
        return b""
    if len(raw) != 32:
        fields.fail("public_key", "must be a raw Ed25519 public key (32 bytes)")
    return raw


@routes.get("/api/hearings/{hearing_id}/log/final")
async def get_final_checkpoint(request: web.Request) -> web.Response:
    viewer = await viewer_of(request)
    record = await hearings_of(request).schedule.get(viewer, request.match_info["hearing_id"])
    known = _known(request)
    return web.json_response(await final_checkpoint(request.app[SERVICES], record.id, known))


@routes.post("/api/hearings/{hearing_id}/log/forks")
async def report_fork(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.AUTHORITY)
    record = await hearings_of(request).schedule.get(viewer, request.match_info["hearing_id"])
    fields = Fields(await read_json(request))
    cosigner = fields.text("cosigner", max_len=200, multiline=False)
    held = fields.text("held", max_len=MAX_NOTE)
    offered = fields.text("offered", max_len=MAX_NOTE)
    fields.done()
    report = await request.app[SERVICES].audit.signer.record_fork(
        record.id, viewer.principal.user_id, cosigner, held.encode(), offered.encode()
    )
    return web.json_response(
        {"id": report.id, "hearing_id": record.id, "reason": report.reason}, status=201
    )


@routes.post("/api/hearings/{hearing_id}/log/cosignatures")
async def cosign_final_checkpoint(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.AUTHORITY)
    record = await hearings_of(request).schedule.get(viewer, request.match_info["hearing_id"])
    fields = Fields(await read_json(request))
    line = fields.text("line", max_len=MAX_LINE)
    public_key = _public_key(fields)
    fields.done()
    services = request.app[SERVICES]
    await services.audit.add_cosignature(record.id, line, public_key)
    # The line verified and is stored: answer from it rather than reading the note back.
    stored = parse_signature_line(line.rstrip("\n"))
    return web.json_response(
        {
            "hearing_id": record.id,
            "name": stored.name,
            "key_id": stored.key_id.hex(),
            "size": await services.audit.signer.final_size(record.id),
            "time": _seconds(int.from_bytes(stored.signature[:8], "big")),
        },
        status=201,
    )
