"""The participant page before any server data: language switch, camera and microphone check
with a live preview and level meter, a refused camera, a bad link, a phone-sized screen."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.test_i18n import I18N, LANGUAGES

pytestmark = pytest.mark.browser

AUTONYMS = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}

# Visible text that is not the page's own wording: the product name, the language names
# (each in its own language) and the names of the person's devices.
UNTRANSLATED_TEXT_JS = """() => {
  const allowed = (el) => el.closest('.brand, #language, #camera, #microphone');
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility() || allowed(el)) continue;
    if (!el.closest('[data-i18n]')) found.push(node.textContent.trim());
  }
  return found;
}"""


def strings(language: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
    return data


def start_device_check(page: Page) -> None:
    page.get_by_role("button", name=strings("en")["devices.start"]).click()


def test_device_check_shows_a_live_preview_and_a_moving_level(page: Page) -> None:
    page.goto("/join")
    en = strings("en")
    expect(page.get_by_role("heading", level=2)).to_have_text(en["devices.heading"])
    start_device_check(page)

    preview = page.get_by_label(en["devices.preview"])
    page.wait_for_function("v => v.videoWidth > 0", arg=preview.element_handle())
    first = preview.evaluate("v => v.currentTime")
    page.wait_for_function("([v, t]) => v.currentTime > t", arg=[preview.element_handle(), first])
    # Chromium's fake microphone beeps: the meter must see it.
    page.wait_for_function("() => document.getElementById('level').value > 0")
    expect(page.get_by_role("status")).to_have_text(en["devices.all_good"])
    expect(page.get_by_label(en["devices.camera"], exact=True)).to_have_value(re.compile(".+"))
    # Without an invitation there is nothing to continue to.
    expect(page.get_by_role("button", name=en["actions.continue"])).to_be_hidden()
    screenshot(page, "join-devices")
    assert_accessible(page, "join-devices")


def test_language_switch_translates_every_text_and_is_remembered(page: Page) -> None:
    page.goto("/join")
    select = page.get_by_label("Language")
    expect(select.locator("option")).to_have_text([AUTONYMS[lang] for lang in LANGUAGES])
    for language in ("fr", "de", "es", "en"):
        text = strings(language)
        page.locator("#language").select_option(language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_have_text(text["page.title"])
        expect(page.get_by_role("button", name=text["devices.start"])).to_be_visible()
        expect(page.locator("#language")).to_have_accessible_name(text["language.label"])
        assert page.evaluate(UNTRANSLATED_TEXT_JS) == [], f"untranslated text in {language}"
        if language == "de":
            screenshot(page, "join-de")
    page.locator("#language").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(strings("es")["page.title"])
    expect(page.locator("#language")).to_have_value("es")


def test_browser_preference_picks_the_first_language(new_context: ContextFactory) -> None:
    page = new_context(locale="de-DE").new_page()
    page.goto("/join")
    expect(page.get_by_role("heading", level=1)).to_have_text(strings("de")["page.title"])


def test_refused_camera_is_explained_and_can_be_retried(
    new_context_asking_for_media: ContextFactory,
) -> None:
    context = new_context_asking_for_media(permissions=[])
    page = context.new_page()
    page.goto("/join")
    en = strings("en")
    start_device_check(page)
    expect(page.get_by_role("alert")).to_have_text(en["devices.denied"])
    expect(page.get_by_role("status")).to_have_text(en["devices.not_working"])
    screenshot(page, "join-camera-denied")
    assert_accessible(page, "join-camera-denied")

    # The person allows the camera in the browser and tries again.
    context.grant_permissions(["camera", "microphone"])
    page.get_by_role("button", name=en["devices.retry"]).click()
    expect(page.get_by_role("alert")).to_be_hidden()
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0")


@pytest.mark.parametrize(
    "address",
    [
        "/join/no-such-hearing#" + "A" * 43,  # the service does not know it
        "/join/no-such-hearing#short",  # cut off when copied: the page knows without asking
        "/join#" + "A" * 43,  # the hearing's part of the path is missing
    ],
)
def test_a_link_that_is_not_an_invitation_says_so(page: Page, address: str) -> None:
    page.goto(address)
    en = strings("en")
    expect(page.get_by_role("heading", name=en["link.title.invalid"])).to_be_visible()
    expect(page.get_by_text(en["link.text.invalid"])).to_be_visible()
    expect(page.get_by_role("button", name=en["devices.start"])).to_be_hidden()


def test_phone_screen_has_no_sideways_scrolling(new_context: ContextFactory) -> None:
    context = new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/join")
    start_device_check(page)
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    box = page.get_by_label(strings("en")["devices.preview"]).bounding_box()
    assert box is not None and box["width"] <= 375
    screenshot(page, "join-phone")
    assert_accessible(page, "join-phone")
