"""The served OpenAPI document: every API route is in it, every example in it holds against the
real server (status, error code, shape of the answer), and docs/api.md is rendered from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.hearings.story import Story, _error_code, calls, shape_problems
from tests.helpers import csrf_cookie, make_user, sign_in
from vc_service.accounts.models import Role
from vc_service.hearings.openapi import document, markdown
from vc_service.http.app import create_app
from vc_service.services import Services

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


async def build_story(services: Services, stack: AsyncExitStack) -> Story:
    """The cast: a German judge and clerk, a French authority, a participant, a passer-by."""
    app = create_app(services)

    async def browser() -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(app, host="127.0.0.1"))
        return await stack.enter_async_context(client)

    accounts = services.accounts
    berlin = await accounts.create_court("Landgericht Berlin", "DE", "Europe/Berlin")
    paris = await accounts.create_court("Tribunal judiciaire de Paris", "FR", "Europe/Paris")
    await make_user(services, "judge", Role.JUDGE, court_id=berlin.id)
    await make_user(services, "clerk", Role.CLERK, court_id=berlin.id)
    await make_user(services, "authority", Role.AUTHORITY, court_id=paris.id)
    enrolled = await sign_in(await browser(), "judge")  # enrols TOTP; the story signs in again
    clerk = await sign_in(await browser(), "clerk")
    authority = await sign_in(await browser(), "authority")
    judge, anonymous, participant = await browser(), await browser(), await browser()
    await csrf_cookie(judge)
    return Story(
        services,
        clients={
            "judge": judge,
            "clerk": clerk.client,
            "authority": authority.client,
            "anonymous": anonymous,
            "participant": participant,
        },
        csrf={"clerk": clerk.csrf, "authority": authority.csrf},
        totp_secret=enrolled.secret,
    )


async def meet_before_conditions(story: Story, hearing_id: str) -> None:
    """Setup, not an example: the judge records what is still open before the lobby opens."""
    judge = story.clients["judge"]
    headers = {"X-CSRF-Token": story.csrf["judge"]}
    hearing = await (await judge.get(f"/api/hearings/{hearing_id}")).json()
    for condition in hearing["legal"]["decision"]["conditions"]:
        if condition["stage"] == "before" and condition["id"] not in hearing["conditions_met"]:
            response = await judge.post(
                f"/api/hearings/{hearing_id}/conditions/{condition['id']}",
                json={"version": hearing["version"], "note": "Done."},
                headers=headers,
            )
            hearing = await response.json()
            assert response.status == 200, hearing


@pytest.fixture
async def story(services: Services) -> AsyncIterator[Story]:
    async with AsyncExitStack() as stack:
        yield await build_story(services, stack)


async def test_every_documented_example_holds_against_the_server(story: Story) -> None:
    served = await story.clients["anonymous"].get("/api/openapi.json")
    doc: dict[str, Any] = await served.json()
    assert doc["openapi"] == "3.1.0"
    steps = calls(doc)
    assert len(steps) >= 35
    for step in steps:
        if step.path.endswith("/open") and step.status == 200:
            await meet_before_conditions(story, story.sub(step.params["hearing_id"]))
        status, payload = await story.call(step)
        where = f"example {step.name!r} of {step.method.upper()} {step.path}"
        assert status == step.status, (where, payload)
        expected_code = _error_code(step.expected)
        if expected_code is not None:
            assert payload["error"]["code"] == expected_code, (where, payload)
        assert shape_problems(step.expected, payload) == [], where
        story.learn(step.expected, payload)


def test_every_api_route_is_documented(services: Services) -> None:
    app = create_app(services)
    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    served = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("formatter") or info.get("path") or "")
        if route.method != "HEAD" and (path.startswith("/api/") or path in ("/healthz", "/readyz")):
            served.add((path, route.method.lower()))
    assert served - documented == set(), "document these routes in the OpenAPI document"
    assert documented - served == set(), "the document names routes the server does not have"


def test_every_operation_has_an_example_and_says_who_may_call_it() -> None:
    for path, item in document()["paths"].items():
        for method, op in item.items():
            assert op["x-who"] and op["summary"], (method, path)
            examples = [
                name
                for response in op["responses"].values()
                for media in response["content"].values()
                for name, example in media["examples"].items()
                if example["value"] is not None
            ]
            assert examples, f"{method} {path} has no example answer"


def test_docs_api_md_is_rendered_from_the_document() -> None:
    assert API_MD.read_text(encoding="utf-8") == markdown(document()), (
        "regenerate: python -m vc_service.hearings.openapi > docs/api.md"
    )
