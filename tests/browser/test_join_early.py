"""A person who opens her link in its window before the judge opens the waiting room (issue 13
point 1): she passes her code once, waits on a page that says the hearing has not started and
lets her in by itself when the judge opens it, and a reload while waiting asks for no second code.
The service keeps an early credential unused: a `hello` before the opening is refused with
`auth.not_open` and the same credential works once the room is open.

Hearings are booked a few minutes ahead of the service's clock, which the fixtures start at a
fixed instant (VC_CLOCK_START), so their links are open whatever the hour or day the tests run
(join_kit.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.join_kit import judge_admits, open_lobby, own_judge, pass_the_code, schedule
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_invitation import EN, check_devices_and_continue

pytestmark = pytest.mark.browser

# The page asks every few seconds whether the room is open (join-lobby.js POLL_SECONDS = 3).
LET_IN_MS = 15_000

# One hello with a join credential: what the room answered first, and how it closed.
HELLO = """async ({hearingId, credential}) => {
  const ws = new WebSocket(`ws://${location.host}/ws/hearings/${hearingId}`);
  const seen = [];
  ws.onmessage = (event) => seen.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  ws.send(JSON.stringify({ type: "hello", v: 1, session: credential }));
  const closed = new Promise((resolve) => {
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
  });
  const first = await new Promise((resolve) => {
    const check = () => (seen.length ? resolve(seen[0]) : setTimeout(check, 50));
    check();
  });
  if (first.type === "welcome") ws.close(1000, "left");
  return { first, closed: await closed };
}"""
EXCHANGE = """async ({hearingId, token, code}) => {
  const invitation = await import("/static/js/invitation.js");
  return invitation.joinWithCode({ hearingId, token }, code);
}"""


@pytest.fixture(scope="module")
def judge(playwright: Playwright, live_service: LiveService) -> Iterator[StaffApi]:
    """This module's own judge (join_kit.py says why)."""
    api = own_judge(playwright, live_service)
    yield api
    api.close()


def test_an_early_witness_passes_her_code_once_and_is_let_in_when_the_room_opens(
    new_context: ContextFactory, judge: StaffApi
) -> None:
    hearing = schedule(judge)
    assert hearing["state"] == "scheduled"
    issued = judge.invite(hearing, "witness")
    page = new_context().new_page()
    pass_the_code(page, issued)

    # Not "the hearing has ended", and the code is not lost: she waits.
    lobby = page.locator("#step-lobby")
    status = page.locator("#lobby-status")
    expect(status).to_have_text(EN["lobby.not_open"])
    expect(lobby).to_have_attribute("data-room", "not_open")
    expect(page.get_by_role("heading", name=EN["ended.heading"])).to_be_hidden()
    screenshot(page, "join-not-open")
    assert_accessible(page, "join-not-open")

    # A reload while waiting: the tab kept the credential, so no second code is asked for.
    page.reload()
    expect(page.locator("#message")).to_have_text(EN["code.kept"])
    check_devices_and_continue(page)
    expect(status).to_have_text(EN["lobby.not_open"])
    expect(page.get_by_role("heading", name=EN["code.heading"])).to_be_hidden()

    # The judge opens the waiting room: the page goes in by itself, no reload, no code.
    open_lobby(judge, hearing)
    expect(status).to_have_text(EN["lobby.waiting"], timeout=LET_IN_MS)
    judge_admits(new_context, judge, hearing["id"])
    expect(status).to_have_text(EN["lobby.admitted"])
    # The room took the credential: the tab no longer keeps it.
    kept = page.evaluate(f"() => sessionStorage.getItem('vc.join.{hearing['id']}')")
    assert kept is None


def test_a_hello_before_the_opening_keeps_the_credential_for_later(
    new_context: ContextFactory, judge: StaffApi
) -> None:
    hearing = schedule(judge)
    issued = judge.invite(hearing, "witness")
    page = new_context().new_page()
    page.goto("/sign-in")
    token = issued["link"].split("#", 1)[1]
    grant = page.evaluate(
        EXCHANGE, {"hearingId": hearing["id"], "token": token, "code": issued["code"]}
    )
    # Before the opening the credential lasts until the hearing's end, not five minutes.
    assert grant["lobby_open"] is False
    assert grant["expires_at"][:16] == hearing["ends_at"][:16]
    hello = {"hearingId": hearing["id"], "credential": grant["credential"]}

    early = page.evaluate(HELLO, hello)
    assert early["first"]["type"] == "error"
    assert early["first"]["code"] == "auth.not_open"
    assert early["closed"]["reason"] == "auth.not_open"

    open_lobby(judge, hearing)
    later = page.evaluate(HELLO, hello)
    assert later["first"]["type"] == "welcome", later
    assert later["first"]["seat"] == "lobby"
