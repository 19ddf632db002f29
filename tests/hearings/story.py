"""Replays the examples of the served OpenAPI document, in story order, against the real server.

Each example names its caller (`x-actor`), its path parameters, query and headers; the request
body is the request example of the same name. Placeholders (ids, tokens, codes, tickets) are
learned from the answers as the story goes, by lining each expected answer up with the real one.
The service clock is fixed before the example dates, so the examples never go stale.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from vc_service.accounts import totp
from vc_service.hearings.models import Hearing
from vc_service.services import Services

STORY_NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
# When participants use their link: half an hour before the example hearing starts.
PARTICIPANT_NOW = datetime(2027, 3, 2, 8, 30, tzinfo=UTC)
LEARN_KEYS = frozenset(
    {"id", "participant_id", "invitation_id", "hearing_id", "user_id", "court_id", "token",
     "code", "ticket", "credential", "csrf_token", "link"}
)  # fmt: skip
UNSAFE = frozenset({"post", "patch", "put", "delete"})


@dataclass
class Call:
    order: int
    method: str
    path: str
    name: str
    actor: str
    status: int
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    expected: Any


def calls(doc: dict[str, Any]) -> list[Call]:
    found: list[Call] = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            bodies = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for status, response in op["responses"].items():
                for media in response["content"].values():
                    for name, ex in media["examples"].items():
                        body = bodies.get("examples", {}).get(name, {}).get("value")
                        request = (ex["x-params"], ex["x-query"], ex["x-headers"])
                        call = Call(ex["x-order"], method, path, name, ex["x-actor"], int(status),
                                    *request, body, ex["value"])  # fmt: skip
                        found.append(call)
    return sorted(found, key=lambda c: c.order)


@dataclass
class Story:
    services: Services
    clients: dict[str, TestClient[Any, Any]]
    csrf: dict[str, str]
    totp_secret: str
    learned: dict[str, str] = field(default_factory=dict)

    def sub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.learned.get(value, value)
        if isinstance(value, dict):
            return {k: self.sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.sub(v) for v in value]
        return value

    async def version(self, hearing_id: str) -> int:
        async with self.services.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            return hearing.version if hearing is not None else 1

    async def call(self, c: Call) -> tuple[int, Any]:
        client = self.clients[c.actor]
        path = c.path
        for key, value in c.params.items():
            path = path.replace("{" + key + "}", self.sub(value))
        headers = {k: self.sub(v) for k, v in c.headers.items()}
        body = self.sub(c.body)
        if c.method in UNSAFE:
            headers["X-CSRF-Token"] = self.csrf.get(c.actor) or _cookie(client, "vc_csrf")
        if isinstance(body, dict) and "version" in body and "hearing_id" in c.params:
            current = await self.version(self.sub(c.params["hearing_id"]))
            stale = c.name.startswith("stale")  # the example of a lost race
            body["version"] = current - 1 if stale else current
        if c.path == "/api/auth/second-factor":
            # The enrolment used this step's code; a code is accepted once.
            body["code"] = totp.code_now(self.totp_secret, time.time() + 30)
        schedule = self.services.hearings.schedule
        schedule.clock = (lambda: PARTICIPANT_NOW) if c.actor == "participant" else _story_now
        query = {k: self.sub(v) for k, v in c.query.items()}
        kwargs: dict[str, Any] = {"headers": headers, "params": query}
        if body is not None:
            kwargs["json"] = body
        response = await client.request(c.method.upper(), path, **kwargs)
        if response.content_type == "application/json":
            payload: Any = await response.json()
        else:
            payload = await response.text()
        if c.path == "/api/auth/second-factor" and response.status == 200:
            self.csrf[c.actor] = payload["csrf_token"]
        return response.status, payload

    def learn(self, expected: Any, actual: Any, key: str = "") -> None:
        if isinstance(expected, dict) and isinstance(actual, dict):
            for k, v in expected.items():
                if k in actual:
                    self.learn(v, actual[k], k)
        elif isinstance(expected, list) and isinstance(actual, list):
            for e, a in zip(expected, actual, strict=False):
                self.learn(e, a, key)
        elif isinstance(expected, str) and isinstance(actual, str) and key in LEARN_KEYS:
            self.learned.setdefault(expected, actual)


def _story_now() -> datetime:
    return STORY_NOW


def _cookie(client: TestClient[Any, Any], name: str) -> str:
    return next((c.value for c in client.session.cookie_jar if c.key == name), "")


def _error_code(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        return str(value["error"].get("code"))
    return None


def shape_problems(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where the real answer does not have the example's shape (keys and types)."""
    if expected is None:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += shape_problems(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list"]
        if expected and not actual:
            return [f"{where}: expected items"]
        return shape_problems(expected[0], actual[0], f"{where}[0]") if expected else []
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = isinstance(expected, bool) and isinstance(actual, bool)
        return [] if ok else [f"{where}: expected {type(expected).__name__}"]
    if isinstance(expected, str) and isinstance(actual, str):
        if expected.startswith("BEGIN:VCALENDAR") and not actual.startswith("BEGIN:VCALENDAR"):
            return [f"{where}: expected a calendar file"]
        return []
    if isinstance(expected, int) and isinstance(actual, int):
        return []
    if actual is None:
        return []  # an optional value the example happens to show
    return [f"{where}: expected {type(expected).__name__}, got {type(actual).__name__}"]


def placeholder_uuid(n: int) -> str:
    return f"0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d{n:04d}"


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


def later(minutes: int) -> datetime:
    return PARTICIPANT_NOW + timedelta(minutes=minutes)
