"""Hearings for the participant page's tests of issue 13 (early arrival, the room, time zones),
scheduled by a judge of their own: the package's shared `judge_api` books its slots one after
another from the service's clock, and links open only an hour before the start, so every hearing
it books moves the next one later. A judge per test module, with its own venues and people, books
from the first slot again and conflicts with nobody.

The service's clock starts at a fixed instant (VC_CLOCK_START, see live_service.py): hearings
booked a few minutes ahead of it are open to join whatever the hour or day the suite runs."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, Playwright

from tests.browser.conftest import ContextFactory
from tests.browser.live_service import Account, LiveService
from tests.browser.staff_api import SLOT_MINUTES, StaffApi, utc_text
from tests.browser.test_join_invitation import (
    check_devices_and_continue,
    enter_code,
    open_in_english,
    read_notices_and_continue,
)

# The judge's side of the room, spoken from a page of the judge's browser over the real protocol.
JUDGE_CONNECT = """async ({hearingId, credential}) => {
  const ws = new WebSocket(`ws://${location.host}/ws/hearings/${hearingId}`);
  window.judge = { ws, messages: [] };
  ws.onmessage = (event) => window.judge.messages.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  ws.send(JSON.stringify({ type: "hello", v: 1, session: credential }));
}"""
WAITING_PEER = """() => {
  const lobby = window.judge.messages.filter((m) => m.type === "lobby").pop();
  return lobby && lobby.waiting.length === 1 ? lobby.waiting[0].peer : null;
}"""


VENUES = {
    "FR": "Tribunal judiciaire de Strasbourg, salle {tag}",
    "DE": "Amtsgericht Kehl, Saal {tag}",
}


def own_judge(playwright: Playwright, live_service: LiveService) -> StaffApi:
    return StaffApi.sign_in(playwright, live_service, live_service.add_user("judge", "judge"))


def french_judge(playwright: Playwright, live_service: LiveService) -> StaffApi:
    """A judge of a French court (the service's test court is German): requests hearings in DE."""
    court = live_service.cli(
        "court", "add", "Tribunal judiciaire de Paris", "--state", "FR", "--tz", "Europe/Paris"
    ).strip()
    account = Account(f"juge-{secrets.token_hex(3)}", secrets.token_urlsafe(12), "judge")
    live_service.cli(
        "user", "add", account.username, "--role", "judge", "--court", court,
        "--name", "Juge Martin", stdin=account.password + "\n",
    )  # fmt: skip
    return StaffApi.sign_in(playwright, live_service, account)


def schedule(
    judge: StaffApi,
    *,
    heard_role: str = "witness",
    authority: bool = False,
    requested_state: str = "FR",
) -> dict[str, Any]:
    """A criminal hearing (DE -> FR unless the judge's court is French and `requested_state` is
    DE) in the judge's next slot, a few minutes ahead of the service's clock, its person heard
    and venue named for this judge alone; `authority`: with a seat for the requested state's
    authority."""
    judge.scheduled += 1
    number = judge.scheduled
    tag = f"{secrets.token_hex(2)}-{number}"
    start = judge.service.now().replace(microsecond=0) + timedelta(minutes=SLOT_MINUTES * number)
    body: dict[str, Any] = {
        "requested_state": requested_state,
        "venue": VENUES[requested_state].format(tag=tag),
        "proceeding": "criminal",
        "case_reference": f"BT-W-{tag}",
        "starts_at": utc_text(start),
        "duration_minutes": SLOT_MINUTES,
        "recording_requested": False,
        "person_heard": {
            "role": heard_role,
            "name": f"Inès Laurent {tag}",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "consent": "yes",
        },
        "working_hours_override": "browser tests run at any hour of the day",
    }
    if authority:
        body["participants"] = [{"role": "authority", "name": f"Juge Leroy {tag}"}]
    hearing: dict[str, Any] = judge.post("/api/hearings", **body)
    return hearing


def open_lobby(judge: StaffApi, hearing: dict[str, Any]) -> dict[str, Any]:
    """The judge records the before-the-hearing conditions and opens the waiting room."""
    path = f"/api/hearings/{hearing['id']}"
    hearing = judge.get(path)
    for condition in hearing["legal"]["decision"]["conditions"]:
        if condition["stage"] == "before" and not condition.get("met"):
            hearing = judge.post(
                f"{path}/conditions/{condition['id']}",
                version=hearing["version"],
                note="recorded by the browser test as agreed with the requested state",
            )
    opened: dict[str, Any] = judge.post(f"{path}/open", version=hearing["version"])
    assert opened["state"] == "open"
    return opened


def judge_admits(new_context: ContextFactory, judge: StaffApi, hearing_id: str) -> Page:
    grant = judge.post(f"/api/hearings/{hearing_id}/join")
    page = new_context().new_page()
    page.goto("/sign-in")
    page.evaluate(JUDGE_CONNECT, {"hearingId": hearing_id, "credential": grant["credential"]})
    peer = page.wait_for_function(WAITING_PEER).json_value()
    page.evaluate("p => window.judge.ws.send(JSON.stringify({type: 'admit', peer: p}))", peer)
    return page


def pass_the_code(page: Page, issued: dict[str, Any]) -> None:
    """The participant's way in, in English: the link, the devices, the notices, the code."""
    open_in_english(page, issued)
    check_devices_and_continue(page)
    read_notices_and_continue(page)
    enter_code(page, issued["code"])
