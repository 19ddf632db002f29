"""Staff sign-in in a real browser: password, TOTP enrolment from the page's own QR/secret,
home, sign-out; wrong password, lock-out, and the whole thing by keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LOGIN_MAX_FAILURES
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import Account, LiveService, page_totp

pytestmark = pytest.mark.browser

WRONG_PASSWORD = "The username or password is wrong. Check both and try again."


def enrol_from_page(page: Page) -> str:
    """The TOTP secret as the enrolment step shows it, checked against its QR code's presence."""
    enrol = page.get_by_role("region", name="Set up your authenticator")
    expect(enrol).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not render"
    secret = page.locator("#secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), f"not a base32 TOTP secret: {secret!r}"
    return secret


def enter_password(page: Page, account: Account, password: str | None = None) -> None:
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password if password is None else password)
    page.get_by_role("button", name="Continue").click()


def test_judge_enrols_signs_in_and_signs_out(page: Page, live_service: LiveService) -> None:
    judge = live_service.demo["judge"]
    page.goto("/sign-in")
    expect(page).to_have_title(re.compile("Sign in"))
    screenshot(page, "sign-in")
    assert_accessible(page, "sign-in")

    enter_password(page, judge)
    secret = enrol_from_page(page)
    screenshot(page, "sign-in-enrol")
    assert_accessible(page, "sign-in-enrol")
    page.get_by_label("6-digit code").fill(page_totp(page, secret))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed in as Judge Demo")
    expect(page.get_by_role("navigation", name="Your pages").get_by_role("link")).to_have_text(
        ["Hearings"]
    )
    screenshot(page, "home")
    assert_accessible(page, "home")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    # The session is gone on the server, not just forgotten by the page.
    page.goto("/home")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/home$"))


def test_wrong_password_is_explained_and_the_form_stays(
    page: Page, live_service: LiveService
) -> None:
    page.goto("/sign-in")
    enter_password(page, live_service.demo["clerk"], password="not the password")
    # A sentence next to the button that sent the form, not the API's "wrong username or password".
    expect(page.locator("#continue + .staff-error .field-error")).to_have_text(WRONG_PASSWORD)
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_label("6-digit code")).to_be_hidden()


def test_repeated_failures_lock_the_account(page: Page, live_service: LiveService) -> None:
    clerk = live_service.add_user("clerk", prefix="locked")
    page.goto("/sign-in")
    alert = page.locator("#continue + .staff-error .field-error")
    for _ in range(LOGIN_MAX_FAILURES):
        enter_password(page, clerk, password="guess")
        expect(alert).to_have_text(WRONG_PASSWORD)
    # Locked now: even the right password is refused, in the words of a wrong one, so the
    # page does not tell a guesser the account's state (issue 12 point 9).
    enter_password(page, clerk)
    expect(alert).to_have_text(WRONG_PASSWORD)
    expect(page.get_by_label("6-digit code")).to_be_hidden()


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def assert_focus_visible(page: Page) -> None:
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"focus is not visible: outline {outline}"


def test_keyboard_only_sign_in_and_out(page: Page, live_service: LiveService) -> None:
    authority = live_service.demo["authority"]
    keyboard = page.keyboard
    page.goto("/sign-in")
    # The language switch comes first, in the bar above the form.
    keyboard.press("Tab")
    assert focused_id(page) == "language"
    keyboard.press("Tab")
    assert focused_id(page) == "username"
    assert_focus_visible(page)
    keyboard.type(authority.username)
    keyboard.press("Tab")
    assert focused_id(page) == "password"
    keyboard.type(authority.password)
    keyboard.press("Enter")

    # The page moves focus to the code field itself; the secret is read off the screen.
    expect(page.get_by_label("6-digit code")).to_be_focused()
    secret = enrol_from_page(page)
    keyboard.type(page_totp(page, secret))
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed in as Authority Demo")
    for _ in range(5):
        keyboard.press("Tab")
        if focused_id(page) == "sign-out":
            break
    assert focused_id(page) == "sign-out", "Tab never reached the sign-out button"
    assert_focus_visible(page)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
