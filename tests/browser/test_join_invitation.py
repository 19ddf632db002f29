"""The participant page with real invitations from the real API: the person's language, the
hearing in their time zone, the notices, the one-time code, and every way a link can fail."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import LiveService
from tests.browser.staff_api import StaffApi
from tests.browser.test_join_devices import strings

pytestmark = pytest.mark.browser

EN = strings("en")
FR = strings("fr")


def wrong(code: str) -> str:
    """A 6-digit code that is surely not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def check_devices_and_continue(page: Page) -> None:
    page.get_by_role("button", name=EN["devices.start"]).click()
    page.get_by_role("button", name=EN["actions.continue"]).click()


def read_notices_and_continue(page: Page) -> None:
    page.get_by_label(EN["notices.ack"]).check()
    page.get_by_role("button", name=EN["actions.continue"]).click()
    expect(page.get_by_role("heading", name=EN["code.heading"])).to_be_focused()


def enter_code(page: Page, code: str) -> None:
    page.get_by_label(EN["code.label"]).fill(code)
    page.get_by_role("button", name=EN["code.submit"]).click()


def open_in_english(page: Page, issued: dict[str, Any]) -> None:
    page.goto(issued["link"])
    expect(page.locator("body")).not_to_have_attribute("data-state", re.compile("^(loading)?$"))
    page.locator("#language").select_option("en")


def test_witness_is_welcomed_in_their_language_and_reads_the_notices(
    page: Page, judge_api: StaffApi, live_service: LiveService
) -> None:
    hearing = judge_api.schedule(language="fr")
    issued = judge_api.invite(hearing, "witness")
    assert re.fullmatch(rf".*/join/{hearing['id']}#[A-Za-z0-9_-]+", issued["link"])

    page.goto(issued["link"])
    # The invitation says the witness speaks French: the page starts in French.
    expect(page.get_by_role("heading", level=1)).to_have_text(FR["page.title"])
    expect(page.get_by_role("region", name=FR["hearing.heading"])).to_be_visible()
    card = page.locator("#hearing")
    expect(card).to_contain_text(hearing["case_reference"])
    expect(card).to_contain_text(FR["role.witness"])
    expect(card).to_contain_text("Europe/Paris")

    page.locator("#language").select_option("en")
    expect(card).to_contain_text(f"You take part as: {EN['role.witness']}")
    check_devices_and_continue(page)
    screenshot(page, "join-hearing-devices")

    notices = page.locator("#notice-list article")
    # The legal decision's conditions for the room, the person's own rights first.
    expect(notices.first.get_by_role("heading")).to_have_text(EN["notices.kind.right_to_refuse"])
    # In plain language, the legal basis collapsed under its own line.
    expect(notices.first).to_contain_text("You may refuse to give evidence")
    expect(notices.first.locator("details summary")).to_have_text(EN["notices.basis"])
    expect(notices.first.locator("details p")).to_have_text(
        re.compile(r"^Dir 2014/41/EU Art 24\(5\)\(e\)")
    )
    during = [c for c in hearing["legal"]["decision"]["conditions"] if c["stage"] == "during"]
    expect(notices).to_have_count(len(during))
    screenshot(page, "join-notices")
    assert_accessible(page, "join-notices")

    page.get_by_role("button", name=EN["actions.continue"]).click()
    expect(page.get_by_text(EN["notices.ack_needed"])).to_be_visible()
    read_notices_and_continue(page)

    enter_code(page, "12345")
    expect(page.locator("#code-error")).to_have_text(EN["code.format"])
    enter_code(page, wrong(issued["code"]))
    expect(page.locator("#code-error")).to_have_text(EN["code.wrong"].replace("{count}", "2"))
    expect(page.get_by_label(EN["code.label"])).to_have_attribute("aria-invalid", "true")
    screenshot(page, "join-code-wrong")
    assert_accessible(page, "join-code-wrong")
    # The link's token travelled only in the fragment and a header: no log line has it.
    assert issued["token"] not in live_service.output()


def test_three_wrong_codes_lock_the_invitation(page: Page, judge_api: StaffApi) -> None:
    issued = judge_api.invite(judge_api.schedule(), "witness")
    open_in_english(page, issued)
    check_devices_and_continue(page)
    read_notices_and_continue(page)
    error = page.locator("#code-error")
    bad = wrong(issued["code"])
    for left in (2, 1):
        enter_code(page, bad)
        expect(error).to_have_text(EN["code.wrong"].replace("{count}", str(left)))
    # Guessing slows down before it locks.
    enter_code(page, bad)
    expect(error).to_have_text(re.compile(r"^Please wait \d+ s before trying another code\.$"))
    time.sleep(1.2)
    enter_code(page, bad)
    expect(error).to_have_text(EN["code.locked"])
    expect(page.get_by_role("button", name=EN["code.submit"])).to_be_disabled()
    # Even the right code no longer helps, and the link itself now says so.
    page.reload()
    expect(page.get_by_role("heading", name=EN["link.title.locked"])).to_be_visible()


def test_a_replaced_link_is_refused_and_the_new_one_works(page: Page, judge_api: StaffApi) -> None:
    hearing = judge_api.schedule()
    old = judge_api.invite(hearing, "witness")
    new = judge_api.reissue(hearing, "witness")
    open_in_english(page, old)
    expect(page.get_by_role("heading", name=EN["link.title.revoked"])).to_be_visible()
    expect(page.get_by_text(EN["link.text.revoked"])).to_be_visible()
    screenshot(page, "join-link-revoked")
    assert_accessible(page, "join-link-revoked")
    page.goto(new["link"])  # a different fragment: the page starts over
    expect(page.get_by_role("heading", name=EN["devices.heading"])).to_be_visible()


def test_a_link_opened_too_early_says_when_it_opens(page: Page, judge_api: StaffApi) -> None:
    issued = judge_api.invite(judge_api.schedule(opens_in_minutes=30), "witness")
    open_in_english(page, issued)
    # The person may check devices and read their rights already ...
    expect(page.get_by_role("alert")).to_contain_text("joining opens")
    check_devices_and_continue(page)
    read_notices_and_continue(page)
    # ... but the code is refused until the link opens.
    enter_code(page, issued["code"])
    expect(page.get_by_role("heading", name=EN["link.title.early"])).to_be_visible()
    expect(page.locator("#link-text")).to_contain_text("You can join from")


def test_an_expired_link_says_so(
    page: Page, judge_api: StaffApi, live_service: LiveService
) -> None:
    hearing = judge_api.schedule()
    issued = judge_api.invite(hearing, "witness")
    # Time passes: the hearing ended an hour ago.
    now = live_service.now()
    live_service.move_hearing(hearing["id"], now - timedelta(hours=2), now - timedelta(hours=1))
    open_in_english(page, issued)
    expect(page.get_by_role("heading", name=EN["link.title.expired"])).to_be_visible()
    expect(page.get_by_text(EN["link.text.expired"])).to_be_visible()
    expect(page.get_by_role("region", name=EN["hearing.heading"])).to_be_hidden()
    screenshot(page, "join-link-expired")


def test_the_accused_sees_how_to_withdraw_consent(page: Page, judge_api: StaffApi) -> None:
    issued = judge_api.invite(judge_api.schedule(heard_role="accused"), "accused")
    open_in_english(page, issued)
    check_devices_and_continue(page)
    consent = page.get_by_role("region", name=EN["consent.heading"])
    expect(consent).to_contain_text(EN["consent.before_admission"])
    # Withdrawal goes to the room, so it works once the judge has let the person in.
    expect(consent.get_by_role("button", name=EN["consent.withdraw"])).to_be_disabled()
    assert_accessible(page, "join-notices-accused")


def test_keyboard_alone_reaches_the_code(page: Page, judge_api: StaffApi) -> None:
    issued = judge_api.invite(judge_api.schedule(), "witness")
    open_in_english(page, issued)
    keyboard = page.keyboard

    def tab_to(name: str) -> None:
        for _ in range(15):
            keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == name:
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to(EN["devices.start"])
    keyboard.press("Enter")
    expect(page.get_by_role("button", name=EN["actions.continue"])).to_be_focused()
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name=EN["notices.heading"])).to_be_focused()
    # Through each notice's collapsed "legal basis" toggle to the acknowledgement.
    for _ in range(15):
        keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "notices-ack":
            break
    keyboard.press("Space")
    expect(page.get_by_label(EN["notices.ack"])).to_be_checked()
    keyboard.press("Tab")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name=EN["code.heading"])).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label(EN["code.label"])).to_be_focused()
    keyboard.type(wrong(issued["code"]))
    keyboard.press("Enter")
    expect(page.locator("#code-error")).to_have_text(EN["code.wrong"].replace("{count}", "2"))
    expect(page.get_by_label(EN["code.label"])).to_be_focused()
