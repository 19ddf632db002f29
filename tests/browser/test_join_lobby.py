"""The participant in the live hearing's waiting room, over the real signaling WebSocket: waiting,
admitted by the judge, a dropped network with a visible countdown and a return to the same seat,
and the accused withdrawing consent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import ConsoleGuard, assert_accessible, screenshot
from tests.browser.join_kit import judge_admits, open_lobby, pass_the_code
from tests.browser.network_link import NetworkLink
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_invitation import EN

pytestmark = pytest.mark.browser


def open_hearing(judge_api: StaffApi, heard_role: str = "witness") -> dict[str, Any]:
    """Schedule a hearing, record its before-the-hearing conditions as met, open the lobby."""
    return open_lobby(judge_api, judge_api.schedule(heard_role=heard_role))


def join_as_participant(page: Page, issued: dict[str, Any]) -> None:
    pass_the_code(page, issued)
    expect(page.get_by_role("heading", name=EN["lobby.heading"])).to_be_focused()
    expect(page.locator("#lobby-status")).to_have_text(EN["lobby.waiting"])


def test_witness_waits_is_admitted_and_returns_after_losing_the_network(
    new_context: ContextFactory, judge_api: StaffApi, console: ConsoleGuard, link: NetworkLink
) -> None:
    # Offline, the browser's reconnection attempts fail, and Chromium logs each one.
    console.allow(r"^WebSocket connection to '.*' failed")
    hearing = open_hearing(judge_api)
    issued = judge_api.invite(hearing, "witness")
    witness_context = new_context(base_url=link.url)
    page = witness_context.new_page()
    join_as_participant(page, {**issued, "link": link.carrying(issued["link"])})
    screenshot(page, "join-lobby")
    assert_accessible(page, "join-lobby")

    judge = judge_admits(new_context, judge_api, hearing["id"])
    status = page.locator("#lobby-status")
    expect(status).to_have_text(EN["lobby.admitted"])

    # The network goes (the link drops every byte, silently) and the browser says so.
    link.cut()
    witness_context.set_offline(True)
    banner = page.locator("#reconnect-text")
    expect(banner).to_have_text(re.compile(r"^Connection lost\. Reconnecting in \d+ s\.$"))
    first = int(re.findall(r"\d+", banner.inner_text())[0])
    # The countdown is visible and moves.
    expect(banner).not_to_have_text(f"Connection lost. Reconnecting in {first} s.")
    screenshot(page, "join-reconnecting")
    assert_accessible(page, "join-reconnecting")
    # The judge sees the seat kept for the witness, not an empty chair. The witness's close
    # frame never leaves her machine, so the server learns of the drop from its WebSocket
    # heartbeat (VC_WS_HEARTBEAT_SECONDS, 10 s: noticed within 15 s); the wait leaves room for a
    # loaded machine.
    judge.wait_for_function(
        "() => window.judge.messages.some((m) => m.type === 'peer_reconnecting')",
        timeout=45_000,
    )

    link.restore()
    witness_context.set_offline(False)
    expect(page.locator("#reconnect")).to_be_hidden()
    # Back in the same seat: admitted again without the judge doing anything.
    expect(status).to_have_text(EN["lobby.admitted"])


def test_the_accused_withdraws_consent_once_admitted(
    new_context: ContextFactory, judge_api: StaffApi
) -> None:
    hearing = open_hearing(judge_api, heard_role="accused")
    issued = judge_api.invite(hearing, "accused")
    page = new_context().new_page()
    join_as_participant(page, issued)
    withdraw = page.get_by_role("button", name=EN["consent.withdraw"])
    expect(withdraw).to_be_disabled()

    judge = judge_admits(new_context, judge_api, hearing["id"])
    expect(withdraw).to_be_enabled()
    expect(page.locator("#consent-text")).to_have_text(EN["consent.given"])

    # Changing one's mind in the dialog changes nothing.
    withdraw.click()
    dialog = page.get_by_role("dialog", name=EN["consent.confirm_title"])
    expect(dialog).to_be_visible()
    screenshot(page, "join-consent-dialog")
    assert_accessible(page, "join-consent-dialog")
    dialog.get_by_role("button", name=EN["consent.cancel"]).click()
    expect(withdraw).to_be_focused()

    withdraw.click()
    dialog.get_by_role("button", name=EN["consent.confirm"]).click()
    expect(page.locator("#consent-text")).to_have_text(EN["consent.withdrawn"])
    expect(withdraw).to_be_disabled()
    judge.wait_for_function(
        "() => window.judge.messages.some((m) => m.type === 'room_state'"
        " && JSON.stringify(m).includes('consent'))"
    )
