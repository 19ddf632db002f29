"""The OpenAPI 3.1 document served at `GET /api/openapi.json`, and `docs/api.md` rendered from it.

Operations and their examples live in `openapi_paths` (requests) and `openapi_responses`
(answers). Another package documents its endpoints by appending operations of the same form
(`{"method", "path", "tag", "who", "summary", "description", "examples": [openapi_paths.ex(...)]}`)
to `EXTRA_OPERATIONS`, with each example's answer in `EXTRA_RESPONSES[(method, path, name)]`; the
example's `order` places it in the story that `tests/hearings/test_openapi.py` replays (callers:
judge, clerk, authority, participant, anonymous). That test fails for any API route that is not
documented. Regenerate the Markdown with `python -m vc_service.hearings.openapi > docs/api.md`.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from aiohttp import web

from vc_service.hearings.openapi_paths import OPERATIONS
from vc_service.hearings.openapi_responses import RESPONSES

routes = web.RouteTableDef()
EXTRA_OPERATIONS: list[dict[str, Any]] = []
EXTRA_RESPONSES: dict[tuple[str, str, str], Any] = {}
VERSION = "1.0.0"
_PARAM = re.compile(r"{([a-z_]+)}")
_STATUS = {
    200: "OK", 201: "Created", 400: "Malformed request", 401: "Not signed in or refused",
    403: "Forbidden", 404: "Not found", 409: "Conflict with the current state",
    410: "Gone", 415: "Not JSON", 422: "Invalid input", 429: "Locked or slowed down",
    503: "Not ready",
}  # fmt: skip

INTRO = """\
JSON over HTTPS. Staff (judges, clerks, requested-state authorities) sign in with password and
TOTP and carry the `vc_session` cookie; participants use their invitation link instead.

- **CSRF.** Every POST, PATCH and DELETE sends `X-CSRF-Token`: the session's token (from
  sign-in or `GET /api/auth/session`), or before sign-in the value of the `vc_csrf` cookie.
  A foreign `Origin` is refused.
- **Errors** always look like `{"error": {"code", "message", "details"}}`; `code` is stable
  (e.g. `hearing.barred`), `details.fields` names each bad field, `details.request_id` quotes
  the request. 429 answers carry `Retry-After`.
- **Bodies** are strict JSON (RFC 8259): UTF-8 with no lone surrogate escape (`\\ud800`),
  nested at most 32 levels (400 `request.too_deep`), finite numbers only (no `NaN`,
  `Infinity` or `1e999`: 400 `request.malformed_json`). Text fields refuse control characters,
  the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A
  to U+202E, U+2066 to U+2069) and U+2028, U+2029 (422 naming the field); names, venues and
  case references are one line (no tab or line feed). Times name a year from 2000 to 2199.
- **Times** are RFC 3339 UTC (`2027-03-02T09:00:00.000000Z`); every view also gives wall times
  in the zones that matter (`local`, `time_zone`, `abbreviation`).
- **Versions.** A hearing carries `version`; every change sends the version it read, and a
  stale one gets 409 `hearing.version_conflict`.
- **Invitation links** look like `/join/{hearing_id}#{token}`: the token rides in the fragment
  (never sent to a server) and the participant page sends it as `X-Invitation-Token`. A `token`
  query parameter is refused on every path (400 `request.secret_in_query`): proxies log queries.
- **Joining the live hearing.** `POST /api/invite/{id}/join` (code) or
  `POST /api/hearings/{id}/join` (staff account) returns a `credential` valid for 5 minutes and
  once; the WebSocket `hello` carries it as `session` (see `docs/signaling.md`).
"""


def operations() -> list[dict[str, Any]]:
    return [*OPERATIONS, *EXTRA_OPERATIONS]


def answer(method: str, path: str, name: str) -> Any:
    key = (method, path, name)
    return EXTRA_RESPONSES[key] if key in EXTRA_RESPONSES else RESPONSES.get(key)


def _media(value: Any) -> str:
    return "text/calendar" if isinstance(value, str) else "application/json"


def _operation(op: dict[str, Any]) -> dict[str, Any]:
    method, path = op["method"], op["path"]
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(path)
    ]
    queries = sorted({q for e in op["examples"] for q in e["query"]})
    parameters += [
        {"name": q, "in": "query", "required": False, "schema": {"type": "string"}} for q in queries
    ]
    headers = sorted({h for e in op["examples"] for h in e["headers"]})
    parameters += [
        {"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
        for h in headers
    ]
    responses: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    for e in op["examples"]:
        value = answer(method, path, e["name"])
        status = str(e["status"])
        media = _media(value)
        slot = responses.setdefault(
            status, {"description": _STATUS.get(e["status"], ""), "content": {media: {}}}
        )
        slot["content"].setdefault(media, {}).setdefault("examples", {})[e["name"]] = {
            "summary": e["summary"] or op["summary"],
            "value": value,
            "x-order": e["order"],
            "x-actor": e["actor"],
            "x-params": e["params"],
            "x-query": e["query"],
            "x-headers": e["headers"],
        }
        if e["body"] is not None:
            bodies[e["name"]] = {"summary": e["summary"] or op["summary"], "value": e["body"]}
    description = f"**Who:** {op['who']}."
    if op.get("description"):
        description += "\n\n" + op["description"]
    out: dict[str, Any] = {
        "operationId": f"{method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": op["summary"],
        "description": description,
        "tags": [op["tag"]],
        "x-who": op["who"],
        "parameters": parameters,
        "responses": responses,
    }
    if bodies:
        out["requestBody"] = {"content": {"application/json": {"examples": bodies}}}
    return out


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in operations():
        paths.setdefault(op["path"], {})[op["method"]] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "vc-service API", "version": VERSION, "description": INTRO},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "vc_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "invitation": {"type": "apiKey", "in": "header", "name": "X-Invitation-Token"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "details"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "details": {"type": "object"},
                            },
                        }
                    },
                }
            },
        },
        "paths": paths,
    }


@routes.get("/api/openapi.json")
async def openapi_json(_: web.Request) -> web.Response:
    return web.json_response(document())


def _block(value: Any) -> str:
    if isinstance(value, str):
        return "```\n" + value.replace("\r\n", "\n").strip() + "\n```"
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"


def _example(
    method: str,
    path: str,
    status: str,
    name: str,
    example: dict[str, Any],
    body: dict[str, Any] | None,
) -> list[str]:
    lines = ["", f"**Example `{name}`** ({example['x-actor']}): {example['summary']}", ""]
    request = f"{method.upper()} {path}"
    for key, value in example["x-params"].items():
        request = request.replace("{" + key + "}", value)
    if example["x-query"]:
        request += "?" + "&".join(f"{k}={v}" for k, v in example["x-query"].items())
    head = [request] + [f"{k}: {v}" for k, v in example["x-headers"].items()]
    lines += ["```http", *head, "```"]
    if body is not None:
        lines += [_block(body["value"])]
    return [*lines, "", f"→ `{status}`", "", _block(example["value"])]


def markdown(doc: dict[str, Any]) -> str:
    """docs/api.md: every operation with who may call it and each of its examples."""
    lines = [f"# {doc['info']['title']} (v{doc['info']['version']})", "",
             "<!-- Generated by `python -m vc_service.hearings.openapi`; do not edit. -->", "",
             doc["info"]["description"]]  # fmt: skip
    for path, item in doc["paths"].items():
        for method, op in item.items():
            lines += ["", f"## `{method.upper()} {path}`", "", op["summary"] + ".", ""]
            lines += [op["description"]]
            bodies = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for status, response in op["responses"].items():
                for media in response["content"].values():
                    for name, example in media["examples"].items():
                        body = bodies.get("examples", {}).get(name)
                        lines += _example(method, path, status, name, example, body)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # Run as __main__ this file is a second copy of the module; the app registers every
    # package's EXTRA_OPERATIONS on the imported one, so render from that.
    # (imported by name, so type checkers see no import cycle through the app)
    import importlib

    importlib.import_module("vc_service.http.app")
    served = importlib.import_module("vc_service.hearings.openapi")
    sys.stdout.write(served.markdown(served.document()))
