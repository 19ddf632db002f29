"""Polish across the pages: the landing page, and every page on a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


def test_landing_page_leads_to_sign_in(page: Page) -> None:
    page.goto("/")
    screenshot(page, "index")
    assert_accessible(page, "index")
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(f"{page.url.split('/sign-in')[0]}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


@pytest.mark.parametrize("path", ["/", "/sign-in", "/join"])
def test_pages_fit_a_phone_screen(new_context: ContextFactory, path: str) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide on a 375 px screen"
    # Every control is big enough to hit with a finger (WCAG 2.5.8: 24 x 24 CSS px; links
    # inside a sentence are exempt).
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, a:not(p a)')]
          .filter((el) => el.checkVisibility())
          .map((el) => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
          .filter(([, box]) => box.width < 24 || box.height < 24)
          .map(([name]) => name)"""
    )
    assert small == [], f"{path}: controls smaller than 24 px: {small}"
    assert_accessible(page, "phone" + (path.replace("/", "-") if path != "/" else "-index"))
