"""The judges', clerks' and authorities' JSON API for hearings and invitations (`docs/api.md`)."""

from __future__ import annotations

from aiohttp import web

from vc_service.accounts.models import Role
from vc_service.errors import ValidationFailed
from vc_service.hearings import forms
from vc_service.hearings.access import Action, Viewer
from vc_service.hearings.lifecycle import parse_state
from vc_service.hearings.registry import Hearings
from vc_service.hearings.views import hearing_view, summary_view
from vc_service.http.auth_routes import require
from vc_service.http.keys import SERVICES
from vc_service.http.validation import Fields, read_json

routes = web.RouteTableDef()
HEARING = "/api/hearings/{hearing_id}"
PARTICIPANT = HEARING + "/participants/{participant_id}"


def hearings_of(request: web.Request) -> Hearings:
    found: Hearings = request.app[SERVICES].hearings
    return found


async def viewer_of(request: web.Request, *roles: Role) -> Viewer:
    principal = require(request, *roles)
    return await hearings_of(request).schedule.viewer(principal)


def ids(request: web.Request) -> tuple[str, str]:
    return request.match_info["hearing_id"], request.match_info.get("participant_id", "")


@routes.get("/api/hearings")
async def list_hearings(request: web.Request) -> web.Response:
    viewer = await viewer_of(request)
    upcoming = request.query.get("upcoming", "true")
    if upcoming not in ("true", "false"):
        raise ValidationFailed(
            "upcoming must be true or false", details={"fields": {"upcoming": "true or false"}}
        )
    state = parse_state(request.query["state"]) if "state" in request.query else None
    found = await hearings_of(request).schedule.search(
        viewer, upcoming=upcoming == "true", state=state
    )
    return web.json_response({"hearings": [summary_view(r) for r in found]})


@routes.get("/api/scheduling/options")
async def scheduling_options(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    return web.json_response(await hearings_of(request).schedule.form_options(viewer))


@routes.post("/api/hearings")
async def create_hearing(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    draft = forms.parse_draft(await read_json(request))
    record = await hearings_of(request).schedule.create(viewer, draft)
    return web.json_response(hearing_view(record), status=201)


@routes.get(HEARING)
async def get_hearing(request: web.Request) -> web.Response:
    viewer = await viewer_of(request)
    record = await hearings_of(request).schedule.get(viewer, ids(request)[0])
    return web.json_response(hearing_view(record))


@routes.patch(HEARING)
async def reschedule(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    changes = forms.parse_changes(await read_json(request))
    hearings = hearings_of(request)
    record = await hearings.schedule.reschedule(viewer, ids(request)[0], changes)
    await hearings.invitations.deliver()
    return web.json_response(hearing_view(record))


async def _version_and(request: web.Request, *names: str) -> tuple[int, dict[str, str]]:
    fields = Fields(await read_json(request))
    version = fields.integer("version", lo=1)
    texts = {name: fields.text(name, max_len=2000).strip() for name in names}
    fields.done()
    return version, texts


@routes.post(HEARING + "/cancel")
async def cancel(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    version, texts = await _version_and(request, "reason")
    hearings = hearings_of(request)
    record = await hearings.schedule.cancel(viewer, ids(request)[0], version, texts["reason"])
    await hearings.invitations.deliver()
    return web.json_response(hearing_view(record))


@routes.post(HEARING + "/legal-review")
async def legal_review(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    fields = Fields(await read_json(request))
    version = fields.integer("version", lo=1)
    outcome = fields.choice("outcome", ["cleared", "refused"])
    note = fields.text("note", max_len=2000, min_len=10).strip()
    if "note" not in fields.errors and len(note) < 10:
        # The record keeps the stripped note: spaces must not make up the minimum.
        fields.fail("note", "must be 10 to 2000 characters, not counting surrounding spaces")
    fields.done()
    record = await hearings_of(request).schedule.record_review(
        viewer, ids(request)[0], version, outcome == "cleared", note
    )
    return web.json_response(hearing_view(record))


@routes.post(HEARING + "/conditions/{condition_id}")
async def condition_met(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    version, texts = await _version_and(request, "note")
    record = await hearings_of(request).schedule.record_condition(
        viewer, ids(request)[0], version, request.match_info["condition_id"], texts["note"]
    )
    return web.json_response(hearing_view(record))


@routes.post(HEARING + "/open")
async def open_lobby(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    version, _ = await _version_and(request)
    record = await hearings_of(request).schedule.open(viewer, ids(request)[0], version)
    return web.json_response(hearing_view(record))


@routes.post(HEARING + "/participants")
async def add_participant(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE)
    version, person = forms.parse_participant(await read_json(request))
    record = await hearings_of(request).schedule.add_participant(
        viewer, ids(request)[0], version, person
    )
    return web.json_response(hearing_view(record), status=201)


# -- invitations -----------------------------------------------------------------------------


@routes.get(HEARING + "/invitations")
async def invitations(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    found = await hearings_of(request).invitations.overview(viewer, ids(request)[0])
    return web.json_response({"participants": found})


@routes.post(PARTICIPANT + "/invitation")
async def issue(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    hearing_id, participant_id = ids(request)
    issued = await hearings_of(request).invitations.issue(viewer, hearing_id, participant_id)
    return web.json_response(issued.to_dict(), status=201)


@routes.post(PARTICIPANT + "/invitation/reissue")
async def reissue(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    hearing_id, participant_id = ids(request)
    issued = await hearings_of(request).invitations.issue(
        viewer, hearing_id, participant_id, reissue=True
    )
    return web.json_response(issued.to_dict(), status=201)


@routes.post(PARTICIPANT + "/invitation/revoke")
async def revoke(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    fields = Fields(await read_json(request))
    reason = fields.text("reason", max_len=2000).strip()
    fields.done()
    hearing_id, participant_id = ids(request)
    await hearings_of(request).invitations.revoke(viewer, hearing_id, participant_id, reason)
    return web.json_response({"revoked": True, "participant_id": participant_id})


@routes.post(PARTICIPANT + "/invitation/code")
async def new_code(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    hearing_id, participant_id = ids(request)
    code = await hearings_of(request).invitations.reset_code(viewer, hearing_id, participant_id)
    return web.json_response({"participant_id": participant_id, "code": code})


@routes.get(PARTICIPANT + "/calendar.ics")
async def staff_calendar(request: web.Request) -> web.Response:
    viewer = await viewer_of(request)
    hearing_id, participant_id = ids(request)
    body = await hearings_of(request).invitations.calendar(viewer, hearing_id, participant_id)
    return ics_response(body)


def ics_response(body: bytes) -> web.Response:
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="hearing.ics"'},
    )


@routes.get(HEARING + "/outbox")
async def outbox(request: web.Request) -> web.Response:
    viewer = await viewer_of(request, Role.JUDGE, Role.CLERK)
    hearings = hearings_of(request)
    await hearings.schedule.get(viewer, ids(request)[0], Action.INVITE)
    return web.json_response({"messages": await hearings.outbox.messages(ids(request)[0])})


@routes.post(HEARING + "/join")
async def join_with_account(request: web.Request) -> web.Response:
    principal = require(request, Role.JUDGE, Role.CLERK, Role.AUTHORITY)
    fields = Fields(await read_json(request))
    participant_id = fields.text("participant_id", required=False, max_len=36) or None
    fields.done()
    grant = await hearings_of(request).join_with_account(principal, ids(request)[0], participant_id)
    return web.json_response(grant.to_dict())
