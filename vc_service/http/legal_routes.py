"""The legal engine as a JSON API, for the judge's scheduling form (live decision as they type)."""

from __future__ import annotations

from aiohttp import web

from legal_profiles.api import check_request
from legal_profiles.errors import LegalInputError
from vc_service.errors import ValidationFailed
from vc_service.hearings.openapi import EXTRA_OPERATIONS, EXTRA_RESPONSES
from vc_service.hearings.openapi_paths import ex
from vc_service.http.auth_routes import require
from vc_service.http.keys import SERVICES
from vc_service.http.validation import read_json

routes = web.RouteTableDef()


@routes.post("/api/legal/check")
async def legal_check(request: web.Request) -> web.Response:
    require(request)
    body = await read_json(request)
    try:
        decision = check_request(body, request.app[SERVICES].legal)
    except LegalInputError as exc:
        details = dict(exc.details)
        if "field" in details:
            # The API's error shape names each bad field in `details.fields`.
            details["fields"] = {str(details["field"]): exc.message}
        raise ValidationFailed(exc.message, code=exc.code, details=details) from None
    return web.json_response(decision)


@routes.get("/api/legal/profiles")
async def legal_profiles(request: web.Request) -> web.Response:
    require(request)
    profiles = request.app[SERVICES].legal
    listed = [
        {"state": profile.iso2, "name": profile.name, "reviewed": profile.reviewed.isoformat()}
        for profile in profiles
    ]
    return web.json_response({"profiles": listed})


_CHECK = {
    "requesting": "DE", "requested": "FR", "proceeding": "criminal", "role": "witness",
    "consent": "yes", "date": "2027-03-02", "offence": "organized_crime",
}  # fmt: skip
_CONDITION = {
    "id": "authority.present",
    "text": "A competent judicial authority of the requested state is present ...",
    "citation": "Dir 2014/41/EU Art 24(5)(a); https://eur-lex.europa.eu/eli/dir/2014/41/oj",
    "stage": "during",
    "satisfied_by": ["authority"],
    "confidence": "V",
    "params": {},
}
EXTRA_OPERATIONS.extend(
    [
        {
            "method": "post", "path": "/api/legal/check", "tag": "legal", "who": "signed in",
            "summary": "Judge a case against both states' legal profiles",
            "description": (
                "Fields: `requesting`, `requested` (ISO 3166-1 alpha-2), `proceeding` "
                "(civil|criminal), `role` (witness|expert|party|victim|accused), optional "
                "`consent` (yes|no|unknown), `date` (YYYY-MM-DD) and, in criminal proceedings "
                "only, `offence` (organized_crime|corruption|other; absent: not given), the "
                "scope that decides whether UNTOC Art 18(18) or UNCAC Art 46(18) can be the "
                "route (422 `legal.bad_offence` for an unknown value or an offence in a civil "
                "case; `details.fields` names the field). The answer is the engine's "
                "decision (allowed|conditional|barred|unknown) with the regimes, the conditions "
                "the live hearing enforces, the reasons and the recording rule, each cited. A "
                "state without a profile gives `unknown`, never an error. Condition ids are "
                "listed in docs/legal-profiles.md."
            ),
            "examples": [
                ex(65, "judge", 200, body=_CHECK),
                ex(66, "judge", 422, name="bad_state", summary="A malformed state code",
                   body={**_CHECK, "requested": "XX1"}),
                ex(68, "judge", 422, name="bad_offence",
                   summary="An offence scope in civil proceedings",
                   body={**_CHECK, "proceeding": "civil", "offence": "corruption"}),
            ],
        },
        {
            "method": "get", "path": "/api/legal/profiles", "tag": "legal", "who": "signed in",
            "summary": "The states with a legal profile and when each was last reviewed",
            "examples": [ex(67, "judge", 200)],
        },
    ]
)  # fmt: skip
EXTRA_RESPONSES.update(
    {
        ("post", "/api/legal/check", "ok"): {
            "decision": "conditional", "requesting": "DE", "requested": "FR",
            "proceeding": "criminal", "role": "witness", "consent": "yes", "date": "2027-03-02",
            "offence": "organized_crime",
            "regimes": [{
                "id": "eu_eio_art24",
                "name": "Directive 2014/41/EU (European Investigation Order): hearing by "
                        "videoconference",
                "citation": "Directive 2014/41/EU Art 24; https://eur-lex.europa.eu/eli/dir/2014/41/oj",
            }],
            "conditions": [_CONDITION],
            "reasons": [],
            "recording": {"rule": "unknown", "citation": "profile field FR ... [U]"},
        },
        ("post", "/api/legal/check", "bad_state"): {
            "error": {
                "code": "legal.bad_state",
                "message": "requested must be an ISO 3166-1 alpha-2 state code, got 'XX1'",
                "details": {
                    "field": "requested",
                    "fields": {
                        "requested": "requested must be an ISO 3166-1 alpha-2 state code, got 'XX1'"
                    },
                    "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
                },
            }
        },
        ("post", "/api/legal/check", "bad_offence"): {
            "error": {
                "code": "legal.bad_offence",
                "message": "an offence scope is given only in criminal proceedings",
                "details": {
                    "field": "offence",
                    "allowed": [],
                    "fields": {"offence": "an offence scope is given only in criminal proceedings"},
                    "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
                },
            }
        },
        ("get", "/api/legal/profiles", "ok"): {
            "profiles": [{"state": "AT", "name": "Austria", "reviewed": "2026-11-23"}],
        },
    }
)  # fmt: skip
