"""Sign-in errors as staff read them (issue 13 point 8): a sentence in the browser's language
saying what to do, next to the field (or the button) it is about, with the API's code kept in a
small "details" line; never "invalid fields: password, username"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ContextFactory
from tests.browser.guards import assert_accessible, screenshot
from tests.browser.live_service import LiveService

pytestmark = pytest.mark.browser


def french_page(new_context: ContextFactory) -> Page:
    # A French browser: the language comes from it, nobody chose one on this page.
    context = new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr"})
    return context.new_page()


def error_next_to(page: Page, control_id: str) -> Locator:
    """The error shown right after the control, and read with it (aria-describedby)."""
    slot = page.locator(f"#{control_id} + .staff-error")
    expect(slot).to_be_visible()
    described = page.locator(f"#{control_id}").get_attribute("aria-describedby") or ""
    assert slot.get_attribute("id") in described.split(), (
        f"#{control_id} is not described by its error ({described!r})"
    )
    return slot


def test_empty_fields_are_sentences_next_to_the_fields_in_french(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    page = french_page(new_context)
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page).to_have_title("Connexion · vc-service")
    page.get_by_role("button", name="Continuer").click()

    username = error_next_to(page, "username")
    expect(username.locator(".field-error")).to_have_text("Saisissez votre nom d’utilisateur.")
    expect(username.locator(".error-details")).to_contain_text("request.invalid_fields")
    password = error_next_to(page, "password")
    expect(password.locator(".field-error")).to_have_text("Saisissez votre mot de passe.")
    expect(page.get_by_label("Nom d’utilisateur")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom d’utilisateur")).to_be_focused()
    # The API's log-like message is nowhere on the page.
    expect(page.locator("body")).not_to_contain_text("invalid fields")
    screenshot(page, "sign-in-errors-fr")
    assert_accessible(page, "sign-in-errors-fr")

    # Filling the username in and trying again leaves only the password's sentence.
    page.get_by_label("Nom d’utilisateur").fill("quelqu-un")
    page.get_by_role("button", name="Continuer").click()
    expect(password.locator(".field-error")).to_have_text("Saisissez votre mot de passe.")
    expect(page.locator("#username + .staff-error")).to_be_hidden()
    expect(page.get_by_label("Nom d’utilisateur")).not_to_have_attribute("aria-invalid", "true")


def test_wrong_password_is_a_french_sentence_next_to_the_button(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    page = french_page(new_context)
    page.goto("/sign-in")
    page.get_by_label("Nom d’utilisateur").fill(live_service.demo["clerk"].username)
    page.get_by_label("Mot de passe").fill("pas le mot de passe")
    page.get_by_role("button", name="Continuer").click()
    slot = error_next_to(page, "continue")
    expect(slot.locator(".field-error")).to_have_text(
        "Le nom d’utilisateur ou le mot de passe est incorrect. Vérifiez les deux et réessayez."
    )
    expect(slot.locator(".error-details")).to_have_text(
        re.compile(r"^Détails : auth\.invalid_credentials, requête [0-9a-f]{32}$")
    )
    expect(page.locator("body")).not_to_contain_text("wrong username or password")


def test_the_language_switch_redoes_the_error_in_the_chosen_language(
    new_context: ContextFactory, live_service: LiveService
) -> None:
    page = french_page(new_context)
    page.goto("/sign-in")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#username + .staff-error .field-error")).to_have_text(
        "Saisissez votre nom d’utilisateur."
    )
    page.get_by_label("Langue").select_option("de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.locator("#username + .staff-error .field-error")).to_have_text(
        "Geben Sie Ihren Benutzernamen ein."
    )
    # The choice is kept on this browser.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
